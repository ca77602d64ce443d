"""The header's navigation: what apps put in the header, so that none edits
base.html.

An app lists its links on its AppConfig, as (label, URL name) pairs:

    class BlogConfig(AppConfig):
        nav_links = [("Blog", "blog:index")]

Every page's header shows them, in the order of INSTALLED_APPS. URL names rather
than paths keep an app free of where a project includes its URLs, so the same app
works in every project it is shared with.

An app that needs more than links in the header (a menu, a switcher, a badge)
names a template of its own instead, which the layout includes there with the
page's context (request, user and the rest):

    class ShopConfig(AppConfig):
        header_template = "shop/cart_summary.html"

`manage.py check` reports a URL name that does not resolve and a header template
that does not exist, before a page fails on them.
"""

from collections.abc import Iterator

from django.apps import AppConfig, apps
from django.core import checks
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse


def declared() -> Iterator[tuple[AppConfig, str, str]]:
    """Each installed app's links: (app, label, URL name)."""
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "nav_links", ()):
            yield config, label, url_name


def links(request: HttpRequest) -> list[dict[str, object]]:
    """The links for the page at request.path, the current section marked."""
    found = []
    for _config, label, url_name in declared():
        url = reverse(url_name)
        found.append(
            {"label": label, "url": url, "current": request.path.startswith(url)}
        )
    return found


def header_templates() -> list[str]:
    """The templates that apps add to the header, in the order of INSTALLED_APPS."""
    return [
        config.header_template
        for config in apps.get_app_configs()
        if getattr(config, "header_template", None)
    ]


@checks.register(checks.Tags.templates)
def check_header_templates(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for name in header_templates():
        try:
            get_template(name)
        except TemplateDoesNotExist:
            errors.append(
                checks.Error(
                    f"The header template {name!r} does not exist.",
                    hint="Put it in the app's templates/ directory, or correct "
                    "its AppConfig.header_template.",
                    id="core.E002",
                )
            )
    return errors


@checks.register(checks.Tags.urls)
def check_links(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for config, label, url_name in declared():
        try:
            reverse(url_name)
        except NoReverseMatch:
            errors.append(
                checks.Error(
                    f"The navigation link {label!r} of {config.name} names the URL "
                    f"{url_name!r}, which does not resolve.",
                    hint="Include the app's URLs in config/urls.py, or correct "
                    "the name in its AppConfig.nav_links.",
                    obj=config,
                    id="core.E001",
                )
            )
    return errors
