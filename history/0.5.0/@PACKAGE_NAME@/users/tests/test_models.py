import pytest
from django.contrib.auth import get_user_model

from ..models import User
from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_its_own_user_model():
    assert get_user_model() is User


def test_factory_users_can_log_in_with_the_default_password(client):
    user = UserFactory()
    assert user.check_password(DEFAULT_PASSWORD)
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)


def test_str_is_the_name_or_else_the_username():
    assert str(UserFactory(name="Ada Lovelace")) == "Ada Lovelace"
    assert str(UserFactory(username="ada", name="")) == "ada"


def test_create_superuser():
    admin = User.objects.create_superuser("root", "root@example.com", "pw-12345")
    assert admin.is_staff
    assert admin.is_superuser
