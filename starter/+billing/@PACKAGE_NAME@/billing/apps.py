from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Billing: subscriptions paid through Stripe's hosted pages, on dj-stripe.

    Stripe holds the plans, the payment details and the invoices; dj-stripe keeps a
    copy of Stripe's objects in the database, brought up to date by Stripe's
    webhooks. See the module's section of README.md, payers.py for who pays, and
    gating.py for pages only subscribers may see.
    """

    # Works its own name out, so the app can be shared with other projects (git
    # subtree, see README.md) at another import path.
    name = __name__.rpartition(".")[0]
    label = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"
    # A "Pricing" link in the site's header (core/navigation.py).
    nav_links = [("Pricing", "billing:pricing")]

    def ready(self) -> None:
@IF(!teams)@        # A deleted payer stops paying (payers.py).
@IF(teams)@        # A deleted team stops paying, and a per-seat subscription's quantity
@IF(teams)@        # follows the team's members (payers.py).
        from . import payers  # noqa: F401
