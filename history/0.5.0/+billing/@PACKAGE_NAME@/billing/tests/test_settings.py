"""Production refuses to start without what billing needs, each in one line."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ...core.tests.test_settings import PRODUCTION, load_settings  # noqa: F401


def test_production_takes_live_payments_with_live_keys(load_settings):  # noqa: F811
    settings = load_settings("production", **PRODUCTION)
    assert settings.STRIPE_LIVE_MODE is True
    assert PRODUCTION["STRIPE_LIVE_SECRET_KEY"] == settings.STRIPE_LIVE_SECRET_KEY
    assert PRODUCTION["STRIPE_WEBHOOK_SECRET"] == settings.STRIPE_WEBHOOK_SECRET
    assert (
        "https://checkout.stripe.com"
        in (settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"])
    )


@pytest.mark.parametrize(
    "key", ["", "sk_live_short", "sk_test_" + "0" * 24, "pk_live_" + "0" * 24]
)
def test_production_needs_a_live_secret_key(load_settings, key):  # noqa: F811
    variables = {**PRODUCTION, "STRIPE_LIVE_SECRET_KEY": key}
    with pytest.raises(
        ImproperlyConfigured, match=r"^Set the STRIPE_LIVE_SECRET_KEY .*sk_live_"
    ):
        load_settings("production", **variables)


def test_a_staging_site_takes_test_payments(load_settings):  # noqa: F811
    variables = {**PRODUCTION, "STRIPE_LIVE_MODE": "False"}
    with pytest.raises(ImproperlyConfigured, match=r"^Set the STRIPE_TEST_SECRET_KEY "):
        load_settings("production", **variables)
    variables["STRIPE_TEST_SECRET_KEY"] = "rk_test_" + "0" * 24
    assert load_settings("production", **variables).STRIPE_LIVE_MODE is False


@pytest.mark.parametrize("secret", ["", "0123456789"])
def test_production_needs_the_webhook_secret(load_settings, secret):  # noqa: F811
    variables = {**PRODUCTION, "STRIPE_WEBHOOK_SECRET": secret}
    with pytest.raises(
        ImproperlyConfigured, match=r"^Set the STRIPE_WEBHOOK_SECRET .*whsec_"
    ):
        load_settings("production", **variables)


def test_development_is_in_test_mode(load_settings):  # noqa: F811
    assert load_settings("local", DJANGO_SECRET_KEY="x" * 50).STRIPE_LIVE_MODE is False
