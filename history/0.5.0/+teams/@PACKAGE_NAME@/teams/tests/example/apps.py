from django.apps import AppConfig


class ExampleConfig(AppConfig):
    """A team's own data, the way a project's app keeps it: installed by the test
    settings only, so the pattern is proven without a table in the project."""

    name = __name__.rpartition(".")[0]
    label = "teams_example"
    default_auto_field = "django.db.models.BigAutoField"
