"""Teams, their members and the invitations that bring new members in.

A team's rows of your own models inherit from TeamScoped (below): a `team` foreign
key, and `Model.objects.for_team(team)`, the one way views look them up.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

# How long an invitation's link works after it was sent. A project may set
# TEAMS_INVITATION_MAX_AGE (a timedelta) in its settings to change it.
DEFAULT_INVITATION_MAX_AGE = timedelta(days=7)

# Team slugs that would clash with the app's own URLs under /t/.
RESERVED_SLUGS = frozenset({"invitations"})


def invitation_max_age() -> timedelta:
    return getattr(settings, "TEAMS_INVITATION_MAX_AGE", DEFAULT_INVITATION_MAX_AGE)


class Team(models.Model):
    """A group of users who share the team's data.

    The slug is chosen once, from the name, when the team is created: renaming a
    team changes its name and never its slug, so every link to its pages keeps
    working.
    """

    name = models.CharField("name", max_length=100)
    slug = models.SlugField("slug", max_length=60, unique=True)
    created = models.DateTimeField("created", auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:home", args=[self.slug])
@BEGIN(billing)@

    @property
    def email(self) -> str:
        """Where Stripe sends the team's receipts (the billing module): the
        address of its longest-standing owner."""
        owner = self.memberships.owners().select_related("user").first()
        return owner.user.email if owner else ""
@END(billing)@

    @classmethod
    def create(cls, name: str, owner) -> "Team":
        """A new team named `name`, with `owner` as its first owner."""
        slugs = _slugs(name)
        while True:
            try:
                # A savepoint: a slug taken meanwhile by another request fails
                # this insert alone, and the next candidate is tried.
                with transaction.atomic():
                    team = cls.objects.create(name=name, slug=next(slugs))
            except IntegrityError:
                continue
            Membership.objects.create(team=team, user=owner, role=Role.OWNER)
            return team


def _slugs(name: str):
    """Candidate slugs for a team named `name`: its slugified name, unless
    reserved, then the same with a random suffix, as many as needed."""
    base = slugify(name)[:50] or "team"
    if base not in RESERVED_SLUGS:
        yield base
    while True:
        yield f"{base}-{secrets.token_hex(3)}"


class Role(models.TextChoices):
    """A member's role, each allowed what the ones below it are, and more.

    member: sees the team and its data. admin: also renames the team, invites,
    changes members' roles and removes members. owner: also makes and unmakes
    owners. A team always keeps at least one owner.
    """

    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: "Role") -> bool:
        return self.rank >= Role(other).rank


class MembershipQuerySet(models.QuerySet):
    def owners(self) -> "MembershipQuerySet":
        return self.filter(role=Role.OWNER)


class Membership(models.Model):
    """A user's place in a team, with their role. A user may be in many teams."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    role = models.CharField(
        "role", max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    created = models.DateTimeField("joined", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="teams_membership_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    def has_role(self, role: Role) -> bool:
        """Whether this member's role is `role` or above."""
        return Role(self.role).at_least(role)

    def is_last_owner(self) -> bool:
        """Whether the team would be left without an owner without this member.

        Locks the team's owners' rows until the transaction ends, so two owners
        demoting each other at once cannot both succeed on PostgreSQL: call it
        in a transaction, as every view is (ATOMIC_REQUESTS).
        """
        if self.role != Role.OWNER:
            return False
        owners = Membership.objects.owners().filter(team_id=self.team_id)
        return len(owners.select_for_update()) == 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked, and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            created__gt=timezone.now() - invitation_max_age(),
        )


class Invitation(models.Model):
    """An invitation, mailed to an address, to join a team with a role.

    Its link carries a random token; only the token's SHA-256 is stored, so the
    database holds nothing that opens an invitation. It works once, until it
    expires (TEAMS_INVITATION_MAX_AGE) or is revoked. Resending revokes it and
    issues a new one, with a new token.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    role = models.CharField(
        "role", max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField("sent", default=timezone.now)
    accepted_at = models.DateTimeField("accepted", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["team", "created"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @classmethod
    def issue(cls, *, team: Team, email: str, role: Role, invited_by) -> tuple:
        """A new invitation and its token, which only the mail will hold."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            team=team,
            email=email,
            role=role,
            invited_by=invited_by,
            token_hash=hash_token(token),
        )
        return invitation, token

    @classmethod
    def find(cls, token: str) -> "Invitation | None":
        """The invitation whose link carries `token`, whatever its state."""
        return (
            cls.objects.select_related("team", "invited_by")
            .filter(token_hash=hash_token(token))
            .first()
        )

    @property
    def expires(self):
        return self.created + invitation_max_age()

    @property
    def status(self) -> str:
        """One of: accepted, revoked, expired, pending."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if timezone.now() >= self.expires:
            return "expired"
        return "pending"


class TeamScopedQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> "TeamScopedQuerySet":
        return self.filter(team=team)


class TeamScoped(models.Model):
    """The base of every model whose rows belong to one team.

        class Project(TeamScoped):
            name = models.CharField(max_length=100)

    Views reached through @team_required (decorators.py) look rows up only
    through the team the URL names, so that nobody reaches another team's rows
    by changing an id in a URL:

        projects = Project.objects.for_team(request.team)
        project = get_object_or_404(Project.objects.for_team(request.team), pk=pk)

    and set `team=request.team` on the rows they create, never a team taken from
    the submitted form. A manager of your own should subclass TeamScopedQuerySet.
    """

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_set"
    )

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        abstract = True
