"""The teams pages, through the test client, role by role."""

import pytest
from django.urls import reverse

from ..models import Membership, Role, Team

pytestmark = pytest.mark.django_db


def role_of(user, team) -> str | None:
    membership = Membership.objects.filter(user=user, team=team).first()
    return membership and membership.role


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_list_shows_my_teams_and_creates_one(client, team, member, team_factory):
    team_factory(name="Not mine")
    client.force_login(member)
    response = client.get(reverse("teams:list"))
    assert response.status_code == 200
    assert [m.team for m in response.context["memberships"]] == [team]
    assert b"Not mine" not in response.content

    response = client.post(reverse("teams:list"), {"name": "Rockets"})
    new = Team.objects.get(name="Rockets")
    assert response["Location"] == "/t/rockets/"
    assert role_of(member, new) == Role.OWNER


def test_a_team_needs_a_name(client, user):
    client.force_login(user)
    response = client.post(reverse("teams:list"), {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert b"You are in no team yet." in response.content


def test_the_list_needs_a_log_in(client):
    response = client.get(reverse("teams:list"))
    assert response["Location"] == "/accounts/login/?next=/t/"


def test_the_home_page_and_the_layout_show_the_team(client, team, member):
    client.force_login(member)
    response = client.get(reverse("teams:home", args=["acme"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are member of this team." in html
    assert "<summary>Acme</summary>" in html
    assert '<a href="/t/acme/" aria-current="page">Acme</a>' in html
    # Admin-only links are not offered to members.
    assert "/t/acme/settings/" not in html


def test_admins_rename_the_team_and_its_urls_stay(client, team, admin):
    client.force_login(admin)
    url = reverse("teams:settings", args=["acme"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Acme Labs"})
    assert response["Location"] == url
    team.refresh_from_db()
    assert (team.name, team.slug) == ("Acme Labs", "acme")
    assert client.post(url, {"name": ""}).status_code == 200


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("settings", []),
        ("invitations", []),
        ("change_role", [1]),
        ("remove_member", [1]),
        ("resend_invitation", [1]),
        ("revoke_invitation", [1]),
    ],
)
def test_members_are_refused_the_admin_pages(client, team, member, name, args):
    client.force_login(member)
    url = reverse(f"teams:{name}", args=["acme", *args])
    assert client.post(url, {"name": "Mine now", "role": "owner"}).status_code == 403
    team.refresh_from_db()
    assert team.name == "Acme"
    assert role_of(member, team) == Role.MEMBER


def test_members_see_the_members(client, team, owner, member):
    client.force_login(member)
    response = client.get(reverse("teams:members", args=["acme"]))
    assert {m.user for m in response.context["members"]} == {owner, member}
    assert b"teams:change_role" not in response.content
    assert b"/role/" not in response.content


def test_admins_change_roles_but_never_owners(client, team, owner, admin, member):
    client.force_login(admin)
    ids = {u: Membership.objects.get(user=u).pk for u in (owner, admin, member)}
    html = client.get(reverse("teams:members", args=["acme"])).content.decode()
    assert f'action="/t/acme/members/{ids[member]}/role/"' in html

    def change(user, role):
        url = reverse("teams:change_role", args=["acme", ids[user]])
        return messages_of(client.post(url, {"role": role}, follow=True))

    assert change(member, "admin") == [f"{member} is now Admin."]
    assert role_of(member, team) == Role.ADMIN
    assert change(member, "owner") == [
        "Only the team's owners can make or unmake owners."
    ]
    assert change(owner, "member") == [
        "Only the team's owners can make or unmake owners."
    ]
    assert change(member, "king") == ["Choose one of the roles."]
    assert (role_of(member, team), role_of(owner, team)) == ("admin", "owner")


def test_owners_make_and_unmake_owners_but_keep_one(client, team, owner, admin):
    client.force_login(owner)
    mine = Membership.objects.get(user=owner).pk
    theirs = Membership.objects.get(user=admin).pk

    def change(pk, role):
        url = reverse("teams:change_role", args=["acme", pk])
        return messages_of(client.post(url, {"role": role}, follow=True))

    assert change(mine, "admin") == [
        "The team must keep an owner: make another member owner first."
    ]
    assert change(mine, "owner") == [f"{owner} is now Owner."]
    assert change(theirs, "owner") == [f"{admin} is now Owner."]
    assert change(mine, "member") == [f"{owner} is now Member."]
    assert role_of(admin, team) == Role.OWNER


def test_admins_remove_members_but_not_owners(client, team, owner, admin, member):
    client.force_login(admin)

    def remove(user):
        pk = Membership.objects.get(user=user, team=team).pk
        url = reverse("teams:remove_member", args=["acme", pk])
        return client.post(url, follow=True)

    assert messages_of(remove(member)) == [f"{member} is no longer in the team."]
    assert role_of(member, team) is None
    assert messages_of(remove(owner)) == ["Only the team's owners can remove an owner."]
    # Removing oneself is leaving: the team's pages are closed to them then.
    response = remove(admin)
    assert response.redirect_chain[-1][0] == "/t/"
    assert role_of(admin, team) is None


def test_the_last_owner_cannot_be_removed(client, team, owner, member_of):
    other = member_of(team, Role.OWNER)
    client.force_login(owner)
    url = reverse(
        "teams:remove_member", args=["acme", Membership.objects.get(user=other).pk]
    )
    assert messages_of(client.post(url, follow=True)) == [
        f"{other} is no longer in the team."
    ]
    assert role_of(other, team) is None
    url = reverse(
        "teams:remove_member", args=["acme", Membership.objects.get(user=owner).pk]
    )
    response = client.post(url, follow=True)
    assert messages_of(response) == ["The team's last owner cannot be removed."]
    assert role_of(owner, team) == Role.OWNER


def test_role_changes_and_removals_are_posts(client, team, owner):
    client.force_login(owner)
    pk = Membership.objects.get(user=owner).pk
    for name in ("change_role", "remove_member"):
        assert (
            client.get(reverse(f"teams:{name}", args=["acme", pk])).status_code == 405
        )


def test_members_leave(client, team, owner, member):
    client.force_login(member)
    url = reverse("teams:leave", args=["acme"])
    assert b"Leave the team" in client.get(url).content
    response = client.post(url, follow=True)
    assert messages_of(response) == ["You have left Acme."]
    assert role_of(member, team) is None
    assert client.get(reverse("teams:home", args=["acme"])).status_code == 404


def test_the_last_owner_cannot_leave(client, team, owner):
    client.force_login(owner)
    url = reverse("teams:leave", args=["acme"])
    response = client.post(url)
    assert response.status_code == 200
    assert messages_of(response) == [
        "You are the team's last owner: make another member owner before you leave."
    ]
    assert b"Leave the team" not in response.content
    assert role_of(owner, team) == Role.OWNER
