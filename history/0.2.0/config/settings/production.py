"""Settings for production: gunicorn behind an HTTPS-terminating proxy.

Configuration comes only from the real environment; `.env` is never read here.
Startup fails with ImproperlyConfigured, naming the variable, when DJANGO_SECRET_KEY
is missing or weak, DJANGO_ALLOWED_HOSTS is empty or DJANGO_ADMIN_URL is unset,
rather than running insecurely.
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

# The admin is not at /admin/, the first path password-guessing bots try. The path
# comes from the environment rather than from a file in the repository: a path
# written into the code would be known to everyone who can read the code, and the
# same on every deployment of it.
if not env.str("DJANGO_ADMIN_URL", default="").strip("/"):
    raise ImproperlyConfigured(
        "Set the DJANGO_ADMIN_URL environment variable to the path of the admin "
        "site, one that is hard to guess, e.g. from: python -c 'import secrets; "
        'print("staff-" + secrets.token_urlsafe(8) + "/")\''
    )

# HTTPS
# ------------------------------------------------------------------------------
# The proxy in front terminates TLS and says so in this header; it must overwrite
# any X-Forwarded-Proto a client sends, or clients could claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS: browsers that have seen the header use only HTTPS for this site, for this
# many seconds, and cannot be talked out of it. A first deploy starts with one hour,
# for this host only and no preload, so a mistake is undone within the hour. Once
# the site has served HTTPS for a while, raise it step by step to a year
# (31536000); add subdomains and preload only when every subdomain serves HTTPS.
# (The deploy check's W004 asks only that HSTS is on; W005 and W021, about
# subdomains and preload, are silenced below because they are choices to make
# later, on purpose, not omissions.)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, enabled in [
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    ]
    if not enabled
]

# Links in the emails the site sends (address verification, password reset) are
# https:// links.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
