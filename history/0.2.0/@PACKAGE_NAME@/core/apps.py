from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pages, the health check and logging helpers."""

    name = "@PACKAGE_NAME@.core"
    verbose_name = "Core"
