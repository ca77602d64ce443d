from django.apps import AppConfig


class TeamsConfig(AppConfig):
    """Teams: people work together in teams, at URLs under /t/<team slug>/.

    See the module's section of README.md, and models.py for TeamScoped, the base
    class of every model whose rows belong to one team.
    """

    # The app may be shared with other projects (git subtree, see README.md), where
    # it sits at another import path, so it works its name out. The label names its
    # tables and migrations, and must stay the same everywhere.
    name = __name__.rpartition(".")[0]
    label = "teams"
    verbose_name = "Teams"
    default_auto_field = "django.db.models.BigAutoField"
    # A "Teams" link in the site's header, and the team switcher beside it
    # (core/navigation.py): the layout shows both with no edit to base.html.
    nav_links = [("Teams", "teams:list")]
    header_template = "teams/switcher.html"

    def ready(self) -> None:
        # Connects the personal team and the invitation to allauth's sign-up.
        from . import signals  # noqa: F401
