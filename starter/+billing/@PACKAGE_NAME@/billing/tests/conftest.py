"""Fixtures for the billing tests: Stripe's API answered offline, and a payer.

`stripe` stands in for api.stripe.com at the HTTP layer (the `responses`
library under stripe-python's requests): a GET of an object the test stored
answers with it, a DELETE deletes it, a POST answers with what the test queued
for its path, and any other request fails the test, so nothing ever leaves the
machine.
@IF(teams)@The teams tests' `member_of(team, role)` makes members in each role.
"""

import json
import re
from urllib.parse import parse_qsl, urlparse

import pytest
import responses
import stripe as stripe_lib
from allauth.account.models import EmailAddress
from djstripe.models import Customer, Price, Subscription

@IF(teams)@from ...teams.models import Team
@IF(teams)@from ...teams.tests.conftest import member_of, membership_factory  # noqa: F401
from . import stripe_objects

API = "https://api.stripe.com"
WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
# Stripe's form: a prefix, then at least 24 letters and digits.
KEY = "sk_test_" + "0123456789abcdefghijklmn"


class FakeStripe:
    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.objects: dict[str, dict] = {}
        self.queued: dict[str, list[tuple[int, dict]]] = {}
        # GET /v1/account: the account the secret key belongs to.
        self.objects["account"] = stripe_objects.account()
        every_path = re.compile(re.escape(API) + r"/v1/.*")
        mock.add_callback(responses.GET, every_path, callback=self._get)
        mock.add_callback(responses.POST, every_path, callback=self._post)
        mock.add_callback(responses.DELETE, every_path, callback=self._delete)

    def store(self, *objects: dict) -> None:
        """Objects that GET /v1/<kind>/<id> returns, as Stripe would."""
        for obj in objects:
            self.objects[obj["id"]] = obj

    def answer(self, path: str, obj: dict, status: int = 200) -> None:
        """What the next POST to `path` (e.g. /v1/customers), or DELETE, answers."""
        self.queued.setdefault(path, []).append((status, obj))

    def refuse(self, path: str) -> None:
        """The next POST to `path` fails as Stripe fails a bad request."""
        error = {"type": "invalid_request_error", "message": "No such price"}
        self.answer(path, {"error": error}, status=400)

    def calls(self) -> int:
        """How many requests were made so far."""
        return len(self.mock.calls)

    def deleted(self) -> list[str]:
        """The paths of the DELETE requests made so far."""
        return [
            urlparse(call.request.url).path
            for call in self.mock.calls
            if call.request.method == "DELETE"
        ]

    def posted(self, path: str) -> list[dict[str, str]]:
        """The form fields of each POST made to `path`."""
        return [
            dict(parse_qsl(call.request.body or ""))
            for call in self.mock.calls
            if call.request.method == "POST" and urlparse(call.request.url).path == path
        ]

    def _next_answer(self, path: str):
        status, obj = self.queued[path].pop(0)
        return status, {}, json.dumps(obj)

    def _get(self, request):
        path = urlparse(request.url).path
        object_id = path.rsplit("/", 1)[-1]
        if object_id not in self.objects:
            return _missing(path)
        return 200, {}, json.dumps(self.objects[object_id])

    def _delete(self, request):
        path = urlparse(request.url).path
        if self.queued.get(path):
            return self._next_answer(path)
        object_id = path.rsplit("/", 1)[-1]
        if object_id not in self.objects:
            return _missing(path)
        kind = self.objects.pop(object_id)["object"]
        return 200, {}, json.dumps({"id": object_id, "object": kind, "deleted": True})

    def _post(self, request):
        path = urlparse(request.url).path
        if not self.queued.get(path):
            raise AssertionError(f"Unexpected call to Stripe: POST {path}")
        return self._next_answer(path)


def _missing(path: str):
    """Stripe's answer for an object it does not have, which names its kind:
    /v1/customers/cus_1 gives "No such customer: 'cus_1'"."""
    parts = path.strip("/").split("/")
    kind = parts[1].removesuffix("s") if len(parts) == 3 else "object"
    error = {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": f"No such {kind}: '{parts[-1]}'",
    }
    return 404, {}, json.dumps({"error": error})


@pytest.fixture(autouse=True)
def _stripe_settings(settings):
    settings.STRIPE_LIVE_MODE = False
    settings.STRIPE_TEST_SECRET_KEY = KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.BILLING_TRIAL_DAYS = 0


@pytest.fixture
def stripe():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeStripe(mock)


@pytest.fixture
def member(user_factory):
    """A user who may log in: their address is confirmed."""
    user = user_factory()
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=True
    )
    return user
@BEGIN(!teams)@


@pytest.fixture
def payer(member):
    """Who pays: here, each user for themselves."""
    return member


@pytest.fixture
def manager(payer):
    """Who may subscribe for the payer, logged in by the `as_manager` client."""
    return payer


@pytest.fixture
def pages() -> dict[str, str]:
    """The payer's billing pages."""
    return {
        "home": "/billing/",
        "portal": "/billing/portal/",
        "subscribed": "/billing/subscribed/",
        "checkout": "/billing/checkout/",
    }
@END(!teams)@
@BEGIN(teams)@


@pytest.fixture
def payer(member):
    """Who pays: a team, here with `member` as its owner."""
    return Team.create("Acme", owner=member)


@pytest.fixture
def manager(member):
    """Who may subscribe for the payer (the team's owner)."""
    return member


@pytest.fixture
def pages(payer) -> dict[str, str]:
    """The payer's billing pages."""
    base = f"/billing/t/{payer.slug}/"
    return {
        "home": base,
        "portal": f"{base}portal/",
        "subscribed": f"{base}subscribed/",
        "checkout": f"{base}checkout/",
    }
@END(teams)@


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def catalogue(stripe) -> dict:
    """A product at $29 a month, at Stripe and in the database, as dj-stripe's
    sync command leaves them. Returns the price."""
    monthly = stripe_objects.price(stripe_objects.product())
    store_price(stripe, monthly)
    return monthly


def store_price(stripe: FakeStripe, price: dict, product: dict | None = None) -> None:
    product = product or stripe_objects.product(id=price["product"])
    stripe.store(product, price)
    record(Price, price)


def record(model, obj: dict):
    """Stores Stripe's `obj` in the database as dj-stripe does with what the API
    answers (nested lists and objects included)."""
    return model.sync_from_stripe_data(
        stripe_lib.StripeObject.construct_from(obj, KEY), api_key=KEY
    )


@pytest.fixture
def subscribe(stripe, catalogue, payer):
    """`subscribe(status="active", **fields)`: the payer's subscription to the
    catalogue's price, at Stripe and in the database. Returns Stripe's object."""
    customer = stripe_objects.customer(payer)

    def make(status="active", price=None, **fields) -> dict:
        stripe.store(customer)
        record(Customer, customer)
        sub = stripe_objects.subscription(
            customer, price or catalogue, status, **fields
        )
        stripe.store(sub)
        record(Subscription, sub)
        return sub

    return make
