from django.db import models

from ...models import TeamScoped


class Note(TeamScoped):
    text = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.text
