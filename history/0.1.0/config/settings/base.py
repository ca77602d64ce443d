"""Settings shared by every environment.

Everything that differs between machines comes from environment variables, so the
same code runs on a laptop, in CI and in production. local.py, test.py and
production.py import this module and change only what their environment needs.
Every variable read here or there is listed, with an example, in `.env.example`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "@PACKAGE_NAME@"

env = environ.Env()

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
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# The admin lives at a URL of your choosing, which keeps it off the paths that bots
# try first. Normalised to Django's form, "path/", whatever slashes it was given.
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Users and passwords
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
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
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# The sender of error mails to ADMINS.
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = 10

# Logging
# ------------------------------------------------------------------------------
# One JSON object per line on stderr: the container platform collects it, and log
# tools can search by field. local.py switches to plain text for humans.
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "@PACKAGE_NAME@.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # With DEBUG on, this logger prints every SQL query at DEBUG level; keep it
        # quiet even when DJANGO_LOG_LEVEL=DEBUG, and turn it on here when wanted.
        "django.db.backends": {"level": "INFO"},
    },
}
