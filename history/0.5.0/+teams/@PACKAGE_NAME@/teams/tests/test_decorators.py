"""@team_required and TeamRequiredMixin: the team from the URL, members only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from ..decorators import TeamRequiredMixin, team_required
from ..models import Role

pytestmark = pytest.mark.django_db


@team_required(Role.ADMIN)
def admin_view(request, slug):
    return HttpResponse(f"{request.team.slug} {request.membership.role}")


class AdminView(TeamRequiredMixin, View):
    min_role = Role.ADMIN

    def get(self, request, slug):
        return HttpResponse(f"{request.team.slug} {request.membership.role}")


def call(view, user, slug="acme"):
    request = RequestFactory().get(f"/t/{slug}/x/")
    request.user = user
    return view(request, slug=slug)


@pytest.mark.parametrize("view", [admin_view, AdminView.as_view()])
def test_visitors_are_sent_to_log_in(view, team):
    response = call(view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/t/acme/x/"


@pytest.mark.parametrize("view", [admin_view, AdminView.as_view()])
def test_non_members_get_the_same_404_as_for_no_team(view, team, user):
    with pytest.raises(Http404):
        call(view, user)
    with pytest.raises(Http404):
        call(view, user, slug="no-such-team")


@pytest.mark.parametrize("view", [admin_view, AdminView.as_view()])
def test_members_below_the_role_get_a_403(view, member):
    with pytest.raises(PermissionDenied, match="for the team's Admins"):
        call(view, member)


@pytest.mark.parametrize("view", [admin_view, AdminView.as_view()])
def test_members_with_the_role_get_the_team_on_the_request(view, admin, owner):
    assert call(view, admin).content == b"acme admin"
    assert call(view, owner).content == b"acme owner"
