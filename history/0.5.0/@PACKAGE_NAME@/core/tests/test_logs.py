import json
import logging
import sys

from ..logs import JsonFormatter


def _record(exc_info=None, **kwargs) -> logging.LogRecord:
    logger = logging.getLogger("example")
    args = ("disk %s%% full", (93,), exc_info)
    return logger.makeRecord(logger.name, logging.WARNING, "f.py", 1, *args, **kwargs)


def test_one_line_of_json_with_the_standard_fields():
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "example"
    assert entry["message"] == "disk 93% full"
    assert entry["time"].endswith("+00:00")


def test_extra_values_become_fields_and_odd_values_become_strings():
    record = _record(extra={"user_id": 7, "request": object()})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["user_id"] == 7
    assert entry["request"].startswith("<object object")


def test_exceptions_and_stacks_are_included():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(sys.exc_info(), sinfo="Stack (most recent call last):")
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]
    assert entry["stack"].startswith("Stack")


def test_requests_for_unknown_hosts_are_one_warning_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="django.security.DisallowedHost"):
        client.get("/", headers={"host": "attacker.example"})
    (record,) = [r for r in caplog.records if r.name.endswith("DisallowedHost")]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "attacker.example" in record.getMessage()


def test_django_loggers_leave_the_printing_to_the_root_logger():
    # Django's own configuration gives them handlers too, which printed each line
    # twice; they propagate to the root logger's handlers instead.
    for name in ("django", "django.server", "django.request"):
        logger = logging.getLogger(name)
        assert logger.handlers == [], name
        assert logger.propagate, name
    # Named by the LOGGING setting; pytest's own capturing handlers have no name.
    names = [h.name for h in logging.getLogger().handlers if h.name]
    assert names == ["console", "mail_admins"]
