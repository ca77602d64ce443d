"""Settings for production: gunicorn behind an HTTPS-terminating proxy.

Configuration comes only from the real environment; `.env` is never read here.
Startup fails with ImproperlyConfigured, naming the variable, when DJANGO_SECRET_KEY
is missing or weak or DJANGO_ALLOWED_HOSTS is empty, rather than running insecurely.
`python manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, env

DEBUG = False


def _secret_key() -> str:
    key = env.str("DJANGO_SECRET_KEY", default="")
    # The same bar as Django's own deploy check (security.W009), enforced at start-up.
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable to a random value of at "
            "least 50 characters, e.g. from: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'"
        )
    return key


SECRET_KEY = _secret_key()

if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set the DJANGO_ALLOWED_HOSTS environment variable to the comma-separated "
        "host names this site answers to, e.g. www.example.com,example.com"
    )

# HTTPS
# ------------------------------------------------------------------------------
# The proxy in front terminates TLS and says so in this header; it must overwrite
# any X-Forwarded-Proto a client sends, or clients could claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Browsers remember to use HTTPS only for this long. The default, one year with
# subdomains and preload, is what hstspreload.org asks for; start lower (3600) if
# you are not yet sure every subdomain serves HTTPS.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
