"""Pages for subscribers only, and the question behind them: does this payer
(payers.py) have a subscription that is active or in its free trial?

    @subscription_required
    def reports(request): ...

    class ReportList(SubscriptionRequiredMixin, ListView): ...

@IF(teams)@On a team's page, put the team's decorator or mixin first, so that the team
@IF(teams)@is known when the subscription is checked:
@IF(teams)@
@IF(teams)@    @team_required()
@IF(teams)@    @subscription_required
@IF(teams)@    def reports(request, slug): ...
@IF(teams)@
@IF(teams)@    class ReportList(TeamRequiredMixin, SubscriptionRequiredMixin, ListView): ...
@IF(teams)@
Everyone else is sent to the pricing page. Templates have the payer's
subscription as {{ subscription }} (context_processors.py), None without one.

Stripe's statuses "active" and "trialing" count. A subscription whose payment
failed is "past_due" while Stripe retries the card, and loses access at once;
add "past_due" to ACTIVE to keep it during the retries.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from djstripe.models import Subscription

from .payers import current_payer

ACTIVE = ["active", "trialing"]


def active_subscription(payer) -> Subscription | None:
    """The payer's newest active or trialing subscription, in the mode in use."""
    if payer is None:
        return None
    return (
        Subscription.objects.filter(
            customer__subscriber=payer,
            livemode=settings.STRIPE_LIVE_MODE,
            # dj-stripe keeps most of Stripe's fields in its stripe_data.
            stripe_data__status__in=ACTIVE,
        )
        .order_by("-created")
        .first()
    )


def _refused(request):
    messages.info(request, "That page is for subscribers. Choose a plan to go on.")
    return redirect("billing:pricing")


def subscription_required(view):
    """A view's decorator: the view runs only for a payer with an active
    subscription."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if active_subscription(current_payer(request)) is None:
            return _refused(request)
        return view(request, *args, **kwargs)

    return wrapped


class SubscriptionRequiredMixin:
    """The same for class-based views."""

    def dispatch(self, request, *args, **kwargs):
        if active_subscription(current_payer(request)) is None:
            return _refused(request)
        return super().dispatch(request, *args, **kwargs)
