//! End to end: a project made by quickscale 0.1.0 (the first history entry),
//! and one made by 0.2.0,
//! committed and then edited as a client team does (settings, urls, README, a
//! deleted starter file, an app of their own made the way 0.1.0's README says,
//! a `.venv`), upgraded by the real binary to its own starter, resolved as a
//! person would, and then run as a fresh project is: locked install on Python
//! 3.11, checks, the deploy check, migrations, its tests with the coverage
//! floor, ruff.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::Path;

use quickscale::names::project_names;
use quickscale::render::{render_with, Values};
use quickscale::starter::{self, top_level_modules};
use similar::{capture_diff_slices, Algorithm, DiffOp};

use crate::support::e2e::{fails, passes_every_gate, run, uv, Env, Project, PRODUCTION_VARS};
use crate::support::starters::V0_1_0_DIGEST;
use crate::support::{git, quickscale, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");
pub(crate) const NAME: &str = "acme";

/// The team's own lines, each asserted after the upgrade.
/// The starter's line the team changed: passwords of at least 12 characters.
const STARTER_MIN_LENGTH: &str =
    "    {\"NAME\": \"django.contrib.auth.password_validation.MinimumLengthValidator\"},\n";
pub(crate) const TEAM_MIN_LENGTH: &str = "    {\n        \"NAME\": \"django.contrib.auth.password_validation.MinimumLengthValidator\",\n        \"OPTIONS\": {\"min_length\": 12},\n    },\n";
pub(crate) const TEAM_APP: &str = "    \"acme.blog\",\n";
pub(crate) const TEAM_ROUTE: &str = "    path(\"blog/\", include(\"acme.blog.urls\")),\n";
pub(crate) const TEAM_INTRO: &str = "# ACME Corp website\n\nThe public site of ACME Corp: news, \
                          products and the customer log-in. Owned by the web team.\n";
/// The starter file the team deleted: they run CI elsewhere.
pub(crate) const TEAM_DELETED: &str = ".github/workflows/ci.yml";

/// The app the team added under the package, the files they wrote into what
/// `django-admin startapp` made (the migration is makemigrations').
const TEAM_APP_FILES: &[(&str, &str)] = &[
    (
        "acme/blog/apps.py",
        r#"from django.apps import AppConfig


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "acme.blog"
"#,
    ),
    (
        "acme/blog/models.py",
        r#"from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    published = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published", "-id"]

    def __str__(self):
        return self.title
"#,
    ),
    (
        "acme/blog/admin.py",
        r#"from django.contrib import admin

from .models import Post

admin.site.register(Post)
"#,
    ),
    (
        "acme/blog/views.py",
        r#"from django.views.generic import ListView

from .models import Post


class PostListView(ListView):
    model = Post
"#,
    ),
    (
        "acme/blog/urls.py",
        r#"from django.urls import path

from . import views

app_name = "blog"
urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
]
"#,
    ),
    (
        "acme/blog/templates/blog/post_list.html",
        r#"{% extends "base.html" %}
{% block content %}
<h1>News</h1>
{% for post in object_list %}
  <article><h2>{{ post.title }}</h2><p>{{ post.body }}</p></article>
{% empty %}
  <p>No news yet.</p>
{% endfor %}
{% endblock %}
"#,
    ),
    ("acme/blog/tests/__init__.py", ""),
    (
        "acme/blog/tests/test_views.py",
        r#"import pytest
from django.urls import reverse

from acme.blog.models import Post


@pytest.mark.django_db
def test_the_news_page_lists_posts_newest_first(client):
    Post.objects.create(title="Opening", body="We are open.")
    Post.objects.create(title="Anniversary", body="One year.")
    response = client.get(reverse("blog:post_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Anniversary") < page.index("Opening")
    assert str(Post.objects.get(title="Opening")) == "Opening"
"#,
    ),
];

#[test]
fn a_team_project_made_by_0_1_0_upgrades_and_runs_as_a_fresh_one() {
    let project = Project::made_by_0_1_0(NAME);
    upgrade_a_team_project(&project, "0.1.0", V0_1_0_DIGEST);
}

#[test]
fn a_team_project_made_by_0_2_0_upgrades_and_runs_as_a_fresh_one() {
    let project = Project::made_by(NAME, "0.2.0");
    let digest = starter::HISTORY
        .values()
        .find(|s| s.version == "0.2.0")
        .expect("0.2.0 is in the history")
        .digest;
    upgrade_a_team_project(&project, "0.2.0", digest);
}

/// A project a release wrote (`version`, whose starter has `digest`),
/// committed, edited as a client team does, upgraded by this binary to its
/// own starter, resolved as a person would, and run as a fresh project is, on
/// SQLite and on PostgreSQL.
fn upgrade_a_team_project(project: &Project, version: &str, digest: &str) {
    let dir = &project.dir;
    git(dir, &["init", "-q"]);
    commit(dir, &format!("Project made by quickscale {version}"));
    let ours = team_work(project);
    let team_app: BTreeMap<String, Vec<u8>> = ours
        .iter()
        .filter(|(path, _)| path.starts_with("acme/blog/"))
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect();

    // The plan, then the upgrade itself.
    let plan = quickscale_json(dir, &["upgrade", "--dry-run", "--format", "json"]);
    assert_eq!(plan["base_version"], version, "{plan:#}");
    let upgraded = quickscale(dir, &["upgrade"]);
    let printed = format!("{}{}", stdout(&upgraded), stderr(&upgraded));
    let files = plan["files"].as_array().unwrap();
    let conflicts = conflicts_of(files);
    let expected_code = if conflicts.is_empty() { 0 } else { 1 };
    assert_eq!(upgraded.status.code(), Some(expected_code), "{printed}");
    let base = rendered(digest, &[]);
    let theirs = rendered(starter::head_digest(), &[]);
    check_outcomes(dir, files, &base, &ours, &theirs, &printed);

    let outcome_of = |path: &str| {
        files
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["outcome"].as_str().unwrap())
    };
    // From 0.1.0, where 0.2.0 added its accounts route beside the team's.
    if version == "0.1.0" {
        assert_eq!(outcome_of("config/urls.py"), Some("conflict"));
    }
    assert_eq!(outcome_of(TEAM_DELETED), Some("conflict"));
    assert_eq!(outcome_of("config/settings/base.py"), Some("merged"));
    assert_eq!(outcome_of("README.md"), Some("merged"));

    // Every edit of the team is still there...
    let settings = read(dir, "config/settings/base.py");
    assert!(settings.contains(TEAM_MIN_LENGTH) && settings.contains(TEAM_APP));
    assert!(read(dir, "README.md").starts_with(TEAM_INTRO));
    assert!(read(dir, "config/urls.py").contains(TEAM_ROUTE));
    for (path, bytes) in &team_app {
        assert_eq!(&fs::read(dir.join(path)).unwrap(), bytes, "{path}");
    }
    assert!(dir.join(".venv/bin/python").exists());
    // ... and so is every change of the starter, merged into them.
    for (path, starter_line) in [
        ("config/settings/base.py", "    \"allauth.account\",\n"),
        ("config/settings/base.py", "\"ATOMIC_REQUESTS\"] = True\n"),
        (
            "config/settings/base.py",
            "\"acme.core.context_processors.site\"",
        ),
        (
            "config/urls.py",
            "handler400 = \"acme.core.views.bad_request\"\n",
        ),
        (
            "config/urls.py",
            "    path(\"accounts/\", include(\"allauth.urls\")),\n",
        ),
        ("config/settings/production.py", "DJANGO_ADMIN_URL"),
        ("README.md", "- [Accounts](#accounts)"),
        ("pyproject.toml", "django-allauth"),
    ] {
        assert!(
            read(dir, path).contains(starter_line),
            "{path} lacks the starter's {starter_line:?}"
        );
    }
    for new in [
        "acme/core/management/commands/startapp.py",
        "acme/core/templates/core/home.html",
        ".github/dependabot.yml",
    ] {
        assert_eq!(fs::read(dir.join(new)).unwrap(), theirs[new], "{new}");
    }
    assert!(!dir.join("acme/templates/core/home.html").exists());
    // The new per-project secret, beside the team's own.
    let env_file = read(dir, ".env");
    assert!(env_file.starts_with("DJANGO_SECRET_KEY=made-by-the-test\n"));
    assert!(env_file.contains("\nPOSTGRES_PASSWORD="), "{env_file}");
    // 0.1.0's projects had no compose password; 0.2.0's have theirs already.
    assert_eq!(
        printed.contains("Generated POSTGRES_PASSWORD in .env"),
        version == "0.1.0",
        "{printed}"
    );
    let manifest = read(dir, ".quickscale.toml");
    assert!(manifest.contains(&format!("quickscale_version = \"{VERSION}\"\n")));
    assert!(manifest.contains(&format!(
        "starter_digest = \"{}\"\n",
        starter::head_digest()
    )));

    // Resolved as a person would: both routes, and no GitHub workflow.
    for conflict in &conflicts {
        let path = conflict["path"].as_str().unwrap();
        if conflict["reason"] == "lines" {
            write(dir, path, &keep_both(&read(dir, path)));
        }
        if let Some(beside) = conflict["beside"].as_str() {
            fs::remove_file(dir.join(beside)).unwrap();
        }
    }
    let urls = read(dir, "config/urls.py");
    assert!(urls.contains(TEAM_ROUTE) && urls.contains("include(\"allauth.urls\")"));
    if printed.contains("uv lock ") {
        run(project.cmd(uv()).arg("lock"));
    }
    commit(dir, &format!("Upgrade to quickscale {VERSION}"));

    // It runs as a fresh project of this starter does.
    let env = passes_every_gate(project, true);
    // 0.1.0's production ran without DJANGO_ADMIN_URL; 0.2.0's refuses to, and
    // says so (docs/upgrading.md tells the team before they deploy).
    let without_admin_url = PRODUCTION_VARS
        .iter()
        .filter(|(name, _)| *name != "DJANGO_ADMIN_URL")
        .copied();
    let refused = fails(env.manage(&["check"]).envs(without_admin_url));
    assert!(refused.contains("Set the DJANGO_ADMIN_URL"), "{refused}");
    let team_tests = run(env
        .tool("pytest")
        .args(["-q", "-p", "no:cacheprovider", "acme/blog"]));
    assert!(team_tests.contains("1 passed"), "{team_tests}");

    // A second upgrade has nothing to do, and writes nothing.
    let before = tree_files(dir);
    let again = quickscale(dir, &["upgrade"]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    let again = stdout(&again);
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(tree_files(dir), before);
}

/// The client team's work on a committed project, on the project's own
/// virtualenv (Python 3.11): an app of their own made as the README says, their
/// password rule and app in the settings, their route, their README intro, and
/// the starter's CI workflow deleted. Committed; returns the tracked files.
pub(crate) fn team_work(project: &Project) -> BTreeMap<String, Vec<u8>> {
    let dir = &project.dir;
    let old_env = Env::uv_sync(project, "3.11");
    fs::create_dir(dir.join("acme/blog")).unwrap();
    run(old_env
        .tool("django-admin")
        .args(["startapp", "blog", "acme/blog"]));
    fs::remove_file(dir.join("acme/blog/tests.py")).unwrap();
    for (path, text) in TEAM_APP_FILES {
        write(dir, path, text);
    }
    edit(
        dir,
        "config/settings/base.py",
        STARTER_MIN_LENGTH,
        TEAM_MIN_LENGTH,
    );
    edit(
        dir,
        "config/settings/base.py",
        "    \"acme.users\",\n",
        &format!("    \"acme.users\",\n{TEAM_APP}"),
    );
    // Before the catch-all: where 0.2.0 puts its accounts route too.
    edit(
        dir,
        "config/urls.py",
        "    path(\"\", include(\"acme.core.urls\")),\n",
        &format!("{TEAM_ROUTE}    path(\"\", include(\"acme.core.urls\")),\n"),
    );
    let readme = read(dir, "README.md");
    let intro_end = readme.find("\n- [Run it]").unwrap();
    write(
        dir,
        "README.md",
        &format!("{TEAM_INTRO}{}", &readme[intro_end..]),
    );
    fs::remove_file(dir.join(TEAM_DELETED)).unwrap();
    run(old_env.manage(&["makemigrations", "blog"]));
    assert!(dir.join("acme/blog/migrations/0001_initial.py").is_file());
    assert!(dir.join(".venv/bin/python").exists());
    commit(dir, "Our blog, our time zone, our README");
    tree_files(dir)
}

/// The plan's conflicted files.
pub(crate) fn conflicts_of(files: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    files
        .iter()
        .filter(|f| f["outcome"] == "conflict")
        .collect()
}

/// Checks each file of an applied plan (`upgrade` or `add`) against the three
/// sides: conflicts only where both sides changed the same lines (or, for the
/// file the team deleted, where the starter changed what they deleted); every
/// clean merge had edits apart; a taken file is theirs, a kept one ours; every
/// conflict named in what the command printed.
pub(crate) fn check_outcomes(
    dir: &Path,
    files: &[serde_json::Value],
    base: &BTreeMap<String, Vec<u8>>,
    ours: &BTreeMap<String, Vec<u8>>,
    theirs: &BTreeMap<String, Vec<u8>>,
    printed: &str,
) {
    for file in files {
        let path = file["path"].as_str().unwrap();
        match (file["outcome"].as_str().unwrap(), file["reason"].as_str()) {
            ("conflict", Some("lines")) => assert!(
                edits_overlap(&base[path], &ours[path], &theirs[path]),
                "{path} conflicts, but the team's edits and the starter's are apart"
            ),
            ("conflict", Some("deleted_by_you")) => {
                assert_eq!(path, TEAM_DELETED);
                assert_ne!(base[path], theirs[path]);
                let beside = format!("{path}.quickscale-{VERSION}");
                assert_eq!(file["beside"], beside.as_str());
                assert_eq!(read(dir, &beside).as_bytes(), theirs[path].as_slice());
                assert!(!dir.join(path).exists(), "the deleted file stays deleted");
            }
            ("conflict", reason) => panic!("{path}: unexpected conflict {reason:?}: {file}"),
            ("merged", _) => assert!(
                !edits_overlap(&base[path], &ours[path], &theirs[path]),
                "{path} merged cleanly though both changed the same lines"
            ),
            ("take", _) => assert_eq!(
                fs::read(dir.join(path)).ok().as_ref(),
                theirs.get(path),
                "{path} is taken as the starter has it"
            ),
            ("keep", _) => assert_eq!(
                fs::read(dir.join(path)).ok().as_ref(),
                ours.get(path),
                "{path} is kept as the team has it"
            ),
            (outcome, _) => panic!("{path}: unexpected {outcome}: {file}"),
        }
        if file["outcome"] == "conflict" {
            assert!(printed.contains(path), "{path} is not named:\n{printed}");
        }
    }
}

pub(crate) fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

pub(crate) fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

pub(crate) fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let text = read(dir, path);
    assert!(text.contains(from), "{path} holds {from:?}");
    write(dir, path, &text.replacen(from, to, 1));
}

