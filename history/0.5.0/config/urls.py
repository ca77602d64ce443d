"""The project's URLs. The health check at /healthz/ is answered by
@PACKAGE_NAME@.core.health.HealthCheckMiddleware before URL routing."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The admin has no log-in form of its own: visitors are sent to the site's
# (allauth's), with its limits on failed attempts, its email verification and its
# second factor. Logged-in users who are not staff get a 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # Sign up, log in and out, email verification, password reset, and two-factor
    # log-in under accounts/2fa/ (django-allauth).
    path("accounts/", include("allauth.urls")),
@IF(teams)@    path("t/", include("@PACKAGE_NAME@.teams.urls")),
@IF(billing)@    path("billing/", include("@PACKAGE_NAME@.billing.urls")),
    path("", include("@PACKAGE_NAME@.core.urls")),
]

handler400 = "@PACKAGE_NAME@.core.views.bad_request"
handler500 = "@PACKAGE_NAME@.core.views.server_error"
