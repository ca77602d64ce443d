"""The headers every page carries, the admin's door, and what logs leave out."""

import logging

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from ..logs import NotHealthChecks, RedactingGunicornLogger, redact_tokens
from ..security import permissions_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_staff(django_user_model):
    def make():
        return django_user_model.objects.create_user(
            username="staff",
            email="staff@example.com",
            is_staff=True,
            is_superuser=True,
        )

    return make


def test_pages_forbid_inline_scripts(client):
    policy = client.get(reverse("core:home"))["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_a_page_that_uses_the_nonce_names_it_in_the_policy(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    response = CSPMiddleware(view)(rf.get("/"))
    nonce = response.content.decode().split('"')[1]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_pages_turn_off_browser_features(client):
    header = client.get(reverse("account_login"))["Permissions-Policy"]
    assert "camera=()" in header
    assert "geolocation=()" in header


def test_permissions_policy_names_allowed_origins():
    assert permissions_policy({"camera": [], "geolocation": ["self"]}) == (
        "camera=(), geolocation=(self)"
    )


def test_the_admin_link_is_shown_to_staff_only(client, user, settings, make_staff):
    admin_path = "/" + settings.ADMIN_URL
    assert admin_path not in client.get(reverse("core:home")).content.decode()
    client.force_login(user)
    assert admin_path not in client.get(reverse("core:home")).content.decode()
    client.force_login(make_staff())
    assert admin_path in client.get(reverse("core:home")).content.decode()


def test_the_admin_logs_in_through_the_sites_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    first, second = response.redirect_chain
    assert first[0].startswith(reverse("admin:login"))
    assert second[0].startswith(reverse("account_login") + "?next=")
    assert "account/login.html" in [t.name for t in response.templates]


def test_the_admin_refuses_users_who_are_not_staff(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_staff_set_up_two_factor_before_the_admin_when_required(
    client, settings, make_staff
):
    settings.ADMIN_REQUIRES_MFA = True
    staff = make_staff()
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "unused"}
    )
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_reach_the_admin_without_two_factor_when_relaxed(
    client, settings, make_staff
):
    settings.ADMIN_REQUIRES_MFA = False
    client.force_login(make_staff())
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_failed_health_check_is_logged_but_not_mailed(
    client, monkeypatch, caplog, settings
):
    from django.db import OperationalError

    # Someone to mail: with nobody in ADMINS, nothing would be mailed anyway.
    settings.ADMINS = [("Ops", "ops@example.com")]

    def fail(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", fail)
    with caplog.at_level(logging.ERROR):
        assert client.get("/healthz/").status_code == 503
    assert "database did not answer" in caplog.text
    assert mail.outbox == []


def test_other_server_errors_are_still_mailed(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    logging.getLogger("django.request").error("Internal Server Error: /boom/")
    (message,) = mail.outbox
    assert "Internal Server Error" in message.subject


def test_mail_filter_keeps_other_errors(rf):
    keep = NotHealthChecks()
    page = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", None, None)
    page.request = rf.get("/accounts/login/")
    assert keep.filter(page)
    probe = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", None, None)
    probe.request = rf.get("/healthz/")
    assert not keep.filter(probe)
    plain = logging.LogRecord("app", logging.ERROR, "", 0, "x", None, None)
    assert keep.filter(plain)


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (
            "/accounts/confirm-email/MTY:1v:abc-def/",
            "/accounts/confirm-email/[redacted]/",
        ),
        (
            "/accounts/password/reset/key/1-cz3k-4f2a9b/?next=/",
            "/accounts/password/reset/key/[redacted]/?next=/",
        ),
        ("/accounts/login/?next=/x/", "/accounts/login/?next=/x/"),
    ],
)
def test_tokens_are_redacted_from_paths(path, logged):
    assert redact_tokens(path) == logged


def test_gunicorn_access_log_redacts_the_request_line():
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = RedactingGunicornLogger(Config())
    path = "/accounts/confirm-email/secret-key/"
    request = SimpleNamespace(
        method="GET", uri=path, path=path, query="", version=(1, 1), headers=[]
    )
    response = SimpleNamespace(status="200 OK", sent=0, headers=[])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = logger.atoms(response, request, environ, _elapsed())
    assert "secret-key" not in atoms["r"]
    assert atoms["U"] == "/accounts/confirm-email/[redacted]/"


def _elapsed():
    from datetime import timedelta

    return timedelta(milliseconds=5)
