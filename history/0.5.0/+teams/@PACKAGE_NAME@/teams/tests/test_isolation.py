"""A member of team A reaches nothing of team B: not through any page of the
module, nor through an app's TeamScoped data (the example app's notes)."""

import pytest
from django.urls import reverse

from ..models import Invitation, Membership, Role, Team
from .example.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams(team_factory, member_of, invitation_factory):
    """Team A, whose owner is the test's user, and team B with an owner, a
    member, a pending invitation and a note."""
    a = team_factory(name="A", slug="a")
    b = team_factory(name="B", slug="b")
    me = member_of(a, Role.OWNER)
    member_of(b, Role.OWNER)
    theirs = member_of(b, Role.MEMBER)
    return {
        "me": me,
        "a": a,
        "b": b,
        "b_member": Membership.objects.get(user=theirs),
        "b_invitation": invitation_factory(team=b),
        "b_note": Note.objects.create(team=b, text="B's secret"),
    }


def untouched(teams):
    b = Team.objects.get(pk=teams["b"].pk)
    member = Membership.objects.get(pk=teams["b_member"].pk)
    invitation = Invitation.objects.get(pk=teams["b_invitation"].pk)
    note = Note.objects.get(pk=teams["b_note"].pk)
    return (
        b.name == "B"
        and member.role == Role.MEMBER
        and invitation.status == "pending"
        and note.text == "B's secret"
        and Invitation.objects.filter(team=b).count() == 1
    )


def test_team_b_pages_are_404_for_team_a(client, two_teams):
    client.force_login(two_teams["me"])
    member = two_teams["b_member"].pk
    invitation = two_teams["b_invitation"].pk
    for name, args in [
        ("home", []),
        ("settings", []),
        ("members", []),
        ("leave", []),
        ("invitations", []),
        ("change_role", [member]),
        ("remove_member", [member]),
        ("resend_invitation", [invitation]),
        ("revoke_invitation", [invitation]),
    ]:
        url = reverse(f"teams:{name}", args=["b", *args])
        data = {"name": "Mine", "role": "owner", "email": "x@example.com"}
        assert client.post(url, data).status_code == 404, url
        if name not in {"change_role", "remove_member"} and "invitation" not in name:
            assert client.get(url).status_code == 404, url
    assert untouched(two_teams)


def test_team_b_objects_are_404_through_team_a_urls(client, two_teams):
    """Changing only the id in one's own team's URL reaches nothing either."""
    client.force_login(two_teams["me"])
    member = two_teams["b_member"].pk
    invitation = two_teams["b_invitation"].pk
    for name, pk in [
        ("change_role", member),
        ("remove_member", member),
        ("resend_invitation", invitation),
        ("revoke_invitation", invitation),
    ]:
        url = reverse(f"teams:{name}", args=["a", pk])
        assert client.post(url, {"role": "owner"}).status_code == 404, url
    assert untouched(two_teams)


@pytest.fixture
def notes_urls(settings):
    settings.ROOT_URLCONF = "@PACKAGE_NAME@.teams.tests.example.urls"


def test_team_scoped_data_stays_in_its_team(client, two_teams, notes_urls):
    client.force_login(two_teams["me"])
    note = two_teams["b_note"].pk

    def url(slug, name, *args):
        return reverse(f"teams_example:{name}", args=[slug, *args])

    # My own team's notes: listed, created, read, changed, deleted.
    response = client.post(url("a", "create"), {"text": "A's plan", "team": "b"})
    mine = Note.objects.get(text="A's plan")
    assert mine.team == two_teams["a"]
    assert response["Location"] == url("a", "detail", mine.pk)
    assert client.get(url("a", "list")).json() == {"notes": ["A's plan"]}
    assert client.get(url("a", "detail", mine.pk)).content == b"A's plan"
    assert client.post(url("a", "edit", mine.pk), {"text": "v2"}).content == b"v2"

    # B's note: not listed, not read, not changed, not deleted, whatever the URL.
    for slug in ("a", "b"):
        assert client.get(url(slug, "detail", note)).status_code == 404
        assert client.post(url(slug, "edit", note), {"text": "x"}).status_code == 404
        assert client.post(url(slug, "delete", note)).status_code == 404
    assert client.get(url("b", "list")).status_code == 404
    assert client.post(url("b", "create"), {"text": "x"}).status_code == 404
    assert untouched(two_teams)

    assert client.post(url("a", "delete", mine.pk)).content == b"deleted"
    assert not Note.objects.filter(pk=mine.pk).exists()
