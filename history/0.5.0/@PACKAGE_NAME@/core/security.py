"""Middleware that keeps the site's doors narrow (listed in MIDDLEWARE)."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header for PERMISSIONS_POLICY.

    {"camera": [], "geolocation": ["self"]} -> 'camera=(), geolocation=(self)'
    """
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items()
    )


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (PERMISSIONS_POLICY in the settings).

    Django has no setting for this header; the browser features it names stay off
    for every page and for anything those pages embed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", permissions_policy(settings.PERMISSIONS_POLICY)
        )
        return response


class StaffMFAMiddleware:
    """Keeps staff without two-factor log-in out of the admin.

    With ADMIN_REQUIRES_MFA on (production's default), a staff member who has not
    set up an authenticator app is sent to the page that sets one up, instead of
    into the admin. A password alone then never opens the admin: allauth asks for
    the second factor at every log-in once it is set up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.ADMIN_REQUIRES_MFA
            and request.path_info.startswith("/" + settings.ADMIN_URL)
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Set up two-factor authentication before you use the admin.",
            )
            return redirect("mfa_index")
        return self.get_response(request)
