"""`manage.py startapp` makes apps inside the package, from the project's template."""

import py_compile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def apps_dir(settings, tmp_path):
    settings.APPS_DIR = tmp_path
    return tmp_path


def test_makes_a_self_contained_app_in_the_package(apps_dir, capsys):
    call_command("startapp", "library")
    app = apps_dir / "library"
    for path in [
        "apps.py",
        "urls.py",
        "views.py",
        "migrations/__init__.py",
        "tests/test_views.py",
        "templates/library/index.html",
        "static/library/library.css",
    ]:
        assert (app / path).is_file(), path
    for source in app.rglob("*.py"):
        py_compile.compile(str(source), doraise=True)
    apps = (app / "apps.py").read_text()
    assert 'label = "library"' in apps
    assert "class LibraryConfig" in apps
    assert 'nav_links = [("Library", "library:index")]' in apps
    page = (app / "templates/library/index.html").read_text()
    assert page.startswith('{% extends "base.html" %}')
    assert '{% static "library/library.css" %}' in page
    assert "verbatim" not in page
    assert f'"{apps_dir.name}.library" to INSTALLED_APPS' in capsys.readouterr().out


def test_refuses_an_existing_directory(apps_dir):
    (apps_dir / "library").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        call_command("startapp", "library")


def test_leaves_nothing_behind_for_a_bad_name(apps_dir):
    with pytest.raises(CommandError, match="conflicts with the name"):
        call_command("startapp", "json")
    assert not (apps_dir / "json").exists()


def test_a_directory_given_is_used_as_django_does(tmp_path):
    call_command("startapp", "library", str(tmp_path))
    assert (tmp_path / "apps.py").is_file()


def test_a_template_given_is_used_as_django_does(apps_dir, tmp_path):
    template = tmp_path / "plain_template"
    (template / "templates").mkdir(parents=True)
    (template / "apps.py-tpl").write_text("# {{ app_name }}\n")
    (template / "templates" / "page.html").write_text("{{ app_name }}\n")
    call_command("startapp", "library", "--template", str(template))
    assert (apps_dir / "library" / "apps.py").read_text() == "# library\n"
    # Only the project's own template has its pages rendered.
    page = apps_dir / "library" / "templates" / "page.html"
    assert page.read_text() == "{{ app_name }}\n"


def test_a_bad_name_in_a_directory_given_leaves_that_directory(tmp_path):
    with pytest.raises(CommandError, match="conflicts with the name"):
        call_command("startapp", "json", str(tmp_path))
    assert tmp_path.is_dir()
