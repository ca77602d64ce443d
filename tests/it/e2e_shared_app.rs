//! End to end: an app made the documented way (`manage.py startapp`) in one
//! project travels to another with git subtree and works there unchanged.
//!
//! In `acme`: startapp, then a model (with `Meta.ordering` and `indexes`), a form
//! with `widgets`, a view behind login, a template, a migration and tests. Then
//! `git subtree split` into a local bare repository, `git subtree add` into
//! `globex`, and both projects pass ruff, pytest with the coverage floor and
//! `makemigrations --check`, with the app's files byte for byte the same.

use std::fs;

use crate::support::e2e::{run, tool_on_path, Env, Project};
use crate::support::snapshot;

const MODELS: &str = r#"from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["owner", "created"])]

    def __str__(self) -> str:
        return self.text[:50]
"#;

const FORMS: &str = r#"from django import forms

from .models import Note


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
"#;

const VIEWS: &str = r#"from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.views.generic import CreateView

from .forms import NoteForm


class IndexView(LoginRequiredMixin, CreateView):
    """The user's notes, and a form to add one."""

    form_class = NoteForm
    template_name = "notes/index.html"
    success_url = reverse_lazy("notes:index")

    def get_context_data(self, **kwargs):
        return super().get_context_data(notes=self.request.user.notes.all(), **kwargs)

    def form_valid(self, form):
        form.instance.owner = self.request.user
        return super().form_valid(form)
"#;

const TEMPLATE: &str = r#"{% extends "base.html" %}
{% load static %}

{% block title %}Notes · {{ site_name }}{% endblock %}

{% block css %}<link rel="stylesheet" href="{% static 'notes/notes.css' %}">{% endblock %}

{% block content %}
  <h1>Your notes</h1>
  <form method="post">
    {% csrf_token %}
    {{ form }}
    <button type="submit">Add</button>
  </form>
  <ul>
    {% for note in notes %}
      <li>{{ note.text }}</li>
    {% empty %}
      <li>No notes yet.</li>
    {% endfor %}
  </ul>
{% endblock %}
"#;

const TESTS: &str = r#"import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from ..models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(user_factory):
    # The project's conftest.py makes users, whatever the project's package.
    return user_factory()


def test_notes_need_login(client):
    response = client.get(reverse("notes:index"))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_add_and_list_notes(client, member):
    client.force_login(member)
    response = client.post(reverse("notes:index"), {"text": "Buy milk"})
    assert response.status_code == 302
    note = Note.objects.get()
    assert note.owner == member
    assert str(note) == "Buy milk"
    response = client.get(reverse("notes:index"))
    assert b"Buy milk" in response.content
    assert "notes/index.html" in [t.name for t in response.templates]


def test_the_site_header_links_to_the_notes(client):
    # apps.py's nav_links, from the app template; the project's base.html is
    # untouched.
    html = client.get(resolve_url(settings.LOGIN_URL)).content.decode()
    assert f'<a href="{reverse("notes:index")}">Notes</a>' in html
"#;

