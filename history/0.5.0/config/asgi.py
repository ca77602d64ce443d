"""ASGI entry point, for an ASGI server such as uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

# Servers run production settings unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()
