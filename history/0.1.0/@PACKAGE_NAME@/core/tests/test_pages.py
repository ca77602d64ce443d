import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

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


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Something went wrong" in html
