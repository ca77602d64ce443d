"""Settings shared by every environment.

Everything that differs between machines comes from environment variables, so the
same code runs on a laptop, in CI and in production. local.py, test.py and
production.py import this module and change only what their environment needs.
Every variable read here or there is listed, with an example, in `.env.example`.
"""

from email.utils import parseaddr
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "@PACKAGE_NAME@"

env = environ.Env()

# The site's name, shown in the layout, page titles and the emails it sends. The one
# place to change it: templates read it as {{ site_name }}.
SITE_NAME = "@PROJECT_NAME@"

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
    "@PACKAGE_NAME@.core",
    "@PACKAGE_NAME@.users",
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
    "allauth.account.middleware.AccountMiddleware",
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
            ],
        },
    },
]

# Database
# ------------------------------------------------------------------------------
# SQLite by default so a new checkout runs with no set-up; set DATABASE_URL to a
# postgres:// URL (psycopg 3) for compose, CI and production.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
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

# Users and passwords
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"

AUTHENTICATION_BACKENDS = [
    # The admin's log-in form and `manage.py createsuperuser` use usernames.
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
_email = env.email_url("EMAIL_URL", default="smtp://localhost:25")
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
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        # Errors (a failed page, a failed health check) mailed to ADMINS, with the
        # traceback, when DEBUG is off.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
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
