"""The admin shows teams, memberships and invitations, never a token."""

import pytest
from django.urls import reverse

from ..models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_and_shows_each_model(staff_client, team, owner):
    invitation, token = Invitation.issue(
        team=team, email="b@example.com", role=Role.MEMBER, invited_by=owner
    )
    membership = Membership.objects.get(user=owner)
    for model, obj in [
        ("team", team),
        ("membership", membership),
        ("invitation", invitation),
    ]:
        changelist = staff_client.get(reverse(f"admin:teams_{model}_changelist"))
        assert changelist.status_code == 200
        assert "Acme" in changelist.content.decode()
        change = staff_client.get(reverse(f"admin:teams_{model}_change", args=[obj.pk]))
        assert change.status_code == 200
        for secret in (token, invitation.token_hash):
            assert secret not in changelist.content.decode()
            assert secret not in change.content.decode()
    assert (
        "pending"
        in staff_client.get(
            reverse("admin:teams_invitation_changelist")
        ).content.decode()
    )
    # Invitations are sent from the team's pages, which mail the link.
    assert staff_client.get(reverse("admin:teams_invitation_add")).status_code == 403
