import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/healthz/", "/healthz"])
def test_healthy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_database_down_answers_503_and_logs_why(client, mocker_cursor_fails, caplog):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert "database did not answer" in caplog.text


def test_probes_by_ip_address_pass_the_host_check(client):
    # Load balancers address the container by IP, which ALLOWED_HOSTS does not list.
    response = client.get("/healthz/", headers={"host": "10.1.2.3:8000"})
    assert response.status_code == 200


def test_only_the_health_check_escapes_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.fixture
def mocker_cursor_fails(monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", fail)
