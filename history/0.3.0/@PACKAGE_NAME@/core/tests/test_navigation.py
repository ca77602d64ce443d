"""Apps put links in the site's header through AppConfig.nav_links
(core/navigation.py), without editing base.html."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from ..navigation import check_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def users_app_links(monkeypatch):
    """Gives the installed `users` app header links, as an app's apps.py would."""

    def declare(*links):
        config = apps.get_app_config("users")
        monkeypatch.setattr(config, "nav_links", list(links), raising=False)

    return declare


def test_without_links_the_header_has_no_section_navigation(client, monkeypatch):
    # The project's own apps may declare some: take them away for this test.
    for config in apps.get_app_configs():
        monkeypatch.setattr(config, "nav_links", [], raising=False)
    html = client.get(reverse("core:home")).content.decode()
    assert 'aria-label="Main"' not in html


def test_the_header_shows_each_apps_links(client, users_app_links):
    users_app_links(("People", "account_login"), ("Join", "account_signup"))
    html = client.get(reverse("core:home")).content.decode()
    nav = html[html.index('aria-label="Main"') : html.index('aria-label="Account"')]
    assert f'<a href="{reverse("account_login")}">People</a>' in nav
    assert nav.index("People") < nav.index("Join")


def test_the_current_section_is_marked(client, users_app_links):
    users_app_links(("People", "account_login"))
    url = reverse("account_login")
    html = client.get(url).content.decode()
    assert f'<a href="{url}" aria-current="page">People</a>' in html


def test_the_check_passes_links_that_resolve(users_app_links):
    users_app_links(("People", "account_login"))
    assert check_links() == []
    call_command("check")


def test_the_check_reports_a_link_that_does_not_resolve(users_app_links):
    users_app_links(("Nowhere", "no-such-app:index"))
    (error,) = check_links()
    assert error.id == "core.E001"
    assert "'no-such-app:index'" in error.msg
    with pytest.raises(SystemCheckError, match=r"core\.E001"):
        call_command("check")
