"""The calls this app makes to Stripe's API itself (dj-stripe makes the rest):
each with the secret key of the mode in use and the API version dj-stripe
expects, so that what comes back is what dj-stripe can store."""

import stripe
from django.conf import settings
from djstripe.models import (
    Customer,
    Price,
    Subscription,
@IF(teams)@    SubscriptionItem,
)
from djstripe.settings import djstripe_settings


def _options() -> dict[str, str]:
    return {
        "api_key": djstripe_settings.STRIPE_SECRET_KEY,
        "stripe_version": djstripe_settings.STRIPE_API_VERSION,
    }


def customer_for(payer) -> Customer:
    """The payer's Stripe customer, created at Stripe on first use."""
    customer, _created = Customer.get_or_create(
        subscriber=payer, livemode=settings.STRIPE_LIVE_MODE
    )
    return customer


def existing_customer(payer) -> Customer | None:
    return Customer.objects.filter(
        subscriber=payer, livemode=settings.STRIPE_LIVE_MODE
    ).first()


def checkout_url(
    customer: Customer,
    price: Price,
    quantity: int,
    *,
    success_url: str,
    cancel_url: str,
    trial_days: int,
) -> str:
    """A Checkout page where the customer subscribes to `price`."""
    # Stripe takes no trial of zero days: none is no trial asked for.
    trial = (
        {"subscription_data": {"trial_period_days": trial_days}}
        if trial_days > 0
        else {}
    )
    session = stripe.checkout.Session.create(
        mode="subscription",
        customer=customer.id,
        line_items=[{"price": price.id, "quantity": quantity}],
        **trial,
        # Stripe puts the session's id into the URL, so the page it returns to
        # can look the new subscription up at once, before the webhook arrives.
        success_url=success_url + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=cancel_url,
        **_options(),
    )
    return session.url


def portal_url(customer: Customer, return_url: str) -> str:
    """Stripe's customer portal: change plan, cancel, update the card, invoices."""
    session = stripe.billing_portal.Session.create(
        customer=customer.id, return_url=return_url, **_options()
    )
    return session.url


def stop_billing(payer) -> None:
    """Deletes the payer's Stripe customer in the mode in use, which cancels its
    subscriptions at once (dj-stripe's purge: the customer's row stays, marked
    purged and linked to nobody, for the invoices that point to it). A Stripe
    failure is raised."""
    customer = existing_customer(payer)
    if customer is not None:
        customer.purge()


def record_checkout(session_id: str, customer: Customer) -> Subscription | None:
    """The subscription a completed Checkout session made for `customer`,
    recorded in the database; None when the session is not this customer's or
    not (yet) complete."""
    session = stripe.checkout.Session.retrieve(
        session_id, expand=["subscription"], **_options()
    )
    if session.customer != customer.id or session.status != "complete":
        return None
    return Subscription.sync_from_stripe_data(
        session.subscription, api_key=_options()["api_key"]
    )
@BEGIN(teams)@


def set_quantity(item: SubscriptionItem, quantity: int) -> None:
    """Changes how many of a subscription item the customer pays for, prorated
    as Stripe does by default, and records the change."""
    data = stripe.SubscriptionItem.modify(item.id, quantity=quantity, **_options())
    SubscriptionItem.sync_from_stripe_data(data, api_key=_options()["api_key"])
@END(teams)@
