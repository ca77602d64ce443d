"""Invitations: sent by mail from the team's page, resent, revoked, limited per
hour, and accepted from the mailed link."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from ...core.logs import redact_tokens
from ..invitations import SESSION_KEY
from ..models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def invite(client, email="b@example.com", role="member"):
    url = reverse("teams:invitations", args=["acme"])
    return client.post(url, {"email": email, "role": role}, follow=True)


def link_in_last_mail() -> str:
    (path,) = re.findall(
        r"http://testserver(/t/invitations/\S+/)", mail.outbox[-1].body
    )
    return path


@pytest.fixture
def invited(client, team, admin):
    """b@example.com invited by `admin`; the path of the mailed link."""
    client.force_login(admin)
    invite(client)
    client.logout()
    return link_in_last_mail()


def test_admins_invite_by_mail(client, team, admin, settings):
    client.force_login(admin)
    url = reverse("teams:invitations", args=["acme"])
    assert client.get(url).status_code == 200
    response = invite(client, "b@example.com", "admin")
    assert messages_of(response) == ["Invitation sent to b@example.com."]
    (invitation,) = response.context["invitations"]
    assert (invitation.email, invitation.role) == ("b@example.com", Role.ADMIN)
    assert invitation.invited_by == admin

    (sent,) = mail.outbox
    assert sent.to == ["b@example.com"]
    assert sent.subject == f"[{settings.SITE_NAME}] {admin} invites you to join Acme"
    assert f"{admin} ({admin.email}) invites you to join the team Acme" in sent.body
    assert "as admin." in sent.body
    token = link_in_last_mail().split("/")[-2]
    assert Invitation.find(token) == invitation
    # The token is nowhere but in the mail: not in the page, not in the table.
    assert token not in response.content.decode()
    assert token not in invitation.token_hash


def test_an_address_is_invited_once_and_members_not_at_all(client, team, admin):
    client.force_login(admin)
    invite(client, "b@example.com")
    response = invite(client, "B@example.com")
    assert response.context["form"].errors["email"] == [
        "B@example.com has been invited already: resend that invitation from "
        "the list below."
    ]
    response = invite(client, admin.email.upper())
    assert response.context["form"].errors["email"] == [
        f"{admin.email.upper()} is already a member of the team."
    ]
    assert len(mail.outbox) == 1


def test_owners_are_not_invited(client, team, owner):
    client.force_login(owner)
    response = invite(client, role="owner")
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_team_sends_so_many_invitations_an_hour(client, team, admin, settings, clock):
    settings.TEAMS_INVITATIONS_PER_HOUR = 2
    client.force_login(admin)
    invite(client, "one@example.com")
    invite(client, "two@example.com")
    response = invite(client, "three@example.com")
    assert messages_of(response) == [
        "Acme has sent 2 invitations in the last hour, as many as it may. "
        "Try again later."
    ]
    first = Invitation.objects.get(email="one@example.com")
    response = client.post(
        reverse("teams:resend_invitation", args=["acme", first.pk]), follow=True
    )
    assert messages_of(response)[-1].startswith("Acme has sent 2 invitations")
    assert len(mail.outbox) == 2
    clock.shift(timedelta(hours=1, seconds=1))
    assert messages_of(invite(client, "three@example.com")) == [
        "Invitation sent to three@example.com."
    ]


def test_resending_voids_the_old_link(client, team, admin, invited):
    client.force_login(admin)
    old = Invitation.objects.get()
    response = client.post(
        reverse("teams:resend_invitation", args=["acme", old.pk]), follow=True
    )
    assert messages_of(response) == [
        "Sent a new link to b@example.com; the old one is void."
    ]
    new = link_in_last_mail()
    assert new != invited
    assert Invitation.objects.pending().get().pk != old.pk
    client.logout()
    assert client.get(invited).context["problem"] == (
        "This invitation was withdrawn. Ask the team for a new one."
    )
    assert client.get(new).context["problem"] is None


def test_revoking_voids_the_link(client, team, admin, invited):
    client.force_login(admin)
    invitation = Invitation.objects.get()
    response = client.post(
        reverse("teams:revoke_invitation", args=["acme", invitation.pk]), follow=True
    )
    assert messages_of(response) == ["The invitation to b@example.com is withdrawn."]
    assert list(response.context["invitations"]) == []
    # Only a pending invitation can be revoked or resent.
    for name in ("revoke_invitation", "resend_invitation"):
        url = reverse(f"teams:{name}", args=["acme", invitation.pk])
        assert client.post(url).status_code == 404


def test_a_visitor_sees_the_invitation_and_keeps_it_for_sign_up(
    client, team, admin, invited
):
    response = client.get(invited)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{admin} invites b@example.com to join <strong>Acme</strong>" in html
    assert 'href="/accounts/signup/?email=b%40example.com"' in html
    assert f'href="/accounts/login/?next={invited}"' in html
    assert client.session[SESSION_KEY] == invited.split("/")[-2]
    # The sign-up form comes with the invited address filled in.
    signup = client.get("/accounts/signup/?email=b%40example.com").content.decode()
    assert 'value="b@example.com"' in signup


def test_a_bad_link_is_said_to_be_bad(client, user):
    response = client.get(reverse("teams:accept", args=["nonsense"]))
    assert response.context["problem"] == (
        "This invitation link is not valid. Ask the team for a new one."
    )
    assert SESSION_KEY not in client.session
    client.force_login(user)
    response = client.post(reverse("teams:accept", args=["nonsense"]))
    assert response.context["problem"].startswith("This invitation link is not valid")


def test_the_invited_user_joins_when_logged_in(client, team, invited, user_factory):
    user = user_factory(email="b@example.com")
    EmailAddress.objects.create(user=user, email="B@example.com", verified=True)
    client.force_login(user)
    response = client.get(invited)
    assert response.context["problem"] is None
    assert b"Join Acme" in response.content
    response = client.post(invited, follow=True)
    assert response.redirect_chain == [("/t/acme/", 302)]
    assert messages_of(response) == ["You have joined Acme."]
    assert Membership.objects.get(user=user, team=team).role == Role.MEMBER
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)
    # Once only.
    response = client.post(invited)
    assert response.context["problem"] == "This invitation has been used already."


def test_a_member_already_keeps_their_role(client, team, admin, invited):
    EmailAddress.objects.create(user=admin, email="b@example.com", verified=True)
    client.force_login(admin)
    client.post(invited)
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    assert Invitation.objects.get().status == "accepted"


def test_another_account_cannot_accept(client, team, invited, user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True)
    client.force_login(user)
    response = client.post(invited)
    assert response.context["problem"] == (
        "This invitation was sent to b@example.com, which is not an address of "
        "the account you are logged in with. Log in with that address, or add it "
        "to your account and confirm it."
    )
    assert not Membership.objects.filter(user=user).exists()


def test_an_unconfirmed_address_cannot_accept(client, team, invited, user):
    EmailAddress.objects.create(user=user, email="b@example.com", verified=False)
    client.force_login(user)
    response = client.post(invited)
    assert response.context["problem"] == (
        "Confirm your address b@example.com first, with the link we mailed you, "
        "then open the invitation again."
    )
    assert not Membership.objects.filter(user=user).exists()


def test_an_expired_invitation_cannot_be_accepted(client, team, invited, user, clock):
    EmailAddress.objects.create(user=user, email="b@example.com", verified=True)
    client.force_login(user)
    clock.shift(timedelta(days=8))
    response = client.post(invited)
    assert response.context["problem"] == (
        "This invitation has expired. Ask the team to send it again."
    )
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_links_are_kept_out_of_logs():
    assert redact_tokens("/t/invitations/s3cret-Token_x/") == (
        "/t/invitations/[redacted]/"
    )
