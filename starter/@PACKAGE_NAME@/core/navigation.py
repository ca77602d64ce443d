"""The header's navigation: links that apps declare, so that none edits base.html.

An app lists its links on its AppConfig, as (label, URL name) pairs:

    class BlogConfig(AppConfig):
        nav_links = [("Blog", "blog:index")]

Every page's header shows them, in the order of INSTALLED_APPS. URL names rather
than paths keep an app free of where a project includes its URLs, so the same app
works in every project it is shared with. `manage.py check` reports a name that
does not resolve, before a page fails on it.
"""

from collections.abc import Iterator

from django.apps import AppConfig, apps
from django.core import checks
from django.http import HttpRequest
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
