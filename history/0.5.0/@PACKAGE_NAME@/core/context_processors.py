"""Template context every page gets (listed in TEMPLATES in config/settings/base.py)."""

from django.conf import settings
from django.http import HttpRequest

from . import navigation


def site(request: HttpRequest) -> dict[str, object]:
    """What the layout needs on every page: the site's name, set once as
    SITE_NAME, and the header links and templates that apps declare
    (core/navigation.py)."""
    return {
        "site_name": settings.SITE_NAME,
        "nav_links": navigation.links(request),
        "header_templates": navigation.header_templates(),
    }
