"""The language and time zone come from the environment (DJANGO_LANGUAGE_CODE,
DJANGO_TIME_ZONE), and Django refuses values it does not know. Each test runs
manage.py in a process of its own, with the environment it needs."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "from django.conf import settings; from django.utils import timezone, translation; "
    "print(settings.LANGUAGE_CODE, translation.get_language(), "
    "settings.TIME_ZONE, timezone.get_current_timezone_name())"
)


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DJANGO_LANGUAGE_CODE", "DJANGO_TIME_ZONE")
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.test", **variables)
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_defaults_are_english_and_utc():
    result = manage("shell", "--verbosity", "0", "--command", SHOW)
    assert result.stdout.split() == ["en-us", "en-us", "UTC", "UTC"], result.stderr


def test_language_and_time_zone_from_the_environment():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "--command",
        SHOW,
        DJANGO_LANGUAGE_CODE="de",
        DJANGO_TIME_ZONE="Europe/Berlin",
    )
    assert result.stdout.split() == ["de", "de", "Europe/Berlin", "Europe/Berlin"], (
        result.stderr
    )


def test_an_unknown_time_zone_is_refused():
    result = manage("check", DJANGO_TIME_ZONE="Mars/Olympus_Mons")
    assert result.returncode != 0
    assert "Incorrect timezone setting: Mars/Olympus_Mons" in result.stderr


def test_an_unknown_language_is_refused():
    result = manage("check", DJANGO_LANGUAGE_CODE="xx-nowhere")
    assert result.returncode != 0
    assert "No translation files found for default language xx-nowhere" in (
        result.stderr
    )
