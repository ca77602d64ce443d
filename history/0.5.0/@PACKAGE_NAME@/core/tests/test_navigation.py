"""Apps put links in the site's header through AppConfig.nav_links
(core/navigation.py), without editing base.html."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from ..navigation import check_header_templates, check_links

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


@pytest.fixture
def users_app_header(settings, tmp_path, monkeypatch):
    """Gives the installed `users` app a header template with `text`, as an app's
    apps.py and templates/ would."""

    def declare(name, text=None):
        if text is not None:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text)
        engine = settings.TEMPLATES[0]
        settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
        config = apps.get_app_config("users")
        monkeypatch.setattr(config, "header_template", name, raising=False)

    return declare


def test_apps_add_templates_to_the_header(client, users_app_header):
    users_app_header("users/header.html", '<p id="hook">{{ request.path }}</p>')
    html = client.get(reverse("core:home")).content.decode()
    header = html[html.index("<header") : html.index('aria-label="Account"')]
    assert '<p id="hook">/</p>' in header
    assert check_header_templates() == []


def test_the_check_reports_a_header_template_that_does_not_exist(users_app_header):
    users_app_header("users/missing.html")
    (error,) = check_header_templates()
    assert error.id == "core.E002"
    assert "'users/missing.html'" in error.msg
    with pytest.raises(SystemCheckError, match=r"core\.E002"):
        call_command("check")
