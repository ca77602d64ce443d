"""Stripe's webhooks: signed as Stripe signs them, refused when the signature
is wrong, logged every time, processed once, and the life of a subscription
from Checkout to cancellation as its events tell it."""

import time

import pytest
from djstripe.models import Event, WebhookEventTrigger

from ..gating import active_subscription
from . import stripe_objects
from .conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/billing/webhook/"


def deliver(client, event: dict, secret: str = WEBHOOK_SECRET, **headers):
    payload = stripe_objects.body(event)
    headers.setdefault("Stripe-Signature", stripe_objects.signature(payload, secret))
    return client.post(URL, payload, content_type="application/json", headers=headers)


@pytest.fixture
def customer(stripe, payer) -> dict:
    customer = stripe_objects.customer(payer)
    stripe.store(customer)
    return customer


def test_a_signed_event_is_logged_and_processed(client, stripe, customer):
    event = stripe_objects.event("customer.updated", customer)
    response = deliver(client, event)
    assert response.status_code == 200
    trigger = WebhookEventTrigger.objects.get()
    assert trigger.valid
    assert trigger.processed
    assert trigger.event.id == event["id"]
    assert trigger.remote_ip == "127.0.0.1"


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=0000",
        # Signed with another secret.
        stripe_objects.signature("{}", "whsec_other"),
    ],
)
def test_a_bad_signature_is_refused_and_logged(client, stripe, customer, signature):
    event = stripe_objects.event("customer.updated", customer)
    calls = stripe.calls()
    response = deliver(client, event, **{"Stripe-Signature": signature})
    assert response.status_code == 400
    trigger = WebhookEventTrigger.objects.get()
    assert not trigger.valid
    assert not trigger.processed
    assert not Event.objects.exists()
    assert stripe.calls() == calls


def test_a_request_without_a_signature_is_refused_unrecorded(client, stripe, customer):
    event = stripe_objects.event("customer.updated", customer)
    response = deliver(client, event, **{"Stripe-Signature": ""})
    assert response.status_code == 400
    assert not WebhookEventTrigger.objects.exists()


def test_a_replayed_signature_is_refused(client, stripe, customer):
    event = stripe_objects.event("customer.updated", customer)
    payload = stripe_objects.body(event)
    old = stripe_objects.signature(payload, WEBHOOK_SECRET, int(time.time()) - 600)
    assert deliver(client, event, **{"Stripe-Signature": old}).status_code == 400


def test_a_site_without_a_webhook_secret_refuses_every_event(
    client, stripe, customer, settings, caplog
):
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = stripe_objects.event("customer.updated", customer)
    # Signed with the empty secret, which anybody could do.
    assert deliver(client, event, secret="").status_code == 400
    assert "STRIPE_WEBHOOK_SECRET is not set" in caplog.text
    assert not WebhookEventTrigger.objects.get().valid


def test_only_posts(client):
    assert client.get(URL).status_code == 405


def test_an_event_delivered_twice_is_processed_once(client, stripe, customer):
    event = stripe_objects.event("customer.updated", customer)
    assert deliver(client, event).status_code == 200
    calls = stripe.calls()
    assert deliver(client, event).status_code == 200
    assert WebhookEventTrigger.objects.count() == 2
    assert Event.objects.count() == 1
    assert stripe.calls() == calls


def test_a_failed_event_is_logged_and_answered_500_for_stripe_to_retry(
    client, stripe, payer
):
    # The customer is not at Stripe: dj-stripe's look-up fails.
    missing = stripe_objects.customer(payer)
    event = stripe_objects.event("customer.updated", missing)
    response = deliver(client, event)
    assert response.status_code == 500
    trigger = WebhookEventTrigger.objects.get()
    assert trigger.valid
    assert not trigger.processed
    assert f"No such customer: '{missing['id']}'" in trigger.exception
    assert "Traceback" in trigger.traceback
    assert not Event.objects.exists()


def test_the_life_of_a_subscription(client, stripe, payer, customer, catalogue):
    def accepted(kind: str, obj: dict) -> bool:
        """Whether Stripe's event `kind` about `obj` is answered 200."""
        return deliver(client, stripe_objects.event(kind, obj)).status_code == 200

    sub = stripe_objects.subscription(customer, catalogue, "trialing")
    stripe.store(sub)

    session = stripe_objects.checkout_session(customer, sub["id"])
    assert accepted("checkout.session.completed", session)
    assert accepted("customer.subscription.created", sub)
    assert active_subscription(payer).status == "trialing"

    assert accepted("customer.subscription.trial_will_end", sub)
    sub.update(status="active", trial_end=None)
    assert accepted("customer.subscription.updated", sub)
    assert active_subscription(payer).status == "active"

    bill = stripe_objects.invoice(customer, sub)
    stripe.store(bill)
    assert accepted("invoice.payment_failed", bill)
    sub.update(status="past_due")
    assert accepted("customer.subscription.updated", sub)
    assert active_subscription(payer) is None

    sub.update(status="active")
    assert accepted("customer.subscription.updated", sub)
    assert active_subscription(payer) is not None

    sub.update(
        status="canceled", ended_at=stripe_objects.NOW, canceled_at=stripe_objects.NOW
    )
    assert accepted("customer.subscription.deleted", sub)
    assert active_subscription(payer) is None
    assert WebhookEventTrigger.objects.filter(valid=True, processed=True).count() == 8
