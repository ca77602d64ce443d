"""The settings modules read their environment as documented in .env.example.

Each test imports a settings module afresh with a made-up environment, so nothing
here touches the settings the test run itself uses.
"""

import importlib
import sys

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

STRONG_KEY = "x7-Qm2_vT9pL4rZ8kW1nB6yH3cF5jD0sA-gE7uR2iO9wN4tK1mP8qX3zV6bC0"
PRODUCTION = {
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "example.com,www.example.com",
    "DJANGO_ADMIN_URL": "staff-k3y/",
    "DATABASE_URL": "postgres://app:secret@db:5432/app",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
    "DJANGO_DEFAULT_FROM_EMAIL": "site@example.com",
@IF(billing)@    "STRIPE_LIVE_SECRET_KEY": "sk_live_" + "0123456789abcdefghijklmn",
@IF(billing)@    "STRIPE_WEBHOOK_SECRET": "whsec_0123456789",
}


@pytest.fixture
def load_settings(monkeypatch):
    def load(name: str, **variables: str):
        # django-environ reads (and .env files write) Env.ENVIRON, not os.environ.
        monkeypatch.setattr(environ.Env, "ENVIRON", dict(variables))
        for module in ("config.settings.base", f"config.settings.{name}"):
            monkeypatch.delitem(sys.modules, module, raising=False)
        return importlib.import_module(f"config.settings.{name}")

    return load


def test_production_needs_a_secret_key(load_settings):
    variables = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings("production", **variables)


@pytest.mark.parametrize("key", ["short", "a" * 60, "django-insecure-" + STRONG_KEY])
def test_production_refuses_a_weak_secret_key(load_settings, key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings("production", **{**PRODUCTION, "DJANGO_SECRET_KEY": key})


def test_production_needs_allowed_hosts(load_settings):
    variables = {**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        load_settings("production", **variables)


@pytest.mark.parametrize("hosts", ["*", "example.com,*"])
def test_production_refuses_any_host(load_settings, hosts):
    variables = {**PRODUCTION, "DJANGO_ALLOWED_HOSTS": hosts}
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_ALLOWED_HOSTS.*not"):
        load_settings("production", **variables)


@pytest.mark.parametrize(
    "name", ["DATABASE_URL", "EMAIL_URL", "DJANGO_DEFAULT_FROM_EMAIL"]
)
def test_production_needs_a_database_and_mail(load_settings, name):
    # base.py's defaults (a SQLite file, mail to localhost from webmaster@localhost)
    # are for development only.
    variables = {**PRODUCTION, name: ""}
    with pytest.raises(ImproperlyConfigured, match=f"Set the {name} environment"):
        load_settings("production", **variables)
    variables.pop(name)
    with pytest.raises(ImproperlyConfigured, match=f"Set the {name} environment"):
        load_settings("production", **variables)


@pytest.mark.parametrize("path", ["", "/", "admin", "/admin/"])
def test_production_needs_an_admin_url(load_settings, path):
    variables = {**PRODUCTION, "DJANGO_ADMIN_URL": path}
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMIN_URL"):
        load_settings("production", **variables)
    variables.pop("DJANGO_ADMIN_URL")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMIN_URL"):
        load_settings("production", **variables)


def test_production_starts_with_short_hsts_for_this_host_only(load_settings):
    settings = load_settings("production", **PRODUCTION)
    assert settings.SECURE_HSTS_SECONDS == 3600
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    assert settings.SECURE_HSTS_PRELOAD is False
    # The deploy check's advice on these two is a later, deliberate step.
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W005", "security.W021"]


def test_production_hsts_can_grow_to_a_preloaded_year(load_settings):
    settings = load_settings(
        "production",
        **PRODUCTION,
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
        DJANGO_SECURE_HSTS_PRELOAD="True",
    )
    assert settings.SECURE_HSTS_SECONDS == 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert settings.SECURE_HSTS_PRELOAD is True
    assert settings.SILENCED_SYSTEM_CHECKS == []


def test_admins_are_read_from_the_environment(load_settings):
    settings = load_settings(
        "production",
        **PRODUCTION,
        DJANGO_ADMINS="Ada Lovelace <ada@example.com>,ops@example.com",
    )
    assert settings.ADMINS == [
        ("Ada Lovelace", "ada@example.com"),
        ("", "ops@example.com"),
    ]
    assert settings.MANAGERS == settings.ADMINS
    assert load_settings("production", **PRODUCTION).ADMINS == []


def test_passwords_are_hashed_with_argon2_and_requests_are_atomic(load_settings):
    settings = load_settings("production", **PRODUCTION)
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True


def test_email_can_go_to_files(load_settings, tmp_path):
    variables = {**PRODUCTION, "EMAIL_URL": "filemail:///mail"}
    settings = load_settings("production", **variables)
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
    assert settings.EMAIL_FILE_PATH == settings.BASE_DIR / "mail"
    variables["EMAIL_URL"] = f"filemail:///{tmp_path}"
    settings = load_settings("production", **variables)
    assert tmp_path == settings.EMAIL_FILE_PATH


def test_production_reads_its_environment(load_settings):
    settings = load_settings(
        "production",
        **{**PRODUCTION, "DJANGO_ADMIN_URL": "/staff-only"},
        DJANGO_CONN_MAX_AGE="120",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://example.com",
        DJANGO_SECURE_HSTS_SECONDS="3600",
    )
    assert settings.DEBUG is False
    assert settings.ALLOWED_HOSTS == ["example.com", "www.example.com"]
    assert settings.CSRF_TRUSTED_ORIGINS == ["https://example.com"]
    assert settings.ADMIN_URL == "staff-only/"
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db"
    assert database["CONN_MAX_AGE"] == 120
    assert database["CONN_HEALTH_CHECKS"] is True
    assert settings.EMAIL_HOST == "smtp.example.com"
    assert settings.EMAIL_PORT == 587
    assert settings.EMAIL_USE_TLS is True
    assert settings.SERVER_EMAIL == "site@example.com"
    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SECURE_HSTS_SECONDS == 3600


def test_production_shares_its_cache_and_guards_the_admin(load_settings):
    settings = load_settings("production", **PRODUCTION)
    cache = settings.CACHES["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert cache["LOCATION"] == "django_cache"
    assert settings.ADMIN_REQUIRES_MFA is True
    # No proxy is trusted unless one is configured: the connection's address counts.
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None
    # Mails link to the first host, over HTTPS, unless the site's URL is set.
    assert settings.SITE_URL == "https://example.com"


def test_production_reads_its_cache_proxy_and_site_url(load_settings):
    settings = load_settings(
        "production",
        **PRODUCTION,
        CACHE_URL="redis://cache:6379/0",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_TRUSTED_CLIENT_IP_HEADER="CF-Connecting-IP",
        DJANGO_SITE_URL="https://www.example.com/",
        DJANGO_ADMIN_REQUIRES_MFA="False",
    )
    cache = settings.CACHES["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache:6379/0"
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 1
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER == "CF-Connecting-IP"
    assert settings.SITE_URL == "https://www.example.com"
    assert settings.ADMIN_REQUIRES_MFA is False


def test_local_runs_with_only_a_secret_key(load_settings):
    settings = load_settings("local", DJANGO_SECRET_KEY="dev")
    assert settings.DEBUG is True
    assert settings.ADMIN_REQUIRES_MFA is False
    assert "localhost" in settings.ALLOWED_HOSTS
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"


def test_server_entry_points_load():
    from config import asgi, wsgi

    assert callable(wsgi.application)
    assert callable(asgi.application)
