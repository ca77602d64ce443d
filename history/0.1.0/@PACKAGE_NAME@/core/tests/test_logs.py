import json
import logging
import sys

from @PACKAGE_NAME@.core.logs import JsonFormatter


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
