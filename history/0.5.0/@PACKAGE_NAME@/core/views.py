import logging

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape
from django.views.generic import TemplateView

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    template_name = "core/home.html"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page links; send them to the
    static file, whose hashed name WhiteNoise lets them cache for a year."""
    return HttpResponseRedirect(static("favicon.ico"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    """The 400 page (config.urls.handler400).

    Django renders it without the request, whose host may be what is wrong with it,
    so context processors do not run; this gives the page the site's name.
    """
    html = render_to_string("400.html", {"site_name": settings.SITE_NAME})
    return HttpResponseBadRequest(html)


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """The 500 page (config.urls.handler500).

    Something has already failed, so the page asks as little as it can of the
    rest of the site: no context processors, database or layout, only its own
    template and the site's name from settings. Should even that fail, a plain
    page says the same, and the failure is logged.
    """
    try:
        html = render_to_string("500.html", {"site_name": settings.SITE_NAME})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        html = (
            "<!doctype html><title>Server error</title>"
            f"<h1>Something went wrong</h1><p>{escape(settings.SITE_NAME)}</p>"
        )
    return HttpResponseServerError(html)