#[test]
fn an_app_made_by_startapp_moves_to_another_project_with_git_subtree() {
    let shared = tempfile::Builder::new()
        .prefix("qs-e2e-shared-")
        .tempdir()
        .unwrap();
    let bare = shared.path().join("notes.git");

    // acme: make the app the documented way, then write it.
    let acme = Project::generate("acme");
    let acme_env = Env::uv_sync(&acme, "3.13");
    commit_new_project(&acme);
    let out = run(acme_env.manage(&["startapp", "notes"]));
    assert!(out.contains(r#""acme.notes" to INSTALLED_APPS"#), "{out}");
    let app = acme.dir.join("acme/notes");
    for (path, text) in [
        ("models.py", MODELS),
        ("forms.py", FORMS),
        ("views.py", VIEWS),
        ("templates/notes/index.html", TEMPLATE),
        ("tests/test_views.py", TESTS),
    ] {
        fs::write(app.join(path), text).unwrap();
    }
    wire_in(&acme, "acme");
    run(acme_env.manage(&["makemigrations", "notes"]));
    assert!(app.join("migrations/0001_initial.py").is_file());
    // The app apart from its wiring: only the app travels to the shared repository.
    git(&acme, &["add", "acme/notes"]);
    git(&acme, &["commit", "--quiet", "-m", "Notes app"]);
    git(
        &acme,
        &["commit", "--quiet", "-am", "Wire in the notes app"],
    );
    passes_every_check(&acme_env, "acme");

    // Split it into the shared repository.
    run(acme
        .cmd(tool_on_path("git"))
        .args(["init", "--quiet", "--bare", "--initial-branch=main"])
        .arg(&bare));
    git(
        &acme,
        &[
            "subtree",
            "split",
            "--prefix=acme/notes",
            "--branch=notes-split",
        ],
    );
    run(git_cmd(&acme)
        .args(["push", "--quiet"])
        .arg(&bare)
        .arg("notes-split:main"));

    // globex: add it under its own package, wire it in, change nothing in it.
    let globex = Project::generate("globex");
    let globex_env = Env::uv_sync(&globex, "3.13");
    commit_new_project(&globex);
    run(git_cmd(&globex)
        .args(["subtree", "add", "--prefix=globex/notes"])
        .arg(&bare)
        .args(["main", "--squash"]));
    wire_in(&globex, "globex");
    passes_every_check(&globex_env, "globex");

    let without_caches = |tree: std::collections::BTreeMap<std::path::PathBuf, _>| {
        tree.into_iter()
            .filter(|(path, _)| {
                !path
                    .components()
                    .any(|part| part.as_os_str() == "__pycache__")
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        without_caches(snapshot(&app)),
        without_caches(snapshot(&globex.dir.join("globex/notes"))),
        "the app is the same in both projects"
    );
}

/// What the project's README asks of every app: INSTALLED_APPS and the URLs.
fn wire_in(project: &Project, package: &str) {
    let settings = project.dir.join("config/settings/base.py");
    let text = fs::read_to_string(&settings).unwrap();
    let users = format!("    \"{package}.users\",\n");
    assert!(text.contains(&users), "{text}");
    let text = text.replace(&users, &format!("{users}    \"{package}.notes\",\n"));
    fs::write(&settings, text).unwrap();

    let urls = project.dir.join("config/urls.py");
    let text = fs::read_to_string(&urls).unwrap();
    let core = format!("    path(\"\", include(\"{package}.core.urls\")),\n");
    assert!(text.contains(&core), "{text}");
    let notes = format!("    path(\"notes/\", include(\"{package}.notes.urls\")),\n");
    fs::write(&urls, text.replace(&core, &format!("{notes}{core}"))).unwrap();
}

fn passes_every_check(env: &Env<'_>, package: &str) {
    env.ruff();
    env.migrate_and_test(None);
    let out = run(env.manage(&["makemigrations", "--check", "--dry-run"]));
    assert!(out.contains("No changes detected"), "{out}");
    // The app's own tests ran, its header link among them.
    let out = run(env
        .tool("pytest")
        .args(["-q", "-p", "no:cacheprovider", "-k", "notes"]));
    assert!(out.contains("3 passed"), "{out}");
    // No edit to the layout put the link there.
    let base = env.project.dir.join(package).join("templates/base.html");
    let base = fs::read_to_string(base).unwrap();
    assert!(!base.contains("notes"), "{base}");
}

/// A repository with the project as init wrote it, as its README asks.
fn commit_new_project(project: &Project) {
    git(project, &["init", "--quiet", "--initial-branch=main"]);
    git(project, &["add", "."]);
    git(
        project,
        &["commit", "--quiet", "-m", "New project from quickscale"],
    );
}

fn git_cmd(project: &Project) -> xshell::Cmd<'_> {
    project
        .cmd(tool_on_path("git"))
        .env("GIT_AUTHOR_NAME", "e2e")
        .env("GIT_AUTHOR_EMAIL", "e2e@example.com")
        .env("GIT_COMMITTER_NAME", "e2e")
        .env("GIT_COMMITTER_EMAIL", "e2e@example.com")
}

fn git(project: &Project, args: &[&str]) {
    run(git_cmd(project).args(args));
}
