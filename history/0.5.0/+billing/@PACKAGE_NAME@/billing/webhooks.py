"""Stripe's webhooks, at /billing/webhook/: how subscriptions started, renewed,
changed, failed or cancelled reach the database.

Every request that carries Stripe's signature header is kept as dj-stripe's
WebhookEventTrigger (the admin lists them, with the error of any that failed).
Only one whose signature matches STRIPE_WEBHOOK_SECRET is processed, by
dj-stripe, which stores the event and brings its objects up to date from
Stripe's API. Processing is idempotent: Stripe may deliver an event twice, and
the second delivery changes nothing. A failure answers 500, so Stripe delivers
the event again later.
"""

import logging
from traceback import format_exc

import stripe
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from djstripe.models import WebhookEventTrigger
from djstripe.settings import djstripe_settings

logger = logging.getLogger(__name__)

# Seconds a signature stays valid: Stripe's own libraries' default, which
# refuses a request recorded and replayed later.
TOLERANCE = 300


# Stripe cannot send a CSRF token: the signature takes its place. Not in the
# request's transaction (ATOMIC_REQUESTS): a failed event must still be logged.
@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    if not signature:
        # Not from Stripe at all: refused without a row, so that anyone posting
        # here cannot fill the table.
        logger.warning("Stripe webhook refused: no Stripe-Signature header")
        return HttpResponseBadRequest("No signature.")
    body = request.body.decode("utf-8", errors="replace")
    trigger = WebhookEventTrigger.objects.create(
        headers=dict(request.headers),
        body=body,
        # The client's address as the log-in limits see it (proxy settings).
        remote_ip=get_adapter(request).get_client_ip(request),
    )
    try:
        if not settings.STRIPE_WEBHOOK_SECRET:
            # An empty key would accept a signature anyone can compute.
            raise stripe.SignatureVerificationError(
                "STRIPE_WEBHOOK_SECRET is not set", signature
            )
        stripe.WebhookSignature.verify_header(
            body, signature, settings.STRIPE_WEBHOOK_SECRET, TOLERANCE
        )
    except stripe.SignatureVerificationError as error:
        logger.warning("Stripe webhook %s refused: %s", trigger.pk, error)
        return HttpResponseBadRequest("Bad signature.")
    trigger.valid = True
    try:
        with transaction.atomic():
            trigger.process(save=False, api_key=djstripe_settings.STRIPE_SECRET_KEY)
    except Exception as error:
        trigger.exception = str(error)[:128]
        trigger.traceback = format_exc()
        trigger.save()
        logger.exception("Stripe webhook %s failed", trigger.pk)
        return HttpResponse("Failed; Stripe will retry.", status=500)
    trigger.save()
    return HttpResponse("OK")
