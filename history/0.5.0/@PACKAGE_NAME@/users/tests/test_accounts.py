"""The account pages (django-allauth), each flow driven through the test client."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from ..models import User
from .factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def link_in_last_mail() -> str:
    """The path of the one link in the last mail sent."""
    (url,) = re.findall(r"https?://testserver(/\S+)", mail.outbox[-1].body)
    return url


@pytest.fixture
def verified_user() -> User:
    user = UserFactory()
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=True
    )
    return user


def test_account_pages_use_the_site_layout(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    templates = [t.name for t in response.templates]
    assert "base.html" in templates
    assert b'<main id="content"' in response.content


def test_sign_up_then_confirm_the_address_to_log_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ada@example.com")
    assert user.username  # made up by allauth; people log in by email
    # Verification is mandatory: no session until the address is confirmed.
    assert "_auth_user_id" not in client.session
    assert mail.outbox[-1].subject.endswith("Please Confirm Your Email Address")

    confirm = link_in_last_mail()
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.com").verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_log_in_needs_a_confirmed_address(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, primary=True)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_log_in_by_email_and_out_by_post(client, verified_user):
    response = client.post(
        reverse("account_login"),
        {"login": verified_user.email, "password": DEFAULT_PASSWORD},
    )
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(verified_user.pk)

    # A GET only asks; the POST (the layout's button) logs out.
    assert client.get(reverse("account_logout")).status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("core:home")
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused(client, verified_user):
    response = client.post(
        reverse("account_login"), {"login": verified_user.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_reset_a_forgotten_password_by_email(client, verified_user):
    response = client.post(
        reverse("account_reset_password"), {"email": verified_user.email}
    )
    assert response["Location"] == reverse("account_reset_password_done")
    response = client.get(link_in_last_mail())
    # allauth moves the key out of the URL before showing the form.
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    verified_user.refresh_from_db()
    assert verified_user.check_password(PASSWORD)


def test_add_an_email_address(client, verified_user):
    client.force_login(verified_user)
    assert client.get(reverse("account_email")).status_code == 200
    response = client.post(
        reverse("account_email"), {"email": "second@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    added = EmailAddress.objects.get(email="second@example.com")
    assert added.user == verified_user
    assert not added.verified
    assert "second@example.com" in mail.outbox[-1].to


def test_pages_behind_login_send_visitors_to_the_log_in_page(client):
    response = client.get(reverse("account_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
