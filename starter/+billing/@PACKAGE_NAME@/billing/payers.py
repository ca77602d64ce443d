"""Who pays: the one place that knows whether a subscription belongs to a user
or to a team.

@IF(!teams)@Each user pays for themselves: the payer is the logged-in user.
@IF(teams)@The team pays (the teams module), so every member shares its plan. Its
@IF(teams)@billing pages live under /billing/t/<slug>/; members see them, and admins
@IF(teams)@and owners subscribe and manage.

dj-stripe links each Stripe customer to its payer (DJSTRIPE_SUBSCRIBER_MODEL,
the user model unless settings say otherwise).
"""

@IF(teams)@import logging
from functools import wraps

@IF(teams)@import stripe
@IF(!teams)@from django.contrib.auth.decorators import login_required
@IF(teams)@from django.db import transaction
@IF(!teams)@from django.db.models.signals import pre_delete
@IF(teams)@from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.http import HttpRequest
from djstripe.settings import djstripe_settings
@IF(teams)@
@IF(teams)@from ..teams.decorators import team_required
@IF(teams)@from ..teams.models import Membership, Role, Team
@IF(teams)@
@IF(teams)@logger = logging.getLogger(__name__)


def current_payer(request: HttpRequest):
@IF(!teams)@    """The payer of the page being shown, or None when nobody is logged in."""
@BEGIN(teams)@
    """The payer of the page being shown: its team (set by the teams app's
    decorator or mixin), or None on a page that belongs to no team."""
@END(teams)@
@IF(!teams)@    return request.user if request.user.is_authenticated else None
@IF(teams)@    return getattr(request, "team", None)


def can_manage(request: HttpRequest) -> bool:
    """Whether the visitor may subscribe, change plan or cancel for the payer."""
@IF(!teams)@    return request.user.is_authenticated
@IF(teams)@    membership = getattr(request, "membership", None)
@IF(teams)@    return membership is not None and membership.has_role(Role.ADMIN)


def payer_kwargs(request: HttpRequest) -> dict[str, str]:
    """The URL arguments of the payer's billing pages."""
@IF(!teams)@    return {}
@IF(teams)@    return {"slug": request.team.slug}


def quantity_for(payer, price) -> int:
@IF(!teams)@    """How many of `price` the payer subscribes to: one."""
@BEGIN(teams)@
    """How many of `price` the team subscribes to: one, or one per member for a
    price marked per seat (metadata per_seat=true on the price in Stripe's
    dashboard), which sync_seats keeps up to date."""
@END(teams)@
@IF(!teams)@    return 1
@IF(teams)@    return payer.memberships.count() if _per_seat(price) else 1
@BEGIN(teams)@


def _per_seat(price) -> bool:
    return price is not None and price.metadata.get("per_seat") == "true"
@END(teams)@


def payer_required(manage: bool = False):
    """A view's decorator: only for the payer's people (`manage`: only for those
    who may change its subscription). Sets request.payer."""

    def decorator(view):
        @wraps(view)
        def with_payer(request, *args, **kwargs):
            request.payer = current_payer(request)
            return view(request, *args, **kwargs)

@IF(!teams)@        return login_required(with_payer)
@IF(teams)@        return team_required(Role.ADMIN if manage else Role.MEMBER)(with_payer)

    return decorator


@receiver(pre_delete, sender=djstripe_settings.get_subscriber_model_string())
def _payer_deleted(sender, instance, **kwargs) -> None:
@IF(!teams)@    # A user deleted (in the admin, or by code) stops paying: Stripe would
@IF(teams)@    # A team deleted (in the admin, or by code) stops paying: Stripe would
    # otherwise go on billing someone who is gone. When Stripe cannot be
    # reached, its error stops the deletion, to be tried again.
    from . import stripe_api

    stripe_api.stop_billing(instance)
@BEGIN(teams)@


def sync_seats(team_id: int) -> None:
    """Sets the quantity of the team's per-seat subscription to its number of
    members. A failure is logged (and mailed to ADMINS) rather than raised: the
    change of members stands, and the next change puts the count right."""
    from djstripe.models import SubscriptionItem

    from . import stripe_api
    from .gating import active_subscription

    team = Team.objects.filter(pk=team_id).first()
    subscription = active_subscription(team)
    if subscription is None:
        return
    seats = team.memberships.count()
    for item in SubscriptionItem.objects.filter(subscription=subscription):
        if not _per_seat(item.price) or item.quantity == seats:
            continue
        try:
            stripe_api.set_quantity(item, seats)
        except stripe.StripeError:
            logger.exception("Seats of %s not updated to %s", team, seats)


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _members_changed(sender, instance: Membership, **kwargs) -> None:
    # Once the change is committed: a rolled-back invitation costs nothing.
    transaction.on_commit(lambda: sync_seats(instance.team_id))
@END(teams)@
