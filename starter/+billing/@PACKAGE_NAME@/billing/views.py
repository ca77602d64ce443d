"""The billing pages: the public pricing page, and each payer's billing page,
from which its admins go to Stripe's Checkout to subscribe and to Stripe's
customer portal to change plan, cancel or update the card."""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from djstripe.models import Price, SubscriptionItem

from . import stripe_api
from .gating import active_subscription
from .payers import can_manage, payer_kwargs, payer_required, quantity_for

logger = logging.getLogger(__name__)


def _prices():
    """The prices a payer can subscribe to: the active recurring prices of
    active products, in the mode in use (synced from Stripe, README.md)."""
    return (
        Price.objects.filter(
            active=True,
            stripe_data__type="recurring",
            product__active=True,
            livemode=settings.STRIPE_LIVE_MODE,
        )
        .select_related("product")
        .order_by("product__name", "stripe_data__unit_amount")
    )


def _page(request: HttpRequest, name: str) -> str:
    """The path of the payer's billing page `name` (home, subscribed, ...)."""
    return reverse(f"billing:{name}", kwargs=payer_kwargs(request))


def _absolute(request: HttpRequest, name: str) -> str:
    """The same on the site's address, for Stripe to send the browser back to."""
    return settings.SITE_URL + _page(request, name)


def _to_stripe(url: str) -> HttpResponseRedirect:
    # 303: the browser follows a POST's answer with a GET.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _stripe_failed(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.error("Stripe refused or could not be reached: %s", error)
    messages.error(
        request, "The payment provider could not be reached. Please try again."
    )
    return redirect(_page(request, "home"))


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    context = {"prices": _prices()}
@BEGIN(teams)@
    if request.user.is_authenticated:
        # Each of the user's teams has a plan of its own, chosen on its page.
        memberships = request.user.team_memberships.select_related("team")
        context["teams"] = [
            (membership.team, active_subscription(membership.team))
            for membership in memberships
        ]
@END(teams)@
    return render(request, "billing/pricing.html", context)


@require_GET
@payer_required()
def home(request: HttpRequest, **kwargs) -> HttpResponse:
    subscription = active_subscription(request.payer)
    item = (
        SubscriptionItem.objects.filter(subscription=subscription)
        .select_related("price__product")
        .first()
    )
    return render(
        request,
        "billing/home.html",
        {
            "payer_subscription": subscription,
            "plan": item.price if item else None,
            "prices": () if subscription else _prices(),
            "can_manage": can_manage(request),
        },
    )


@require_POST
@payer_required(manage=True)
def checkout(request: HttpRequest, price_id: str, **kwargs) -> HttpResponse:
    price = get_object_or_404(_prices(), id=price_id)
    if active_subscription(request.payer) is not None:
        # One subscription per payer: a second one would be charged as well.
        messages.info(request, "There is a subscription already; change plan here.")
        return redirect(_page(request, "home"))
    try:
        url = stripe_api.checkout_url(
            stripe_api.customer_for(request.payer),
            price,
            quantity_for(request.payer, price),
            success_url=_absolute(request, "subscribed"),
            cancel_url=_absolute(request, "home"),
            trial_days=settings.BILLING_TRIAL_DAYS,
        )
    except stripe.StripeError as error:
        return _stripe_failed(request, error)
    return _to_stripe(url)


@require_POST
@payer_required(manage=True)
def portal(request: HttpRequest, **kwargs) -> HttpResponse:
    customer = stripe_api.existing_customer(request.payer)
    if customer is None:
        messages.info(request, "There is nothing to manage yet: choose a plan first.")
        return redirect(_page(request, "home"))
    try:
        url = stripe_api.portal_url(customer, _absolute(request, "home"))
    except stripe.StripeError as error:
        return _stripe_failed(request, error)
    return _to_stripe(url)


@require_GET
@payer_required()
def subscribed(request: HttpRequest, **kwargs) -> HttpResponse:
    """Where Checkout returns: records the new subscription at once rather than
    waiting for its webhook, so the page shows it."""
    customer = stripe_api.existing_customer(request.payer)
    session_id = request.GET.get("session_id", "")
    if customer is None or not session_id.startswith("cs_"):
        return redirect(_page(request, "home"))
    try:
        recorded = stripe_api.record_checkout(session_id, customer)
    except stripe.StripeError as error:
        return _stripe_failed(request, error)
    if recorded is not None:
        messages.success(request, "Thank you: the subscription has started.")
    return redirect(_page(request, "home"))
