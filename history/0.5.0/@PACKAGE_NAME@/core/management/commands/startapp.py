"""`python manage.py startapp NAME`: a new app inside the project's package.

Replaces Django's own startapp (an app's command wins over Django's). With no
directory given, the app lands in the project's package (settings.APPS_DIR), made
from ../../app_template/: self-contained (its templates and static files inside
it, relative imports, its own label and URL namespace) so that it can be shared
between projects with git subtree, and with tests that pytest collects. Django's
options still work: `--template` for another template, a directory as the second
argument.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import startapp

APP_TEMPLATE = Path(__file__).resolve().parents[2] / "app_template"


class Command(startapp.Command):
    help = (
        "Creates an app in the project's package from the project's app template "
        "(or in the given directory, from the given template)."
    )

    def handle(self, **options):
        name = options["name"]
        made = None
        if options["directory"] is None:
            made = Path(settings.APPS_DIR) / name
            try:
                made.mkdir()
            except FileExistsError:
                raise CommandError(f"'{made}' already exists") from None
            options["directory"] = str(made)
        if options["template"] is None:
            options["template"] = str(APP_TEMPLATE)
            # The template's pages name the app too.
            options["extensions"] = [*options["extensions"], "html"]
        try:
            super().handle(**options)
        except CommandError:
            if made is not None and not any(made.iterdir()):
                made.rmdir()
            raise
        if made is not None:
            package = Path(settings.APPS_DIR).name
            self.stdout.write(
                f"Created {package}/{name}/. To use it, add "
                f'"{package}.{name}" to INSTALLED_APPS in config/settings/base.py '
                f'and path("{name}/", include("{package}.{name}.urls")) to '
                "config/urls.py."
            )
