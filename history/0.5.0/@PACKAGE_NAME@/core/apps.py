from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pages, the health check and logging helpers."""

    name = "@PACKAGE_NAME@.core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the check of every app's navigation links.
        from . import navigation  # noqa: F401
