from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user.

    A custom user model from the very first migration, as Django's documentation
    recommends: changing AUTH_USER_MODEL once tables exist is a painful migration,
    while adding a field here later is an ordinary one.
    """

    # One field for a person's name: first/last name fields fit few of the world's
    # naming conventions. Django's first_name and last_name stay for compatibility.
    name = models.CharField("name", max_length=255, blank=True)

    def __str__(self) -> str:
        return self.name or self.username
