"""Fixtures shared by every test in the project."""

import pytest

from @PACKAGE_NAME@.users.models import User
from @PACKAGE_NAME@.users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Files that tests upload land in a temporary directory, not in media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def user(db) -> User:
    return UserFactory()
