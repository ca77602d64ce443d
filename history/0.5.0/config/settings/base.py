"""Settings shared by every environment.

Everything that differs between machines comes from environment variables, so the
same code runs on a laptop, in CI and in production. local.py, test.py and
production.py import this module and change only what their environment needs.
Every variable read here or there is listed, with an example, in `.env.example`.
"""

from email.utils import parseaddr
from pathlib import Path

import environ
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "@PACKAGE_NAME@"

env = environ.Env()

# The site's name, shown in the layout, page titles and the emails it sends. The one
# place to change it: templates read it as {{ site_name }}.
SITE_NAME = "@PROJECT_NAME@"
# The site's own address, scheme and host, with no trailing slash. Links in the
# emails it sends (address confirmation, password reset) start with it, also for
# mail sent outside a request (a cron job, the shell, a task queue), and never with
# whatever Host a request claimed. production.py defaults it to https:// and the
# first of DJANGO_ALLOWED_HOSTS.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Hosts and origins
# ------------------------------------------------------------------------------
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
# Full origins (scheme and host), e.g. https://www.example.com. Needed when the site
# is reached through a host that is not the request's own, such as a proxy.
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Applications
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise's runserver_nostatic keeps runserver serving static files the same
    # way gunicorn does in production, so a file missing from STATIC_ROOT shows early.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    # Two-factor log-in: an authenticator app (TOTP) and recovery codes.
    "allauth.mfa",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "@PACKAGE_NAME@.core",
    "@PACKAGE_NAME@.users",
@IF(teams)@    "@PACKAGE_NAME@.teams",
@IF(billing)@    "djstripe",
@IF(billing)@    "@PACKAGE_NAME@.billing",
]

MIDDLEWARE = [
    # First, so load balancer and container health checks are answered before the
    # host check and the HTTPS redirect: they use the container's own address.
    "@PACKAGE_NAME@.core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as WhiteNoise's documentation asks.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "@PACKAGE_NAME@.core.security.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the authentication middleware: it needs to know who is asking.
    "@PACKAGE_NAME@.core.security.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# The admin lives at a URL of your choosing, which keeps it off the paths that bots
# try first; production.py requires one. Normalised to Django's form, "path/",
# whatever slashes it was given.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APPS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "@PACKAGE_NAME@.core.context_processors.site",
                # {{ request.csp_nonce }} for an inline <script nonce="...">.
                "csp.context_processors.nonce",
@BEGIN(billing)@
                # {{ subscription }}: the page's payer's plan (the billing module).
                "@PACKAGE_NAME@.billing.context_processors.subscription",
@END(billing)@
            ],
        },
    },
]

