"""Sending invitations, and accepting them."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, Role, Team

# The mail every invitation sends may go to any address the team types in, so a
# team may send this many in an hour, resent ones included; the project can set
# TEAMS_INVITATIONS_PER_HOUR. Counted from the invitations in the database, which
# every worker shares.
DEFAULT_INVITATIONS_PER_HOUR = 20

# Where a visitor who is not logged in keeps the token of the invitation they
# opened, until they have signed up and confirmed their address (signals.py).
SESSION_KEY = "teams_invitation"


class RateLimited(Exception):
    pass


def invitations_per_hour() -> int:
    return getattr(settings, "TEAMS_INVITATIONS_PER_HOUR", DEFAULT_INVITATIONS_PER_HOUR)


def send(*, team: Team, email: str, role: Role, invited_by) -> Invitation:
    """Issues an invitation and mails its link; RateLimited when the team has
    sent its hour's worth."""
    # Locks the team's row until the request's transaction ends, so that
    # workers sending at once count one after the other (on PostgreSQL).
    Team.objects.select_for_update().get(pk=team.pk)
    since = timezone.now() - timedelta(hours=1)
    if Invitation.objects.filter(team=team, created__gte=since).count() >= (
        invitations_per_hour()
    ):
        raise RateLimited(
            f"{team.name} has sent {invitations_per_hour()} invitations in the "
            "last hour, as many as it may. Try again later."
        )
    invitation, token = Invitation.issue(
        team=team, email=email, role=role, invited_by=invited_by
    )
    mail(invitation, token)
    return invitation


def resend(invitation: Invitation, invited_by) -> Invitation:
    """A new invitation, with a new token, in place of `invitation`, whose link
    stops working."""
    new = send(
        team=invitation.team,
        email=invitation.email,
        role=invitation.role,
        invited_by=invited_by,
    )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return new


def mail(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "inviter": invitation.invited_by,
        "site_name": settings.SITE_NAME,
        # SITE_URL, never the request's Host: a forged Host header cannot make the
        # link in the mail point elsewhere.
        "url": settings.SITE_URL + reverse("teams:accept", args=[token]),
    }
    subject = render_to_string("teams/email/invitation_subject.txt", context)
    body = render_to_string("teams/email/invitation_message.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])


def problem(invitation: Invitation | None, user=None) -> str | None:
    """Why `user` cannot accept `invitation`, or None when they can; without a
    user, what is wrong with the invitation itself, if anything."""
    if invitation is None:
        return "This invitation link is not valid. Ask the team for a new one."
    status = invitation.status
    if status == "accepted":
        return "This invitation has been used already."
    if status == "revoked":
        return "This invitation was withdrawn. Ask the team for a new one."
    if status == "expired":
        return "This invitation has expired. Ask the team to send it again."
    if user is None:
        return None
    addresses = EmailAddress.objects.filter(user=user, email__iexact=invitation.email)
    if not addresses.exists():
        return (
            f"This invitation was sent to {invitation.email}, which is not an "
            "address of the account you are logged in with. Log in with that "
            "address, or add it to your account and confirm it."
        )
    if not addresses.filter(verified=True).exists():
        return (
            f"Confirm your address {invitation.email} first, with the link we "
            "mailed you, then open the invitation again."
        )
    return None


def accept(invitation: Invitation | None, user) -> str | None:
    """Makes `user` a member of the invitation's team; None when done, or why
    not. A member already keeps their role."""
    if invitation is None:
        return problem(invitation)
    with transaction.atomic():
        # The row locked and read again: a link opened twice at once is used once.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        why_not = problem(invitation, user)
        if why_not:
            return why_not
        Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return None