pub(crate) fn quickscale_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = quickscale(dir, args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&out)))
}

/// The files git tracks in `dir` (so not `.venv`, `.env` or the database),
/// path -> bytes.
pub(crate) fn tree_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let listed = git(
        dir,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    listed
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8(p.to_vec()).unwrap())
        .filter_map(|p| fs::read(dir.join(&p)).ok().map(|bytes| (p, bytes)))
        .collect()
}

/// The starter `digest` rendered for this project with `modules`: path -> bytes.
pub(crate) fn rendered(digest: &str, modules: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let names = project_names(NAME, &top_level_modules()).unwrap();
    let starter = starter::by_digest(digest).expect("the starter is compiled in");
    render_with(starter, &Values::for_names(&names), modules)
        .into_iter()
        .map(|file| (file.path, file.bytes))
        .collect()
}

/// The base lines each side's edits replace: an insertion is an empty range
/// at its place.
fn edited_ranges(base: &[&str], side: &[&str]) -> Vec<Range<usize>> {
    capture_diff_slices(Algorithm::Myers, base, side)
        .into_iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        .map(|op| op.old_range())
        .collect()
}

/// Whether an edit of ours and one of theirs touch the same base lines, or
/// meet (git's diff3 conflicts on edits that are adjacent, too).
fn edits_overlap(base: &[u8], ours: &[u8], theirs: &[u8]) -> bool {
    let (base, ours, theirs) = (text(base), text(ours), text(theirs));
    let base = lines(&base);
    let ours = edited_ranges(&base, &lines(&ours));
    let theirs = edited_ranges(&base, &lines(&theirs));
    ours.iter()
        .any(|a| theirs.iter().any(|b| a.start <= b.end && b.start <= a.end))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("a text file")
}

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// A conflict resolved by keeping both sides, yours first: the base section
/// and the markers go.
pub(crate) fn keep_both(text: &str) -> String {
    let mut out = String::new();
    let mut in_base = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<< ") || line.starts_with(">>>>>>> ") {
            continue;
        } else if line.starts_with("||||||| ") {
            in_base = true;
        } else if line == "=======\n" {
            in_base = false;
        } else if !in_base {
            out.push_str(line);
        }
    }
    assert_ne!(out, text, "no conflict markers in:\n{text}");
    out
}

#[test]
fn overlapping_edits_are_on_the_same_or_adjacent_base_lines() {
    let base = b"a\nb\nc\nd\ne\n";
    assert!(edits_overlap(base, b"A\nb\nc\nd\ne\n", b"1\nb\nc\nd\ne\n"));
    assert!(edits_overlap(
        base,
        b"a\nX\nb\nc\nd\ne\n",
        b"a\nY\nb\nc\nd\ne\n"
    ));
    assert!(edits_overlap(base, b"A\nb\nc\nd\ne\n", b"a\nB\nc\nd\ne\n"));
    assert!(!edits_overlap(base, b"A\nb\nc\nd\ne\n", b"a\nb\nc\nd\nE\n"));
    assert!(!edits_overlap(
        base,
        b"a\nb\nc\nd\ne\nf\n",
        b"0\na\nb\nc\nd\ne\n"
    ));
    assert_eq!(
        keep_both("x\n<<<<<<< yours\nA\n||||||| quickscale 0.1.0\nB\n=======\nC\n>>>>>>> quickscale 0.2.0\ny\n"),
        "x\nA\nC\ny\n"
    );
}
