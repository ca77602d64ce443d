from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.generic import TemplateView


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
