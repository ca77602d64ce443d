"""Settings for development on your own machine: `python manage.py runserver`.

Reads `.env` in the project root first, so `quickscale init` output runs as it is:
that file holds DJANGO_SECRET_KEY, and everything else has a development default.
Production never reads `.env` (see production.py), so a stray copy on a server
cannot quietly supply a development secret.
"""

from pathlib import Path

import environ

# Before importing base.py, which reads DATABASE_URL and friends as it is imported.
# Variables already set in the real environment win over the file.
environ.Env.read_env(Path(__file__).resolve().parents[2] / ".env")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import LOGGING, env  # noqa: E402

DEBUG = True
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)

# Print mail to the console instead of sending it, unless EMAIL_URL says otherwise.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]

LOGGING["handlers"]["console"]["formatter"] = "text"
