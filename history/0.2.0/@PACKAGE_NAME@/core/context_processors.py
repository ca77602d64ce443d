"""Template context every page gets (listed in TEMPLATES in config/settings/base.py)."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, set once as SITE_NAME, for the layout and page titles."""
    return {"site_name": settings.SITE_NAME}
