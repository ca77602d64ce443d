import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import permission_denied

from ..views import HomeView, server_error

pytestmark = pytest.mark.django_db


def test_home_page(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "core/home.html" in [t.name for t in response.templates]


def test_unknown_url_renders_the_project_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert b"Page not found" in response.content


def test_403_page():
    request = RequestFactory().get("/")
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert b"Forbidden" in response.content


def test_unknown_host_renders_the_project_400_page(client):
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400
    assert b"Bad request" in response.content


def test_a_failing_page_gets_the_500_page_with_the_site_name(
    client, monkeypatch, settings
):
    settings.SITE_NAME = "Example Site"

    def fail(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(HomeView, "get", fail)
    client.raise_request_exception = False
    response = client.get(reverse("core:home"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Server error \xc2\xb7 Example Site" in response.content


def test_the_500_page_needs_no_request_context():
    html = render_to_string("500.html", {"site_name": "Example Site"})
    assert "Server error · Example Site" in html


def test_the_500_page_survives_a_broken_template_engine(settings, caplog):
    settings.SITE_NAME = "Example <Site>"
    # No template can be found, so rendering 500.html itself fails.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}]
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Example &lt;Site&gt;" in response.content
    assert "The 500 page could not be rendered" in caplog.text


def test_the_layout_shows_the_site_name_and_the_way_in(client, settings):
    settings.SITE_NAME = "Example Site"
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert "<title>Example Site</title>" in html
    assert reverse("account_login") in html
    assert reverse("account_signup") in html
    assert reverse("account_logout") not in html


def test_the_layout_declares_the_language_of_the_page(client):
    with translation.override("de"):
        html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="de">' in html


def test_the_layout_shows_who_is_logged_in_and_logs_out_by_post(client, user):
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert user.email in html
    assert f'<form method="post" action="{reverse("account_logout")}">' in html
    assert "csrfmiddlewaretoken" in html


def test_the_layout_shows_messages(client, user):
    client.force_login(user)
    response = client.post(reverse("account_logout"), follow=True)
    assert b"You have signed out." in response.content
    assert b'class="messages" role="status"' in response.content


def test_error_pages_carry_the_site_name(client, settings):
    settings.SITE_NAME = "Example Site"
    response = client.get("/no-such-page/")
    assert b"Page not found \xc2\xb7 Example Site" in response.content
    response = client.get("/", headers={"host": "attacker.example"})
    assert b"Bad request \xc2\xb7 Example Site" in response.content


def test_favicon_ico_leads_to_the_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
