"""Links mailed to users stop working after a while. The `clock` fixture
(conftest.py) moves time on rather than waiting for it."""

from datetime import timedelta

import pytest
from allauth.account import app_settings
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

VALID_FOR = timedelta(days=app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS)


@pytest.fixture
def address(clock, user) -> EmailAddress:
    return EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=False
    )


@pytest.fixture
def confirm_url(address) -> str:
    # Signed now, at the stopped clock's time, as the mail to the user would be.
    return reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])


def test_the_clock_stands_still_until_moved(clock):
    stopped = timezone.now()
    assert stopped.year == 2030
    assert timezone.now() == stopped
    clock.shift(timedelta(hours=1))
    assert timezone.now() == stopped + timedelta(hours=1)


def test_a_confirmation_link_works_until_it_expires(
    clock, client, address, confirm_url
):
    clock.shift(VALID_FOR - timedelta(minutes=1))
    client.post(confirm_url)
    address.refresh_from_db()
    assert address.verified


def test_a_confirmation_link_expires(clock, client, address, confirm_url):
    clock.shift(VALID_FOR + timedelta(minutes=1))
    client.post(confirm_url)
    address.refresh_from_db()
    assert not address.verified
