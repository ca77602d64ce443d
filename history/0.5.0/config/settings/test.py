"""Settings for the test suite (pytest picks them from pyproject.toml).

Tests do not read `.env`: they must pass the same way on every machine. Set
DATABASE_URL in the environment to run them against PostgreSQL, as CI does.
"""

from config.settings.base import *  # noqa: F403
@IF(!billing)@from config.settings.base import STORAGES
@IF(billing)@from config.settings.base import DATABASES, STORAGES

DEBUG = False
# A fixed key: tests sign nothing that outlives the run.
SECRET_KEY = "test-only-secret-key-never-used-outside-the-test-suite-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost"]

# The slowest part of a test that logs users in is password hashing; MD5 is fine
# for throwaway test users and makes those tests many times faster.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Keep mail in django.core.mail.outbox, where tests can read it.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The manifest storage needs `collectstatic` to have run; tests render templates
# without it, so they use plain names.
STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Serve static files from the apps' directories, as in development, instead of
# from STATIC_ROOT, which only `collectstatic` fills.
WHITENOISE_AUTOREFRESH = True

# Links in the mails tests read point at the test client's host.
SITE_URL = "http://testserver"
@BEGIN(teams)@

# Models that only the tests have: the teams app's example of a team's own data.
INSTALLED_APPS = [*INSTALLED_APPS, "@PACKAGE_NAME@.teams.tests.example"]  # noqa: F405
@END(teams)@
@BEGIN(billing)@

# On SQLite, dj-stripe's tables are made straight from its models: its migrations
# rebuild its tables one by one there, which takes minutes. (PostgreSQL, as in CI,
# runs them, as `manage.py migrate` does everywhere; there Django cannot make them
# this way, before the tables they point to.)
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
MIGRATION_MODULES = {"djstripe": None} if _sqlite else {}
@END(billing)@