# Database
# ------------------------------------------------------------------------------
# SQLite by default so a new checkout runs with no set-up; set DATABASE_URL to a
# postgres:// URL (psycopg 3) for compose, CI and production.
# (An empty variable counts as unset, here and for EMAIL_URL; production.py then
# refuses to start, naming it.)
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
# Keep connections open between requests (seconds; 0 closes after each request) and
# check them before reuse, so a database restart costs one retry, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Each request runs in one transaction: a view that fails half-way leaves no
# half-written rows, and select_for_update() works in views on PostgreSQL.
DATABASES["default"]["ATOMIC_REQUESTS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache
# ------------------------------------------------------------------------------
# Log-in limits (ACCOUNT_RATE_LIMITS below) count attempts in the cache, so it
# must be one that every gunicorn worker and every replica shares: a per-process
# cache multiplies each limit by the number of workers and forgets it on every
# deploy. The default is a table in the database, which needs no other server; the
# core app's first migration creates it. CACHE_URL=redis://host:6379/0 uses Redis
# instead (install the `redis` extra: `uv sync --extra redis`).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://django_cache")}

# Users and passwords
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"

AUTHENTICATION_BACKENDS = [
    # Django's own, by username: no page logs in with it (the admin uses the
    # site's log-in, config/urls.py), but tests' client.login() does.
    "django.contrib.auth.backends.ModelBackend",
    # The site's log-in form (django-allauth) uses email addresses.
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Argon2 first: new and changed passwords are hashed with it. The others stay so
# that passwords hashed before a change of hasher still work, and are re-hashed
# with Argon2 at their owner's next log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts (django-allauth): https://docs.allauth.org/en/latest/account/configuration.html
# ------------------------------------------------------------------------------
# Where @login_required and LoginRequiredMixin send visitors, and where they land
# after logging in or out. URL names, so apps never hard-code the paths.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"
# People sign up and log in with their email address and a password; the user
# model keeps a username, which allauth fills in from the address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Nobody logs in before confirming their address by the link mailed to them; in
# development the mail is printed on the console, where you can follow the link.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Log in straight after confirming the address, in the same browser.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Logging out is a POST (the layout's button sends one); a GET shows a confirmation.
ACCOUNT_LOGOUT_ON_GET = False
# Mails and their links name the site by SITE_NAME and SITE_URL, never by the Host
# header of the request that sent them (@PACKAGE_NAME@/users/adapter.py).
ACCOUNT_ADAPTER = "@PACKAGE_NAME@.users.adapter.AccountAdapter"
# Failed log-ins: at most 10 a minute from one client address, and 5 in five
# minutes for one account from anywhere; further attempts are refused unchecked
# until the window passes. The counters live in the shared cache (CACHES above).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Behind a proxy every request comes from the proxy's address, so the limit per
# address would lock everybody out at once. Set DJANGO_TRUSTED_PROXY_COUNT to the
# number of proxies in front of the site that append to X-Forwarded-For (1 for a
# single load balancer), or DJANGO_TRUSTED_CLIENT_IP_HEADER to a header your proxy
# sets to the client's address and clients cannot (e.g. CF-Connecting-IP). Without
# either, the connection's own address counts: never trust a header that nothing
# in front of the site overwrites, or each client could pick its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = (
    env.str("DJANGO_TRUSTED_CLIENT_IP_HEADER", default="") or None
)

# Two-factor log-in (allauth.mfa): every user can add an authenticator app and
# recovery codes at /accounts/2fa/. Staff must have done so before the admin lets
# them in when ADMIN_REQUIRES_MFA is on, as it is in production.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
ADMIN_REQUIRES_MFA = env.bool("DJANGO_ADMIN_REQUIRES_MFA", default=False)

# Security headers
# ------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): the browser runs scripts and loads styles,
# images, fonts and forms only from the site itself, never inline code, so an
# injected <script> or onclick="..." does nothing. An inline script the site means
# to run carries <script nonce="{{ request.csp_nonce }}">; the header then names that
# page's nonce. Add an outside origin to a directive to use it, e.g. a CDN in
# "script-src". (Django 6.0 has this built in: SECURE_CSP and
# django.middleware.csp.ContentSecurityPolicyMiddleware replace django-csp; see
# README.md, "Security headers".)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp.NONCE],
        "style-src": ["'self'"],
        # data: for the QR code of the authenticator app set-up page.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy: browser features no page of the site uses stay off, also for
# anything embedded in it. Name a feature with ["self"] to let the site use it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Internationalisation
# ------------------------------------------------------------------------------
# The language of the site's own text (Django's and allauth's messages) and the
# time zone that dates and times are shown in; they are stored in UTC (USE_TZ).
LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [APPS_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed file names (cacheable for ever) and pre-compressed copies, served by
    # WhiteNoise. Needs `collectstatic`, which the Docker image runs at build time.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Email
# ------------------------------------------------------------------------------
# One URL holds backend, host, port, user and password, for example
# smtp+tls://user:password@smtp.example.com:587 ; consolemail:// prints mail instead.
_email = env.email_url_config(env.str("EMAIL_URL", default="") or "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# For filemail:///sent-mail, which writes each message to a file in that directory
# (relative to the project; four slashes for an absolute path).
EMAIL_FILE_PATH = BASE_DIR / (_email.get("EMAIL_FILE_PATH") or "sent-mail")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# The sender of error mails to ADMINS.
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = 10
# Who gets a mail with the traceback when a page fails with a server error in
# production: comma-separated addresses, each optionally with a name, e.g.
# "Ada Lovelace <ada@example.com>,ops@example.com". Nobody by default.
ADMINS = [parseaddr(address) for address in env.list("DJANGO_ADMINS", default=[])]
MANAGERS = ADMINS

@BEGIN(billing)@
# Billing (the billing module, on dj-stripe): https://dj-stripe.dev
# ------------------------------------------------------------------------------
# Secret keys from Stripe's dashboard (Developers, API keys): test-mode keys for
# development and staging, live ones in production. STRIPE_LIVE_MODE picks which
# pair is used; production.py refuses to start without the one it needs.
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_LIVE_SECRET_KEY = env.str("STRIPE_LIVE_SECRET_KEY", default="")
STRIPE_TEST_SECRET_KEY = env.str("STRIPE_TEST_SECRET_KEY", default="")
# The signing secret of the webhook endpoint (https://<host>/billing/webhook/) in
# Stripe's dashboard, or the one `stripe listen` prints in development. Events
# whose signature does not match are refused.
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Stripe's own object ids as keys between dj-stripe's tables (dj-stripe's
# recommended setting for new projects).
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
@IF(billing,teams)@# Who pays: the team (the teams module), so every member shares its plan.
@IF(billing,teams)@DJSTRIPE_SUBSCRIBER_MODEL = "teams.Team"
# Days of free trial a new subscription starts with; 0 for none.
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=0)
# After a form on this site, the browser goes on to Stripe's hosted pages:
# Checkout to subscribe, the customer portal to manage a subscription.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += [
    "https://checkout.stripe.com",
    "https://billing.stripe.com",
]

@END(billing)@
# Logging
# ------------------------------------------------------------------------------
# One JSON object per line on stderr: the container platform collects it, and log
# tools can search by field. local.py switches to plain text for humans.
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Trailing commas keep each of these on lines of its own, whatever the
        # length of the package's name.
        "json": {
            "()": "@PACKAGE_NAME@.core.logs.JsonFormatter",
        },
        "text": {"format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s"},
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "downgrade_disallowed_host": {
            "()": "@PACKAGE_NAME@.core.logs.DowngradeDisallowedHost",
        },
        "not_health_checks": {
            "()": "@PACKAGE_NAME@.core.logs.NotHealthChecks",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        # Errors (a failed page) mailed to ADMINS, with the traceback, when DEBUG
        # is off. Not a failed health check: probes repeat every few seconds, and
        # the platform that sends them is the one to alert; it is only logged.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "not_health_checks"],
        },
    },
    # Every logger ends here, so each record is written once, by one handler.
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default configuration gives these loggers handlers of their own
        # as well, which printed each line twice; here they only pass records on.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # A request for a host not in ALLOWED_HOSTS is a bot or a misconfigured
        # proxy, not a bug: logged as a one-line warning, with no traceback and
        # no mail, instead of Django's ERROR.
        "django.security.DisallowedHost": {
            "filters": ["downgrade_disallowed_host"],
        },
        # With DEBUG on, this logger prints every SQL query at DEBUG level; keep it
        # quiet even when DJANGO_LOG_LEVEL=DEBUG, and turn it on here when wanted.
        "django.db.backends": {"level": "INFO"},
    },
}
