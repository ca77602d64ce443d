"""Settings for production: gunicorn behind an HTTPS-terminating proxy.

Configuration comes only from the real environment; `.env` is never read here.
Startup fails with ImproperlyConfigured, in one line naming the variable, rather
than running insecurely or half-working: when DJANGO_SECRET_KEY is missing or weak,
DJANGO_ALLOWED_HOSTS is empty or holds "*", DJANGO_ADMIN_URL is unset or "admin/",
DATABASE_URL is unset (no quiet SQLite file in production), or EMAIL_URL or
DJANGO_DEFAULT_FROM_EMAIL is unset (sign-ups and error reports need mail).
@IF(billing)@So does billing without the Stripe secret key of its mode or the webhook's secret.
`python manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

@IF(billing)@import re
@IF(billing)@
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, env

# base.py's defaults for these are for development: a SQLite file in the project
# folder, mail to localhost:25 from webmaster@localhost. In production they would
# start a site that loses its data or fails at the first sign-up.
_REQUIRED = {
    "DATABASE_URL": "the database, e.g. postgres://USER:PASSWORD@HOST:5432/NAME",
    "EMAIL_URL": "the mail server, e.g. smtp+tls://USER:PASSWORD@smtp.example.com:587",
    "DJANGO_DEFAULT_FROM_EMAIL": "the sender of the site's mail, e.g. "
    "noreply@example.com",
}
for _name, _what in _REQUIRED.items():
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(f"Set the {_name} environment variable to {_what}")

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

if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set the DJANGO_ALLOWED_HOSTS environment variable to the comma-separated "
        "host names this site answers to, e.g. www.example.com,example.com "
        '(not "*", which lets any Host header through)'
    )

# The admin is not at /admin/, the first path password-guessing bots try. The path
# comes from the environment rather than from a file in the repository: a path
# written into the code would be known to everyone who can read the code, and the
# same on every deployment of it.
if env.str("DJANGO_ADMIN_URL", default="").strip("/") in {"", "admin"}:
    raise ImproperlyConfigured(
        "Set the DJANGO_ADMIN_URL environment variable to the path of the admin "
        "site, one that is hard to guess and not admin/, e.g. from: python -c "
        '\'import secrets; print("staff-" + secrets.token_urlsafe(8) + "/")\''
    )

# Links in mails start with the site's real address; by default the first host
# it answers to, over HTTPS.
SITE_URL = env.str("DJANGO_SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}").rstrip("/")

# Staff reach the admin only once they have set up two-factor log-in (README.md,
# "The admin"). DJANGO_ADMIN_REQUIRES_MFA=False relaxes that, e.g. for a staging
# site; the admin's log-in is still allauth's, with its limits.
ADMIN_REQUIRES_MFA = env.bool("DJANGO_ADMIN_REQUIRES_MFA", default=True)

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
@BEGIN(billing)@

# Billing: a live site takes payments with live keys unless told otherwise
# (STRIPE_LIVE_MODE=False, e.g. for a staging site on test keys). The key of the
# mode in use must be of that mode, or payments would silently go nowhere; and
# without the webhook's signing secret no subscription would ever be recorded.
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=True)
_stripe_mode = "live" if STRIPE_LIVE_MODE else "test"
_stripe_key = f"STRIPE_{_stripe_mode.upper()}_SECRET_KEY"
# A secret (sk_) or restricted (rk_) key, in Stripe's form.
if not re.fullmatch(
    rf"(sk|rk)_{_stripe_mode}_[a-zA-Z0-9]{{24,}}", env.str(_stripe_key, default="")
):
    raise ImproperlyConfigured(
        f"Set the {_stripe_key} environment variable to the secret key of Stripe's "
        f"{_stripe_mode} mode (sk_{_stripe_mode}_...), from Stripe's dashboard: "
        "Developers, API keys"
    )
if not env.str("STRIPE_WEBHOOK_SECRET", default="").startswith("whsec_"):
    raise ImproperlyConfigured(
        "Set the STRIPE_WEBHOOK_SECRET environment variable to the signing secret "
        "(whsec_...) of the webhook endpoint https://<your host>/billing/webhook/ "
        "in Stripe's dashboard: Developers, Webhooks"
    )
@END(billing)@
