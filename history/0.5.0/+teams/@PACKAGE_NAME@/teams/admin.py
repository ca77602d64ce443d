from django.contrib import admin

from .models import Invitation, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created")
    search_fields = ("name", "slug")
    readonly_fields = ("created",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role", "created")
    list_filter = ("role",)
    search_fields = ("user__email", "team__name", "team__slug")
    list_select_related = ("user", "team")
    raw_id_fields = ("user", "team")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations, to look at and revoke. The token is never stored, only its
    hash, and the admin shows neither: new ones are sent from the team's pages."""

    list_display = ("email", "team", "role", "status", "created", "invited_by")
    list_filter = ("role",)
    search_fields = ("email", "team__name", "team__slug")
    list_select_related = ("team", "invited_by")
    fields = (
        "team",
        "email",
        "role",
        "invited_by",
        "created",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    # All but revoked_at, which an admin may set to withdraw an invitation.
    readonly_fields = fields[:-1]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="status")
    def status(self, invitation: Invitation) -> str:
        return invitation.status
