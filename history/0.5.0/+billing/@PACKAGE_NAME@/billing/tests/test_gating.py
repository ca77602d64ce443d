"""Pages for subscribers only: the decorator, the mixin, and {{ subscription }}."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.views import View

from ..context_processors import subscription
from ..gating import SubscriptionRequiredMixin, subscription_required

pytestmark = pytest.mark.django_db


@subscription_required
def report(request):
    return HttpResponse("the report")


class ReportView(SubscriptionRequiredMixin, View):
    def get(self, request):
        return HttpResponse("the report")


@pytest.fixture
def ask(payer, manager):
@IF(!teams)@    """`ask(view, user=manager)`: the view's answer to `user`."""
@IF(teams)@    """`ask(view, user=manager, team=payer)`: the view's answer to `user` on a
@IF(teams)@    page of `team` (None: a page that belongs to no team)."""

@IF(!teams)@    def answer(view, user=manager):
@IF(teams)@    def answer(view, user=manager, team=payer):
        request = RequestFactory().get("/reports/")
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
@IF(teams)@        if team is not None:
@IF(teams)@            request.team = team
        return view(request)

    return answer


@pytest.mark.parametrize("view", [report, ReportView.as_view()])
@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("active", True),
        ("trialing", True),
        ("past_due", False),
        ("canceled", False),
        ("unpaid", False),
        ("incomplete", False),
    ],
)
def test_only_an_active_or_trialing_subscription_opens_the_page(
    ask, subscribe, view, status, allowed
):
    subscribe(status)
    response = ask(view)
    if allowed:
        assert response.content == b"the report"
    else:
        assert response.status_code == 302
        assert response["Location"] == "/billing/pricing/"


@pytest.mark.parametrize("view", [report, ReportView.as_view()])
def test_without_a_subscription_the_page_sends_to_pricing(ask, view):
    response = ask(view)
    assert response.status_code == 302
    assert response["Location"] == "/billing/pricing/"


def test_a_subscription_in_the_other_mode_does_not_count(ask, subscribe, settings):
    subscribe("active")
    settings.STRIPE_LIVE_MODE = True
    assert ask(report).status_code == 302


def test_visitors_are_sent_to_pricing(ask):
    assert ask(report, AnonymousUser())["Location"] == "/billing/pricing/"
@IF(teams)@    assert ask(report, team=None)["Location"] == "/billing/pricing/"


def test_templates_know_the_subscription(rf, payer, manager, subscribe):
    request = rf.get("/")
    request.user = manager
@IF(teams)@    request.team = payer
    template = Template(
        "{% if subscription %}{{ subscription.status }}{% else %}none{% endif %}"
    )
    assert template.render(Context(subscription(request))) == "none"
    subscribe("trialing")
    assert template.render(Context(subscription(request))) == "trialing"
