"""Fixtures shared by every test in the project, apps shared with other projects
included: they ask for these by name and never import the project's package."""

from datetime import UTC, datetime

import pytest

from @PACKAGE_NAME@.users.models import User
from @PACKAGE_NAME@.users.tests.factories import UserFactory

# The moment the `clock` fixture stops at: a fixed date, so that a test's result
# never depends on the day it runs.
NOW = datetime(2030, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Files that tests upload land in a temporary directory, not in media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def user_factory(db) -> type[UserFactory]:
    """Makes users of the project's user model, each with the password
    factories.DEFAULT_PASSWORD: `user_factory()`, `user_factory(is_staff=True)`,
    `user_factory.create_batch(3)`."""
    return UserFactory


@pytest.fixture
def user(user_factory) -> User:
    return user_factory()


@pytest.fixture
def clock(time_machine):
    """The clock, stopped at NOW until the test moves it: `clock.shift(60)` (seconds
    or a timedelta), `clock.move_to("2030-06-01")`.

    time-machine changes the time that all of Python sees, timezone.now() and
    signed tokens included, and restores it when the test ends. Its own
    `time_machine` fixture and `@pytest.mark.time_machine(...)` marker work too:
    https://time-machine.readthedocs.io/
    """
    time_machine.move_to(NOW, tick=False)
    return time_machine
