"""Fixtures for the teams tests: teams with members in each role."""

import pytest
from allauth.account.models import EmailAddress

from ..models import Role
from .factories import InvitationFactory, MembershipFactory, TeamFactory


@pytest.fixture
def team_factory(db) -> type[TeamFactory]:
    return TeamFactory


@pytest.fixture
def membership_factory(db) -> type[MembershipFactory]:
    return MembershipFactory


@pytest.fixture
def invitation_factory(db) -> type[InvitationFactory]:
    return InvitationFactory


@pytest.fixture
def team(team_factory):
    return team_factory(name="Acme", slug="acme")


@pytest.fixture
def member_of(membership_factory, user_factory):
    """`member_of(team, role)`: a new user with a confirmed address, in `team`."""

    def make(team, role=Role.MEMBER, **user_fields):
        user = user_factory(**user_fields)
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=True
        )
        membership_factory(team=team, user=user, role=role)
        return user

    return make


@pytest.fixture
def owner(team, member_of):
    return member_of(team, Role.OWNER)


@pytest.fixture
def admin(team, member_of):
    return member_of(team, Role.ADMIN)


@pytest.fixture
def member(team, member_of):
    return member_of(team, Role.MEMBER)
