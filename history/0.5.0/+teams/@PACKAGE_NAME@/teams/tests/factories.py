import factory
from factory.django import DjangoModelFactory

from ...users.tests.factories import UserFactory
from ..models import Invitation, Membership, Role, Team, hash_token


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(DjangoModelFactory):
    """An invitation whose token is its `token` attribute (never stored)."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    team = factory.SubFactory(TeamFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = Role.MEMBER
    token = factory.Sequence(lambda n: f"token-{n}")
    token_hash = factory.LazyAttribute(lambda invitation: hash_token(invitation.token))
