"""The team switcher in the layout's header, and the Teams link."""

import pytest
from django.urls import reverse

from ..models import Role

pytestmark = pytest.mark.django_db


def header(client, path="/") -> str:
    html = client.get(path).content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_visitors_see_no_switcher(client):
    assert 'aria-label="Teams"' not in header(client)


def test_the_switcher_lists_my_teams(client, team, member_of, team_factory):
    other = team_factory(name="Beta", slug="beta")
    user = member_of(team, Role.MEMBER)
    member_of(other, Role.OWNER)  # someone else's team
    client.force_login(user)
    html = header(client)
    assert "<summary>Your teams</summary>" in html
    assert '<a href="/t/acme/">Acme</a>' in html
    assert "Beta" not in html
    assert f'<a href="{reverse("teams:list")}">Teams</a>' in html
