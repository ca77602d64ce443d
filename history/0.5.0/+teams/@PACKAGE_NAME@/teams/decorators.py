"""Team pages: the team comes from the URL, /t/<slug>/..., and only its members
get in.

    @team_required(Role.ADMIN)
    def settings_view(request, slug): ...   # request.team, request.membership

    class ProjectList(TeamRequiredMixin, ListView):
        min_role = Role.MEMBER

Visitors who are not logged in are sent to the log-in page. A logged-in user who is
not a member of the team gets a 404, exactly as for a team that does not exist, so
that nobody learns which teams exist by trying slugs. A member whose role is below
the one the view asks for gets a 403: they know the team already.
"""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Membership, Role


def resolve_team(request: HttpRequest, slug: str, min_role: Role) -> Membership:
    """Puts the team named by `slug`, and the user's membership of it, on the
    request as request.team and request.membership; 404 for non-members, 403 for
    members below `min_role`."""
    min_role = Role(min_role)
    membership = (
        Membership.objects.select_related("team")
        .filter(team__slug=slug, user_id=request.user.pk)
        .first()
    )
    if membership is None:
        raise Http404("No such team.")
    if not membership.has_role(min_role):
        raise PermissionDenied(f"This page is for the team's {min_role.label}s.")
    request.team = membership.team
    request.membership = membership
    return membership


def team_required(min_role: Role = Role.MEMBER):
    """A function view's decorator: the view takes the team's `slug` argument and
    runs only for members with at least `min_role`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, slug: str, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_team(request, slug, min_role)
            return view(request, *args, slug=slug, **kwargs)

        return wrapped

    return decorator


class TeamRequiredMixin(LoginRequiredMixin):
    """The same for class-based views: the URL's `slug`, and `min_role`."""

    min_role = Role.MEMBER

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        resolve_team(request, kwargs["slug"], self.min_role)
        return super().dispatch(request, *args, **kwargs)
