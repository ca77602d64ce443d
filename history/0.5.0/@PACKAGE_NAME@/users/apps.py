from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "@PACKAGE_NAME@.users"
    verbose_name = "Users"
