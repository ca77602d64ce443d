"""Teams, memberships, invitations and the TeamScoped pattern, as models."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from ..models import Invitation, Membership, Role, Team, hash_token
from .example.models import Note

pytestmark = pytest.mark.django_db


def test_a_new_team_has_its_creator_as_owner_and_a_slug_from_its_name(user):
    team = Team.create("Ada's Lab", owner=user)
    assert team.slug == "adas-lab"
    assert str(team) == "Ada's Lab"
    assert team.get_absolute_url() == "/t/adas-lab/"
    (membership,) = team.memberships.all()
    assert (membership.user, membership.role) == (user, Role.OWNER)
    assert str(membership) == f"{user} in Ada's Lab (Owner)"


def test_a_taken_or_reserved_slug_gets_a_random_suffix(user):
    first = Team.create("Acme", owner=user)
    second = Team.create("ACME", owner=user)
    assert first.slug == "acme"
    assert second.slug.startswith("acme-")
    assert len(second.slug) == len("acme-") + 6
    assert Team.create("Invitations", owner=user).slug.startswith("invitations-")
    assert Team.create("!!!", owner=user).slug == "team"


def test_roles_rank_member_admin_owner():
    assert Role.OWNER.at_least(Role.ADMIN)
    assert Role.ADMIN.at_least("admin")
    assert not Role.MEMBER.at_least(Role.ADMIN)
    assert not Role.ADMIN.at_least(Role.OWNER)


def test_the_last_owner_is_known(team, owner, admin):
    owner_membership = Membership.objects.get(team=team, user=owner)
    assert owner_membership.is_last_owner()
    assert not Membership.objects.get(user=admin).is_last_owner()
    Membership.objects.filter(user=admin).update(role=Role.OWNER)
    assert not owner_membership.is_last_owner()


def test_a_user_is_in_a_team_once(team, member, membership_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        membership_factory(team=team, user=member)


def test_an_invitation_stores_only_the_hash_of_its_token(team, owner):
    invitation, token = Invitation.issue(
        team=team, email="b@example.com", role=Role.MEMBER, invited_by=owner
    )
    invitation.refresh_from_db()
    assert len(token) >= 43
    assert token not in invitation.token_hash
    assert invitation.token_hash == hash_token(token)
    assert Invitation.find(token) == invitation
    assert Invitation.find(token + "x") is None
    assert str(invitation) == "b@example.com to Acme"


def test_an_invitation_is_pending_until_used_revoked_or_expired(
    invitation_factory, clock, settings
):
    invitation = invitation_factory()
    assert invitation.status == "pending"
    assert invitation.expires == invitation.created + timedelta(days=7)
    clock.shift(timedelta(days=7))
    assert invitation.status == "expired"
    assert not Invitation.objects.pending().exists()
    settings.TEAMS_INVITATION_MAX_AGE = timedelta(days=8)
    assert invitation.status == "pending"
    assert Invitation.objects.pending().get() == invitation
    invitation.revoked_at = invitation.created
    assert invitation.status == "revoked"
    invitation.accepted_at = invitation.created
    assert invitation.status == "accepted"


def test_team_scoped_rows_are_found_through_their_team(team_factory):
    mine, theirs = team_factory.create_batch(2)
    note = Note.objects.create(team=mine, text="ours")
    Note.objects.create(team=theirs, text="theirs")
    assert list(Note.objects.for_team(mine)) == [note]
    assert str(note) == "ours"
