"""Stripe's objects as its API sends them (https://docs.stripe.com/api), cut
down to the fields dj-stripe and this app read, with made-up ids. Each function
takes the fields a test cares about and fills in the rest."""

import hashlib
import hmac
import json
import time
from itertools import count

API_VERSION = "2026-05-27.dahlia"
NOW = 1_798_000_000  # 2026-12-23: fixed, so that objects compare equal
_ids = count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):06d}"


def account() -> dict:
    return {
        "id": "acct_test0123456789",
        "object": "account",
        "business_profile": {"name": "Test Ltd", "url": None},
        "charges_enabled": True,
        "country": "US",
        "default_currency": "usd",
        "details_submitted": True,
        "email": "owner@example.com",
        "metadata": {},
        "payouts_enabled": True,
        "settings": {"dashboard": {"display_name": "Test Ltd", "timezone": "UTC"}},
        "type": "standard",
    }


def product(**fields) -> dict:
    return {
        "id": new_id("prod"),
        "object": "product",
        "active": True,
        "created": NOW,
        "description": "Everything a small team needs.",
        "livemode": False,
        "metadata": {},
        "name": "Pro",
        "type": "service",
        "updated": NOW,
        **fields,
    }


def price(product: dict, **fields) -> dict:
    return {
        "id": new_id("price"),
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": NOW,
        "currency": "usd",
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": product["id"],
        "recurring": {
            "interval": "month",
            "interval_count": 1,
            "usage_type": "licensed",
        },
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring",
        "unit_amount": 2900,
        "unit_amount_decimal": "2900",
        **fields,
    }


def customer(payer, **fields) -> dict:
    return {
        "id": new_id("cus"),
        "object": "customer",
        "balance": 0,
        "created": NOW,
        "currency": "usd",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": payer.email,
        "invoice_prefix": "ABC123",
        "invoice_settings": {"default_payment_method": None},
        "livemode": False,
        # What dj-stripe writes when it creates the customer, and reads back to
        # link it to its payer.
        "metadata": {"djstripe_subscriber": str(payer.pk)},
        "name": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        **fields,
    }


def subscription(customer: dict, price: dict, status="active", **fields) -> dict:
    sub_id = new_id("sub")
    trialing = status == "trialing"
    return {
        "id": sub_id,
        "object": "subscription",
        "billing_cycle_anchor": NOW,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": NOW,
        "currency": "usd",
        "customer": customer["id"],
        "days_until_due": None,
        "default_payment_method": None,
        "discounts": [],
        "ended_at": None,
        "items": {
            "object": "list",
            "data": [subscription_item(sub_id, price, fields.pop("quantity", 1))],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "metadata": {},
        "pending_setup_intent": None,
        "start_date": NOW,
        "status": status,
        "trial_end": NOW + 14 * 86400 if trialing else None,
        "trial_start": NOW if trialing else None,
        **fields,
    }


def subscription_item(subscription_id: str, price: dict, quantity: int = 1) -> dict:
    return {
        "id": new_id("si"),
        "object": "subscription_item",
        "created": NOW,
        "current_period_end": NOW + 30 * 86400,
        "current_period_start": NOW,
        "discounts": [],
        "metadata": {},
        "price": price,
        "quantity": quantity,
        "subscription": subscription_id,
        "tax_rates": [],
    }


def checkout_session(customer: dict, subscription: dict | None, **fields) -> dict:
    return {
        "id": new_id("cs_test"),
        "object": "checkout.session",
        "customer": customer["id"],
        "livemode": False,
        "mode": "subscription",
        "status": "complete" if subscription else "open",
        "subscription": subscription,
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3",
        **fields,
    }


def invoice(customer: dict, subscription: dict, **fields) -> dict:
    return {
        "id": new_id("in"),
        "object": "invoice",
        "amount_due": 2900,
        "amount_paid": 0,
        "amount_remaining": 2900,
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": NOW,
        "currency": "usd",
        "customer": customer["id"],
        "livemode": False,
        "metadata": {},
        "number": "ABC123-0001",
        "paid": False,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription["id"]},
        },
        "period_end": NOW,
        "period_start": NOW,
        "status": "open",
        "subtotal": 2900,
        "total": 2900,
        **fields,
    }


def event(kind: str, obj: dict, **fields) -> dict:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": NOW,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        **fields,
    }


def signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends with `payload`: HMAC-SHA256 of
    "<timestamp>.<payload>" keyed with the endpoint's secret
    (https://docs.stripe.com/webhooks#verify-manually)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def body(obj: dict) -> str:
    return json.dumps(obj)
