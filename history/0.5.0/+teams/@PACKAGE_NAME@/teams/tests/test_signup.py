"""Sign-up through allauth: a team of one's own, or the team one was invited to."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.urls import reverse

from ...users.models import User
from ..models import Membership, Role
from ..signals import ensure_personal_team

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def sign_up_and_confirm(client, email):
    client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    (confirm,) = re.findall(
        r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[-1].body
    )
    return client.post(confirm, follow=True)


def open_invitation(client, admin):
    """`admin` invites b@example.com; a visitor opens the mailed link."""
    client.force_login(admin)
    client.post(
        reverse("teams:invitations", args=["acme"]),
        {"email": "b@example.com", "role": "member"},
    )
    (link,) = re.findall(
        r"http://testserver(/t/invitations/\S+/)", mail.outbox[-1].body
    )
    client.logout()
    client.get(link)


def memberships(email):
    return [
        (m.team.name, m.role)
        for m in Membership.objects.filter(user__email=email).select_related("team")
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_new_user_gets_a_team_of_their_own(client):
    sign_up_and_confirm(client, "ada@example.com")
    assert memberships("ada@example.com") == [("ada's team", Role.OWNER)]
    # Confirming another address later makes no second team.
    user = User.objects.get(email="ada@example.com")
    address = EmailAddress.objects.create(user=user, email="ada@example.org")
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert len(memberships("ada@example.com")) == 1


def test_the_personal_team_is_named_after_the_user(user_factory):
    named = user_factory(name="Grace Hopper")
    assert ensure_personal_team(named).name == "Grace Hopper's team"
    assert ensure_personal_team(named) is None


def test_without_mandatory_verification_the_team_comes_at_sign_up(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    client.post(
        reverse("account_signup"),
        {"email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert memberships("ada@example.com") == [("ada's team", Role.OWNER)]


def test_an_invited_visitor_joins_the_team_on_confirming(client, team, admin):
    open_invitation(client, admin)
    response = sign_up_and_confirm(client, "b@example.com")
    assert "You have joined Acme." in messages_of(response)
    # Invited, so no team of their own.
    assert memberships("b@example.com") == [("Acme", Role.MEMBER)]


def test_signing_up_with_another_address_joins_nothing(client, team, admin, settings):
    open_invitation(client, admin)
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    client.post(
        reverse("account_signup"),
        {"email": "c@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    # Waits for the confirmation, where the invitation is tried.
    assert memberships("c@example.com") == []
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    (confirm,) = re.findall(
        r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[-1].body
    )
    response = client.post(confirm, follow=True)
    assert any(
        message.startswith("This invitation was sent to b@example.com, which is not")
        for message in messages_of(response)
    )
    assert memberships("c@example.com") == [("c's team", Role.OWNER)]
