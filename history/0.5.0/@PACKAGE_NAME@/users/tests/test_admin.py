import pytest
from django.urls import reverse

from ..models import User
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_lists_and_searches_users(staff_client):
    UserFactory(username="grace", name="Grace Hopper")
    url = reverse("admin:users_user_changelist")
    response = staff_client.get(url, {"q": "Hopper"})
    assert response.status_code == 200
    assert b"grace" in response.content


def test_add_user_through_the_admin(staff_client):
    response = staff_client.post(
        reverse("admin:users_user_add"),
        {
            "username": "newcomer",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newcomer").check_password(
        "a-long-and-unusual-passphrase"
    )


def test_change_user_through_the_admin(staff_client):
    user = UserFactory(name="Old Name")
    url = reverse("admin:users_user_change", args=[user.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "username": user.username,
            "name": "New Name",
            "email": user.email,
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "12:00:00",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "New Name"


def test_admin_needs_staff(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:users_user_changelist"))
    assert response.status_code == 302
