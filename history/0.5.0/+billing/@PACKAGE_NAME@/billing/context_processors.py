"""{{ subscription }} in every template: the active subscription of the page's
payer (gating.active_subscription), looked up only if a template asks."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .gating import active_subscription
from .payers import current_payer


def subscription(request: HttpRequest) -> dict[str, object]:
    return {
        "subscription": SimpleLazyObject(
            lambda: active_subscription(current_payer(request))
        )
    }
