"""Structured logging: one JSON object per line, which log collectors index."""

import json
import logging
import re
from datetime import UTC, datetime

from gunicorn.glogging import Logger as GunicornLogger

from .health import HEALTH_CHECK_PATHS

# Attributes every LogRecord has. Anything else on a record was passed with
# `extra={...}` and is written out as a field of its own.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as a single line of JSON.

    Fields: time (UTC, ISO 8601), level, logger, message, then any `extra` values,
    and the traceback under `exception`. Values JSON cannot hold, such as the
    request Django attaches to its own records, are written with str().
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class DowngradeDisallowedHost(logging.Filter):
    """Turns Django's report of a request for an unknown host into a warning.

    Django logs DisallowedHost at ERROR with a traceback, and the ERROR would mail
    the site's admins; such requests come from bots and scanners by the thousand
    and need no one's attention. The record is kept, as one WARNING line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        return True


class NotHealthChecks(logging.Filter):
    """Lets through every record except those about a failed health check.

    Used on the mail handler: the health check's own record of why it failed, and
    Django's record of its 503 response, stay in the log but are not mailed.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "@PACKAGE_NAME@.core.health":
            return False
        request = getattr(record, "request", None)
        return getattr(request, "path_info", None) not in HEALTH_CHECK_PATHS


# The secret part of the links mailed for an address confirmation or a password
# reset: whoever reads it from a log could use the link. One path before the
# secret a line, so that an app's own line merges in.
_TOKEN_PREFIXES = [
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/",
@IF(teams)@    "/t/invitations/",
]
_TOKEN_PATHS = re.compile(
    "(" + "|".join(map(re.escape, _TOKEN_PREFIXES)) + r")[^/?#\s]+"
)


def redact_tokens(path: str) -> str:
    """`path` with the token of an account link replaced by "[redacted]"."""
    return _TOKEN_PATHS.sub(r"\1[redacted]", path)


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger, with tokens taken out of the access log's paths.

    Named by logger_class in gunicorn.conf.py. Every field of the access log that
    holds the path or the request line is redacted, whatever access_log_format
    uses; so is the Referer, which the page after such a link sends.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            atoms[key] = redact_tokens(atoms[key])
        return atoms
