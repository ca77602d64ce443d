"""Structured logging: one JSON object per line, which log collectors index."""

import json
import logging
from datetime import UTC, datetime

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
