"""A payer deleted stops paying: its Stripe customer is deleted, which cancels
its subscriptions at once, and a Stripe failure stops the deletion."""

import pytest
import stripe as stripe_lib
from django.db import transaction
from djstripe.models import Customer

@IF(teams)@from ...teams.models import Role
@IF(teams)@
pytestmark = pytest.mark.django_db


def purged(customer_id: str) -> bool:
    customer = Customer.objects.get(id=customer_id)
    return customer.subscriber is None and customer.date_purged is not None


def test_a_deleted_payer_stops_paying(stripe, payer, subscribe):
    sub = subscribe("active")
    payer.delete()
    assert stripe.deleted() == [f"/v1/customers/{sub['customer']}"]
    assert purged(sub["customer"])


def test_a_payer_who_never_subscribed_is_deleted_without_stripe(stripe, payer):
    payer.delete()
    assert stripe.calls() == 0


def test_a_customer_stripe_no_longer_has_is_no_obstacle(stripe, payer, subscribe):
    sub = subscribe("canceled")
    del stripe.objects[sub["customer"]]  # deleted in Stripe's dashboard
    payer.delete()
    assert stripe.deleted() == [f"/v1/customers/{sub['customer']}"]
    assert purged(sub["customer"])


def test_when_stripe_fails_the_payer_stays(stripe, payer, subscribe):
    sub = subscribe("active")
    # Any error Stripe answers; a 400 here, since stripe-python would retry a
    # 500 after a pause.
    error = {"type": "invalid_request_error", "message": "Try again later"}
    stripe.answer(f"/v1/customers/{sub['customer']}", {"error": error}, status=400)
    with (
        pytest.raises(stripe_lib.StripeError, match="Try again later"),
        transaction.atomic(),
    ):
        payer.delete()
    assert type(payer).objects.filter(pk=payer.pk).exists()
    assert Customer.objects.get(id=sub["customer"]).subscriber == payer
@BEGIN(teams)@


def test_a_member_deleted_leaves_the_teams_subscription_alone(
    stripe, payer, subscribe, member_of, django_capture_on_commit_callbacks
):
    sub = subscribe("active")
    leaving = member_of(payer, Role.ADMIN)
    calls = stripe.calls()
    with django_capture_on_commit_callbacks(execute=True):
        leaving.delete()
    assert stripe.calls() == calls
    assert not purged(sub["customer"])
@END(teams)@
