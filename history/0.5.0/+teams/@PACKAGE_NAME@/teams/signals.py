"""A team for every new user, and the invitation they signed up through.

Sign-up (django-allauth) ends when the user confirms their address, the only
way in while ACCOUNT_EMAIL_VERIFICATION is "mandatory", as in this project. At
that moment:

- a user who came from an invitation's link in this browser (its token is in the
  session) joins that team, if the invitation is still good and was sent to the
  address they confirmed;
- a user who is then in no team gets a team of their own, "<name>'s team",
  which they can rename. An invited user needs none, and gets none; they can
  create teams of their own at /t/.

With email verification "optional" or "none" the personal team is made at
sign-up instead, unless the user came from an invitation (accepted from its page
once their address is confirmed).
"""

from allauth.account.signals import email_confirmed, user_signed_up
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver

from . import invitations
from .models import Invitation, Team


def personal_team_name(user) -> str:
    who = user.name or user.email.partition("@")[0] or user.get_username()
    return f"{who}'s team"[:100]


def ensure_personal_team(user) -> Team | None:
    """A team of their own for a user in no team; idempotent."""
    if user.team_memberships.exists():
        return None
    return Team.create(personal_team_name(user), owner=user)


@receiver(user_signed_up)
def on_signed_up(request, user, **kwargs) -> None:
    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory":
        return
    if invitations.SESSION_KEY not in request.session:
        ensure_personal_team(user)


@receiver(email_confirmed)
def on_email_confirmed(request, email_address, **kwargs) -> None:
    user = email_address.user
    token = request.session.pop(invitations.SESSION_KEY, None) if request else None
    if token:
        invitation = Invitation.find(token)
        why_not = invitations.accept(invitation, user)
        if why_not:
            messages.error(request, why_not)
        else:
            messages.success(request, f"You have joined {invitation.team.name}.")
    ensure_personal_team(user)
