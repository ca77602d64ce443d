"""How django-allauth sends the site's account mails (ACCOUNT_ADAPTER)."""

from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


def current_site() -> SimpleNamespace:
    """The site as the mail templates know it: {{ current_site.name }}, .domain.

    From SITE_NAME and SITE_URL, so a mail says who sent it and where its links
    lead even when it is sent outside a request, and never repeats a Host header.
    """
    return SimpleNamespace(
        name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
    )


def absolute_url(path: str) -> str:
    """`path` on the site's own address, SITE_URL."""
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            "request": self.request,
            "email": email,
            "current_site": current_site(),
            **context,
        }
        self.render_mail(template_prefix, email, context).send()

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return absolute_url(
            reverse("account_confirm_email", args=[emailconfirmation.key])
        )

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed log-ins per account under the request's host; with
        # two allowed hosts (example.com, www.example.com) an attacker would get
        # the limit twice over. One site, one count. (A private hook: a test in
        # tests/test_adapter.py fails if a new allauth stops calling it.)
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{current_site().domain}:{login}"

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's key is "<uidb36>-<token>"; its URL pattern takes the two apart.
        path = reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        )
        return absolute_url(path.replace("UID-KEY", quote(key)))
