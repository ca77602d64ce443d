"""Subscribing through Stripe's Checkout, managing in its customer portal, and
the return from Checkout."""

import pytest
@IF(!teams)@from djstripe.models import Customer, Subscription
@IF(teams)@from djstripe.models import Customer, Subscription, SubscriptionItem

@IF(teams)@from ...teams.models import Role
from ..gating import active_subscription
@IF(teams)@from ..payers import sync_seats
from . import stripe_objects
@IF(!teams)@from .conftest import record
@IF(teams)@from .conftest import record, store_price

pytestmark = pytest.mark.django_db


def test_checkout_creates_the_customer_and_sends_the_browser_to_stripe(
    as_manager, stripe, payer, pages, catalogue
):
    customer = stripe_objects.customer(payer)
    stripe.answer("/v1/customers", customer)
    session = stripe_objects.checkout_session(customer, None)
    stripe.answer("/v1/checkout/sessions", session)

    response = as_manager.post(f"{pages['checkout']}{catalogue['id']}/")

    assert response.status_code == 303
    assert response["Location"] == session["url"]
    [created] = stripe.posted("/v1/customers")
    assert created["email"] == payer.email
    assert created["metadata[djstripe_subscriber]"] == str(payer.pk)
    assert Customer.objects.get(subscriber=payer).id == customer["id"]
    [asked] = stripe.posted("/v1/checkout/sessions")
    assert asked["mode"] == "subscription"
    assert asked["customer"] == customer["id"]
    assert asked["line_items[0][price]"] == catalogue["id"]
    assert asked["line_items[0][quantity]"] == "1"
    assert asked["success_url"] == (
        f"http://testserver{pages['subscribed']}?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert asked["cancel_url"] == f"http://testserver{pages['home']}"
    assert "subscription_data[trial_period_days]" not in asked


def test_checkout_reuses_the_customer_and_offers_the_trial(
    as_manager, stripe, payer, pages, catalogue, settings
):
    settings.BILLING_TRIAL_DAYS = 14
    customer = stripe_objects.customer(payer)
    record(Customer, customer)
    stripe.answer(
        "/v1/checkout/sessions", stripe_objects.checkout_session(customer, None)
    )

    assert as_manager.post(f"{pages['checkout']}{catalogue['id']}/").status_code == 303

    assert stripe.posted("/v1/customers") == []
    [asked] = stripe.posted("/v1/checkout/sessions")
    assert asked["subscription_data[trial_period_days]"] == "14"


def test_checkout_refuses_a_price_not_on_offer(as_manager, stripe, pages, catalogue):
    calls = stripe.calls()
    assert as_manager.post(f"{pages['checkout']}price_unknown/").status_code == 404
    assert as_manager.get(f"{pages['checkout']}{catalogue['id']}/").status_code == 405
    assert stripe.calls() == calls


def test_checkout_refuses_a_second_subscription(
    as_manager, stripe, pages, subscribe, catalogue
):
    subscribe("active")
    calls = stripe.calls()
    response = as_manager.post(f"{pages['checkout']}{catalogue['id']}/", follow=True)
    assert response.redirect_chain == [(pages["home"], 302)]
    assert "There is a subscription already" in response.content.decode()
    assert stripe.calls() == calls


def test_checkout_explains_when_stripe_fails(
    as_manager, stripe, payer, pages, catalogue
):
    stripe.answer("/v1/customers", stripe_objects.customer(payer))
    stripe.refuse("/v1/checkout/sessions")
    response = as_manager.post(f"{pages['checkout']}{catalogue['id']}/", follow=True)
    assert response.redirect_chain == [(pages["home"], 302)]
    assert "could not be reached" in response.content.decode()


def test_the_portal_is_for_customers(as_manager, stripe, pages, subscribe):
    response = as_manager.post(pages["portal"], follow=True)
    assert "There is nothing to manage yet" in response.content.decode()

    subscribe("active")
    portal = {
        "id": "bps_test1",
        "object": "billing_portal.session",
        "url": "https://billing.stripe.com/p/session/test_1",
    }
    stripe.answer("/v1/billing_portal/sessions", portal)
    response = as_manager.post(pages["portal"])
    assert response.status_code == 303
    assert response["Location"] == portal["url"]
    [asked] = stripe.posted("/v1/billing_portal/sessions")
    assert asked["return_url"] == f"http://testserver{pages['home']}"

    stripe.refuse("/v1/billing_portal/sessions")
    response = as_manager.post(pages["portal"], follow=True)
    assert "could not be reached" in response.content.decode()


def test_the_return_from_checkout_records_the_subscription(
    as_manager, stripe, payer, pages, catalogue
):
    customer = stripe_objects.customer(payer)
    stripe.store(customer)
    record(Customer, customer)
    sub = stripe_objects.subscription(customer, catalogue, "trialing")
    session = stripe_objects.checkout_session(customer, sub)
    stripe.store(session)

    response = as_manager.get(
        f"{pages['subscribed']}?session_id={session['id']}", follow=True
    )

    assert response.redirect_chain == [(pages["home"], 302)]
    assert "Thank you: the subscription has started." in response.content.decode()
    assert active_subscription(payer).id == sub["id"]


def test_the_return_from_checkout_ignores_what_is_not_the_payers(
    as_manager, stripe, payer, pages, catalogue
):
    customer = stripe_objects.customer(payer)
    stripe.store(customer)
    calls = stripe.calls()
    # No customer yet, or no session id: nothing to look up.
    assert as_manager.get(f"{pages['subscribed']}?session_id=cs_x").status_code == 302
    record(Customer, customer)
    assert as_manager.get(pages["subscribed"]).status_code == 302
    assert stripe.calls() == calls

    someone_else = stripe_objects.customer(payer, id="cus_someone_else")
    sub = stripe_objects.subscription(someone_else, catalogue)
    theirs = stripe_objects.checkout_session(someone_else, sub)
    unpaid = stripe_objects.checkout_session(customer, None)
    stripe.store(theirs, unpaid)
    for session in (theirs, unpaid):
        response = as_manager.get(
            f"{pages['subscribed']}?session_id={session['id']}", follow=True
        )
        assert "Thank you" not in response.content.decode()
    assert not Subscription.objects.exists()

    response = as_manager.get(
        f"{pages['subscribed']}?session_id=cs_test_gone", follow=True
    )
    assert "could not be reached" in response.content.decode()
@BEGIN(teams)@


@pytest.fixture
def per_seat(stripe) -> dict:
    """A price per seat: metadata per_seat=true, set in Stripe's dashboard."""
    price = stripe_objects.price(
        stripe_objects.product(), metadata={"per_seat": "true"}
    )
    store_price(stripe, price)
    return price


def test_a_per_seat_price_is_paid_for_each_member(
    as_manager, stripe, payer, pages, per_seat, member_of
):
    member_of(payer)
    member_of(payer, Role.ADMIN)
    customer = stripe_objects.customer(payer)
    stripe.answer("/v1/customers", customer)
    stripe.answer(
        "/v1/checkout/sessions", stripe_objects.checkout_session(customer, None)
    )

    as_manager.post(f"{pages['checkout']}{per_seat['id']}/")

    [asked] = stripe.posted("/v1/checkout/sessions")
    assert asked["line_items[0][quantity]"] == "3"


def test_seats_follow_the_members(
    stripe, payer, subscribe, per_seat, member_of, django_capture_on_commit_callbacks
):
    sub = subscribe("active", price=per_seat)
    item = sub["items"]["data"][0]
    path = f"/v1/subscription_items/{item['id']}"
    sync_seats(payer.pk)  # one member, one seat already
    assert stripe.posted(path) == []
    stripe.answer(path, {**item, "quantity": 2})
    with django_capture_on_commit_callbacks(execute=True):
        joined = member_of(payer)
    assert [asked["quantity"] for asked in stripe.posted(path)] == ["2"]
    assert SubscriptionItem.objects.get(id=item["id"]).quantity == 2

    stripe.answer(path, {**item, "quantity": 1})
    with django_capture_on_commit_callbacks(execute=True):
        payer.memberships.get(user=joined).delete()
    assert [asked["quantity"] for asked in stripe.posted(path)] == ["2", "1"]
    assert SubscriptionItem.objects.get(id=item["id"]).quantity == 1


def test_seats_leave_a_flat_price_and_an_unchanged_count_alone(
    stripe,
    payer,
    subscribe,
    catalogue,
    per_seat,
    member_of,
    django_capture_on_commit_callbacks,
):
    subscribe("active", price=catalogue)
    calls = stripe.calls()
    with django_capture_on_commit_callbacks(execute=True):
        member_of(payer)
    assert stripe.calls() == calls


def test_seats_without_a_subscription_call_nobody(
    stripe, payer, member_of, django_capture_on_commit_callbacks
):
    calls = stripe.calls()
    with django_capture_on_commit_callbacks(execute=True):
        member_of(payer)
    assert stripe.calls() == calls


def test_a_failed_seat_update_is_logged_and_the_member_stays(
    stripe,
    payer,
    subscribe,
    per_seat,
    member_of,
    django_capture_on_commit_callbacks,
    caplog,
):
    sub = subscribe("active", price=per_seat)
    stripe.refuse(f"/v1/subscription_items/{sub['items']['data'][0]['id']}")
    with django_capture_on_commit_callbacks(execute=True):
        joined = member_of(payer)
    assert payer.memberships.filter(user=joined).exists()
    assert "Seats of Acme not updated to 2" in caplog.text


def test_a_team_is_billed_at_its_first_owners_address(payer, manager, member_of):
    member_of(payer, Role.OWNER)
    assert payer.email == manager.email
    payer.memberships.all().delete()
    assert payer.email == ""
@END(teams)@
