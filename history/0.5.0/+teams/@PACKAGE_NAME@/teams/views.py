"""The teams pages. Every page of one team is reached through @team_required,
which puts request.team and request.membership on the request (decorators.py);
every object a page changes is looked up within request.team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import invitations
from .decorators import team_required
from .forms import InvitationForm, RoleForm, TeamForm
from .models import Invitation, Membership, Role, Team


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """The user's teams, and a form to create one (they become its owner)."""
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = Team.create(form.cleaned_data["name"], owner=request.user)
        messages.success(request, f"You created {team.name}.")
        return redirect(team)
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    return render(
        request,
        "teams/team_list.html",
        {"memberships": memberships.order_by("team__name"), "form": form},
    )


@team_required()
def team_home(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "teams/team_home.html")


@team_required(Role.ADMIN)
def team_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Renames the team. Its slug, and so its URLs, stay as they are."""
    form = TeamForm(request.POST or None, instance=request.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The team's name is saved.")
        return redirect("teams:settings", slug=slug)
    return render(request, "teams/team_settings.html", {"form": form})


@team_required()
def members(request: HttpRequest, slug: str) -> HttpResponse:
    team_members = request.team.memberships.select_related("user").order_by(
        "user__email"
    )
    return render(
        request,
        "teams/members.html",
        {"members": team_members, "roles": Role.choices},
    )


def _may_manage(request: HttpRequest, target: Membership, new_role: str) -> bool:
    """Only owners make, unmake or remove owners."""
    touches_owner = Role.OWNER in (target.role, new_role)
    return not touches_owner or request.membership.has_role(Role.OWNER)


@require_POST
@team_required(Role.ADMIN)
def change_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    target = get_object_or_404(request.team.memberships, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
    elif not _may_manage(request, target, form.cleaned_data["role"]):
        messages.error(request, "Only the team's owners can make or unmake owners.")
    elif form.cleaned_data["role"] != Role.OWNER and target.is_last_owner():
        messages.error(
            request, "The team must keep an owner: make another member owner first."
        )
    else:
        target.role = form.cleaned_data["role"]
        target.save(update_fields=["role"])
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
    return redirect("teams:members", slug=slug)


@require_POST
@team_required(Role.ADMIN)
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    target = get_object_or_404(request.team.memberships, pk=pk)
    if not _may_manage(request, target, target.role):
        messages.error(request, "Only the team's owners can remove an owner.")
    elif target.is_last_owner():
        messages.error(request, "The team's last owner cannot be removed.")
    else:
        leaving = target.pk == request.membership.pk
        target.delete()
        messages.success(request, f"{target.user} is no longer in the team.")
        if leaving:
            return redirect("teams:list")
    return redirect("teams:members", slug=slug)


@team_required()
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; POST leaves, unless the user is the last owner."""
    last_owner = request.membership.is_last_owner()
    if request.method == "POST" and not last_owner:
        request.membership.delete()
        messages.success(request, f"You have left {request.team.name}.")
        return redirect("teams:list")
    if last_owner:
        messages.error(
            request,
            "You are the team's last owner: make another member owner before "
            "you leave.",
        )
    return render(request, "teams/leave.html", {"last_owner": last_owner})


@team_required(Role.ADMIN)
def invitation_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The pending invitations, and a form to invite an address."""
    form = InvitationForm(request.POST or None, team=request.team)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.send(
                team=request.team,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except invitations.RateLimited as limited:
            messages.error(request, str(limited))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("teams:invitations", slug=slug)
    pending = Invitation.objects.pending().filter(team=request.team)
    return render(
        request,
        "teams/invitations.html",
        {"form": form, "invitations": pending.select_related("invited_by")},
    )


def _pending_invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.pending().filter(team=request.team), pk=pk
    )


@require_POST
@team_required(Role.ADMIN)
def resend_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _pending_invitation(request, pk)
    try:
        invitations.resend(invitation, invited_by=request.user)
    except invitations.RateLimited as limited:
        messages.error(request, str(limited))
    else:
        messages.success(
            request, f"Sent a new link to {invitation.email}; the old one is void."
        )
    return redirect("teams:invitations", slug=slug)


@require_POST
@team_required(Role.ADMIN)
def revoke_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _pending_invitation(request, pk)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("teams:invitations", slug=slug)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link. GET shows it; POST, from a logged-in user whose
    confirmed address it was sent to, joins the team.

    A visitor who is not logged in is offered to sign up or log in; the token
    waits in their session, and signals.py makes them a member once they have
    confirmed their address.
    """
    invitation = Invitation.find(token)
    if not request.user.is_authenticated:
        why_not = invitations.problem(invitation)
        if why_not is None:
            request.session[invitations.SESSION_KEY] = token
        return render(
            request,
            "teams/accept.html",
            {"invitation": invitation, "problem": why_not},
        )
    # A logged-in user answers here; nothing waits for their sign-up any more.
    request.session.pop(invitations.SESSION_KEY, None)
    if request.method == "POST":
        why_not = invitations.accept(invitation, request.user)
        if why_not is None:
            messages.success(request, f"You have joined {invitation.team.name}.")
            return redirect(invitation.team)
    else:
        why_not = invitations.problem(invitation, request.user)
    return render(
        request,
        "teams/accept.html",
        {"invitation": invitation, "problem": why_not},
    )
