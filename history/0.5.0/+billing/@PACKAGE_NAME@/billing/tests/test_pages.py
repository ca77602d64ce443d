"""The pricing page and the payer's billing page."""

import pytest
from djstripe.models import SubscriptionItem

@IF(teams)@from ...teams.models import Role, Team
from . import stripe_objects
from .conftest import store_price

pytestmark = pytest.mark.django_db


def test_pricing_lists_the_active_recurring_prices_to_everyone(
    client, stripe, catalogue
):
    retired = stripe_objects.product(name="Legacy", active=False)
    store_price(stripe, stripe_objects.price(retired), retired)
    store_price(stripe, stripe_objects.price(stripe_objects.product(), active=False))
    one_off = stripe_objects.product(name="Set-up help")
    store_price(
        stripe, stripe_objects.price(one_off, type="one_time", recurring=None), one_off
    )

    page = client.get("/billing/pricing/").content.decode()

    assert "Pro" in page
    assert "$29.00 USD/month" in page
    assert "Everything a small team needs." in page
    assert "Legacy" not in page
    assert "Set-up help" not in page
    assert page.count('class="price"') == 1
    # Visitors are asked to sign up; nobody can subscribe from here.
    assert "/accounts/signup/" in page
    assert "Subscribe</button>" not in page


def test_pricing_says_when_nothing_is_on_offer(client):
    assert (
        "No plans are on offer yet." in client.get("/billing/pricing/").content.decode()
    )


def test_pricing_is_in_the_header(client):
    assert 'href="/billing/pricing/"' in client.get("/").content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_pages_that_show_refuse_other_methods(as_manager, pages, method):
    assert getattr(as_manager, method)("/billing/pricing/").status_code == 405
    assert getattr(as_manager, method)(pages["home"]).status_code == 405
    assert getattr(as_manager, method)(pages["subscribed"]).status_code == 405


def test_billing_pages_need_a_log_in(client, payer, pages):
    for page in (pages["home"], pages["subscribed"]):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    for page in (pages["portal"], pages["checkout"] + "price_x/"):
        response = client.post(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_home_offers_the_prices_until_there_is_a_subscription(
    as_manager, pages, catalogue
):
    page = as_manager.get(pages["home"]).content.decode()
    assert "No subscription yet." in page
    assert f'action="{pages["checkout"]}{catalogue["id"]}/"' in page
    assert f'action="{pages["portal"]}"' in page


def test_home_shows_the_plan(as_manager, pages, subscribe):
    subscribe("active")
    page = as_manager.get(pages["home"]).content.decode()
    assert "Plan: Pro, $29.00 USD/month." in page
    assert "Free trial" not in page
    assert "Cancelled" not in page
    assert "Subscribe</button>" not in page
    assert f'action="{pages["portal"]}"' in page


def test_home_shows_a_trial_and_a_cancellation(as_manager, pages, subscribe):
    subscribe("trialing", cancel_at_period_end=True)
    page = as_manager.get(pages["home"]).content.decode()
    assert "Free trial until Jan. 6, 2027." in page
    assert "Cancelled: it ends with the period already paid for." in page


def test_home_without_a_plan_item_still_shows_the_subscription(
    as_manager, pages, subscribe
):
    sub = subscribe("active")
    SubscriptionItem.objects.filter(subscription__id=sub["id"]).delete()
    assert "Plan: a subscription." in as_manager.get(pages["home"]).content.decode()
@BEGIN(!teams)@


def test_pricing_sends_a_user_to_their_billing_page(as_manager):
    page = as_manager.get("/billing/pricing/").content.decode()
    assert 'href="/billing/"' in page
    assert "/accounts/signup/" not in page
@END(!teams)@
@BEGIN(teams)@


def test_pricing_lists_the_users_teams_with_their_plans(
    as_manager, manager, payer, subscribe
):
    other = Team.create("Other", owner=manager)
    subscribe("trialing")
    page = as_manager.get("/billing/pricing/").content.decode()
    assert f'href="/billing/t/{payer.slug}/">Acme</a>:\n          trialing' in page
    assert f'href="/billing/t/{other.slug}/">Other</a>:\n          no plan' in page


def test_a_member_sees_the_plan_and_cannot_change_it(
    client, payer, member_of, pages, catalogue
):
    client.force_login(member_of(payer, Role.MEMBER))
    page = client.get(pages["home"]).content.decode()
    assert "The team's admins and owners choose and manage its plan." in page
    assert "Subscribe</button>" not in page
    assert 'href="/billing/t/acme/"' in page  # the team's menu
    assert client.post(pages["portal"]).status_code == 403
    assert client.post(f"{pages['checkout']}{catalogue['id']}/").status_code == 403


def test_an_admin_manages_the_plan(client, payer, member_of, pages):
    client.force_login(member_of(payer, Role.ADMIN))
    assert f'action="{pages["portal"]}"' in client.get(pages["home"]).content.decode()


def test_other_teams_billing_is_not_found(client, payer, member, pages, user_factory):
    client.force_login(user_factory())
    assert client.get(pages["home"]).status_code == 404
    assert client.post(pages["portal"]).status_code == 404
@END(teams)@
