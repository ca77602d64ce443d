"""Gunicorn settings, read automatically when gunicorn starts in this directory.

`gunicorn` alone serves the project; each setting below can be changed with an
environment variable (listed in .env.example) or overridden on the command line.
"""

import multiprocessing
import os
from pathlib import Path

wsgi_app = "config.wsgi:application"

# Every interface of the container, on the port the platform hands out in PORT (the
# convention of most container hosts). GUNICORN_BIND replaces the whole address,
# e.g. 127.0.0.1:8000 or unix:/run/gunicorn.sock.
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# Gunicorn's rule of thumb is 2 x cores + 1 workers; a container that is given one
# core of a large machine should set WEB_CONCURRENCY rather than take the host's.
workers = int(
    os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1))
)
# A request that takes longer than this is killed and logged: a stuck worker
# should not hold a slot for ever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Kept above the idle time-out of a typical proxy, so the proxy closes idle
# connections first and never sends a request on a socket we just closed.
keepalive = 75
# Restart workers now and then, so a slow memory leak never grows without bound;
# the jitter keeps them from all restarting at once.
max_requests = 1000
max_requests_jitter = 100

# Heartbeat files in memory: in a container /tmp may be a slow overlay filesystem,
# and a heartbeat stuck on disk I/O gets healthy workers killed. (Not a shared temp
# file: gunicorn creates its own, unguessable, files in this directory.)
_shared_memory = Path("/dev/shm")  # noqa: S108
if _shared_memory.is_dir():
    worker_tmp_dir = str(_shared_memory)

# Nothing here uses gunicorn's control socket, and it needs a writable home
# directory, which the container's unprivileged user does not have.
control_socket_disable = True

# Logs go to the console as one JSON object per line, like Django's own (see
# LOGGING in config/settings/base.py), so both can be searched the same way.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The links mailed for address confirmation and password reset carry a secret in
# their path; this logger writes "[redacted]" in its place.
logger_class = "@PACKAGE_NAME@.core.logs.RedactingGunicornLogger"
logconfig_dict = {
    "formatters": {
        "json": {"()": "@PACKAGE_NAME@.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "propagate": False},
    },
}
