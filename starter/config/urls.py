"""The project's URLs. The health check at /healthz/ is answered by
@PACKAGE_NAME@.core.health.HealthCheckMiddleware before URL routing."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # Sign up, log in and out, email verification, password reset (django-allauth).
    path("accounts/", include("allauth.urls")),
    path("", include("@PACKAGE_NAME@.core.urls")),
]

handler400 = "@PACKAGE_NAME@.core.views.bad_request"
handler500 = "@PACKAGE_NAME@.core.views.server_error"
