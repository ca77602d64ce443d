"""Account mails name the site and link to it by the settings, not by the request."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_mails_use_the_site_name_and_url_whatever_the_host(client, settings):
    settings.SITE_NAME = "Example Clinic"
    settings.SITE_URL = "https://clinic.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    UserFactory(email="ada@example.com")
    client.post(
        reverse("account_reset_password"),
        {"email": "ada@example.com"},
        headers={"host": "other.example"},
    )
    (message,) = mail.outbox
    assert "Example Clinic" in message.body
    assert "other.example" not in message.body
    assert "https://clinic.example.com/accounts/password/reset/key/" in message.body


def test_a_confirmation_mail_can_be_sent_outside_a_request(settings):
    # As from a cron job or the shell: no request, still the right name and links.
    settings.SITE_NAME = "Example Clinic"
    settings.SITE_URL = "https://clinic.example.com"
    user = UserFactory()
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    EmailConfirmationHMAC(address).send(signup=False)
    (message,) = mail.outbox
    assert "Example Clinic" in message.body
    assert "https://clinic.example.com/accounts/confirm-email/" in message.body


def test_failed_logins_count_once_whatever_host_they_name(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.testserver"]
    UserFactory(email="ada@example.com")
    refused = []
    for attempt in range(6):
        response = client.post(
            reverse("account_login"),
            {"login": "ada@example.com", "password": "wrong"},
            headers={"host": ["testserver", "www.testserver"][attempt % 2]},
            # Each from another address, so only the account's limit applies.
            REMOTE_ADDR=f"192.0.2.{attempt}",
        )
        refused.append(b"Too many failed login attempts" in response.content)
    assert refused == [False] * 5 + [True]
