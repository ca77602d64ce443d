"""The health check: is this process up, and can it reach its database?"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

# With and without the trailing slash: probes are configured by hand, and a
# redirect would count as a failure to many of them.
HEALTH_CHECK_PATHS = frozenset({"/healthz", "/healthz/"})


def health_check(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a trivial query, 503 when it does not.

    The load balancer or orchestrator stops sending traffic to (or restarts) an
    instance that answers 503; the cause is logged here.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check failed: the database did not answer")
        response = JsonResponse({"status": "error", "database": "error"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    # Every probe must reach this process, never a cache on the way.
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers the health check before any other middleware runs.

    Probes from a load balancer or Docker's HEALTHCHECK address the container by
    its IP or as localhost, over plain HTTP. Answering here, first, means they are
    neither rejected by ALLOWED_HOSTS nor redirected to HTTPS, without weakening
    either for the rest of the site. The response carries no data worth protecting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info in HEALTH_CHECK_PATHS:
            return health_check(request)
        return self.get_response(request)
