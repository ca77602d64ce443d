//! `quickscale upgrade` on real projects made by 0.1.0, run by a real binary
//! whose starter is the next release (support/starters.rs): every outcome,
//! byte-exact writes, refusals that leave the tree as it was, git safety.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use pretty_assertions::assert_eq;

use crate::support::starters::{
    OldProject, NEXT_CRLF_TEXT, NEXT_README_SECTION, NEXT_TIME_ZONE, NEXT_URLS_LINE, OLD_TIME_ZONE,
};
use crate::support::{assert_one_line_error, git, quickscale, snapshot, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(output)))
}

/// `path -> outcome[/action|/reason]` of a JSON plan.
fn outcomes(output: &Output) -> Vec<(String, String)> {
    json(output)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let detail = f["action"].as_str().or(f["reason"].as_str());
            let outcome = f["outcome"].as_str().unwrap();
            let shown = detail.map_or(outcome.to_owned(), |d| format!("{outcome}/{d}"));
            (f["path"].as_str().unwrap().to_owned(), shown)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A 0.1.0 project edited as a team would: its own README title, its own time
/// zone where the starter also changed it, its own wsgi, a deleted starter
/// file, a new app and a virtualenv.
fn team_project() -> OldProject {
    let project = OldProject::new("acme");
    project.edit("README.md", "# acme\n", "# ACME Corp intranet\n");
    project.edit(
        "config/settings/base.py",
        OLD_TIME_ZONE,
        "TIME_ZONE = \"Europe/Madrid\"\n",
    );
    project.edit("config/wsgi.py", "import os\n", "import os  # ours\n");
    fs::remove_file(project.path("conftest.py")).unwrap();
    fs::create_dir_all(project.path("acme/blog/migrations")).unwrap();
    project.write("acme/blog/models.py", "# the team's own app\n");
    fs::create_dir_all(project.path(".venv/lib")).unwrap();
    for i in 0..200 {
        project.write(&format!(".venv/lib/mod{i}.py"), "x = 1\n");
    }
    project
}

#[test]
fn a_team_project_takes_every_starter_change_and_keeps_every_edit() {
    let project = team_project();
    let plan = project.next_read_only(&["upgrade", "--dry-run", "--format", "json"]);
    assert_eq!(
        plan.status.code(),
        Some(1),
        "a conflict would be left: {}",
        stderr(&plan)
    );
    assert_eq!(
        outcomes(&plan),
        pairs(&[
            ("README.md", "merged"),
            ("acme/core/signals.py", "take/add"),
            ("acme/static/css/print.css", "take/add"),
            ("acme/static/favicon.ico", "take/update"),
            ("config/asgi.py", "take/delete"),
            ("config/settings/base.py", "conflict/lines"),
            ("config/urls.py", "take/update"),
            ("config/wsgi.py", "keep"),
            ("conftest.py", "keep"),
            ("gunicorn.conf.py", "take/update"),
            ("uv.lock", "take/update"),
        ])
    );
    assert_eq!(json(&plan)["applied"], false);

    let output = project.next(&["upgrade"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "conflicts left: {}",
        stderr(&output)
    );
    let report = stdout(&output);
    for expected in [
        &format!("Upgraded acme from quickscale 0.1.0 to quickscale {VERSION}: 7 taken, 1 merged, 1 conflict, 2 kept"),
        "Conflicts to resolve:\n  config/settings/base.py: 1 conflicting hunk: edit the file and remove the markers\n",
        "uv run pytest",
        "git add -A && git commit",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }
    // Not in "Next:" (the release notes crossed may still name migrate).
    assert!(
        !report.contains("  uv run python manage.py migrate #"),
        "no migration and no new app: {report}"
    );

    // Every user edit is there, and every starter change.
    let readme = project.read("README.md");
    assert!(readme.starts_with("# ACME Corp intranet\n"), "{readme}");
    assert!(readme.ends_with(NEXT_README_SECTION), "{readme}");
    assert!(project.read("config/urls.py").ends_with(NEXT_URLS_LINE));
    assert!(project
        .read("config/wsgi.py")
        .contains("import os  # ours\n"));
    assert!(
        !project.path("conftest.py").exists(),
        "a file you deleted stays deleted"
    );
    assert!(
        !project.path("config/asgi.py").exists(),
        "removed from the starter, untouched by you"
    );
    assert_eq!(
        project.read("acme/core/signals.py"),
        "\"\"\"Signal handlers of acme.\"\"\"\n"
    );
    assert_eq!(
        project.read("acme/static/css/print.css"),
        NEXT_CRLF_TEXT,
        "CRLF survives"
    );
    assert!(fs::read(project.path("acme/static/favicon.ico"))
        .unwrap()
        .ends_with(b"\x00next\xff"));
    let mode = fs::metadata(project.path("gunicorn.conf.py"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "the execute bit the starter added");
    assert_eq!(
        project.read("acme/blog/models.py"),
        "# the team's own app\n"
    );
    assert_eq!(
        fs::read_dir(project.path(".venv/lib")).unwrap().count(),
        200
    );

    // The one conflict, written the way git writes it.
    let settings = project.read("config/settings/base.py");
    let conflict = format!(
        "<<<<<<< yours\nTIME_ZONE = \"Europe/Madrid\"\n||||||| quickscale 0.1.0\n{OLD_TIME_ZONE}=======\n{NEXT_TIME_ZONE}>>>>>>> quickscale {VERSION}\n"
    );
    assert!(settings.contains(&conflict), "{settings}");

    // The manifest moved to the new base and remembers the conflict.
    let manifest = project.read(".quickscale.toml");
    assert!(
        manifest.contains(&format!("quickscale_version = \"{VERSION}\"")),
        "{manifest}"
    );
    assert!(
        !manifest.contains("sha256:ffafdf6f"),
        "the digest moved on: {manifest}"
    );
    assert!(
        manifest.contains("[conflicts]\n\"config/settings/base.py\" = \"unresolved\"\n"),
        "{manifest}"
    );
    assert!(!manifest.contains("config/asgi.py"), "{manifest}");

    // Until resolved, diff and a second upgrade report the conflict, never
    // taking the markers for an edit of yours.
    let diff = project.next_read_only(&["diff", "--format", "json"]);
    assert_eq!(diff.status.code(), Some(1));
    assert_eq!(
        outcomes(&diff)
            .iter()
            .find(|(p, _)| p == "config/settings/base.py")
            .unwrap()
            .1,
        "conflict/unresolved"
    );
    let again = project.next_read_only(&["upgrade"]);
    assert_eq!(again.status.code(), Some(1), "{}", stdout(&again));
    assert!(
        stdout(&again).contains("conflict markers from the last upgrade"),
        "{}",
        stdout(&again)
    );

    // Resolved: the project is up to date and a further upgrade is a no-op.
    project.write(
        "config/settings/base.py",
        &settings.replace(&conflict, "TIME_ZONE = \"Europe/Madrid\"\n"),
    );
    let done = project.next_read_only(&["upgrade"]);
    assert_eq!(done.status.code(), Some(0), "{}", stdout(&done));
    assert!(stdout(&done).contains("nothing to do"), "{}", stdout(&done));
    let diff = project.next_read_only(&["diff"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "only your own changes remain: {}",
        stdout(&diff)
    );
}

#[test]
fn cases_no_line_merge_decides_are_conflicts_that_never_touch_your_data() {
    let project = OldProject::new("acme");
    fs::remove_file(project.path("README.md")).unwrap(); // deleted by you, changed by the starter
    project.write("config/asgi.py", "# my asgi\n"); // changed by you, removed by the starter
    fs::write(project.path("acme/static/favicon.ico"), b"\x00my icon").unwrap(); // binary, both
    project.write("uv.lock", "# locked by me\n"); // a lock file, both
    fs::remove_file(project.path("config/urls.py")).unwrap(); // a directory where a file belongs
    fs::create_dir(project.path("config/urls.py")).unwrap();
    project.write("config/urls.py/keep.txt", "mine\n");
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret"), "outside the project\n").unwrap();
    fs::remove_file(project.path("config/settings/base.py")).unwrap(); // a symlink out of the project
    std::os::unix::fs::symlink(
        outside.path().join("secret"),
        project.path("config/settings/base.py"),
    )
    .unwrap();
    fs::remove_file(project.path("gunicorn.conf.py")).unwrap(); // a FIFO, never opened
    nix_mkfifo(&project.path("gunicorn.conf.py"));

    let output = project.next(&["upgrade", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let got: Vec<(String, String)> = outcomes(&output)
        .into_iter()
        .filter(|(_, o)| o.starts_with("conflict"))
        .collect();
    assert_eq!(
        got,
        pairs(&[
            ("README.md", "conflict/deleted_by_you"),
            ("acme/static/favicon.ico", "conflict/binary"),
            ("config/asgi.py", "conflict/removed_by_starter"),
            ("config/settings/base.py", "conflict/not_a_file"),
            ("config/urls.py", "conflict/not_a_file"),
            ("gunicorn.conf.py", "conflict/not_a_file"),
            ("uv.lock", "conflict/lock"),
        ])
    );
    let doc = json(&output);
    let detail = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["detail"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        detail("uv.lock").contains("`uv lock`"),
        "{}",
        detail("uv.lock")
    );
    assert!(detail("config/settings/base.py").contains("symbolic link"));
    assert!(detail("gunicorn.conf.py").contains("FIFO"));

    // Yours untouched everywhere; the starter's version beside where it helps.
    let beside = |rel: &str| project.path(&format!("{rel}.quickscale-{VERSION}"));
    assert!(!project.path("README.md").exists(), "not recreated");
    assert!(fs::read_to_string(beside("README.md"))
        .unwrap()
        .ends_with(NEXT_README_SECTION));
    assert_eq!(project.read("config/asgi.py"), "# my asgi\n");
    assert_eq!(
        fs::read(project.path("acme/static/favicon.ico")).unwrap(),
        b"\x00my icon"
    );
    assert!(fs::read(beside("acme/static/favicon.ico"))
        .unwrap()
        .ends_with(b"\x00next\xff"));
    assert_eq!(project.read("uv.lock"), "# locked by me\n");
    assert!(
        !beside("uv.lock").exists(),
        "a lock file is regenerated, not merged by hand"
    );
    assert_eq!(project.read("config/urls.py/keep.txt"), "mine\n");
    assert!(beside("config/urls.py").is_file());
    assert_eq!(
        fs::read_to_string(outside.path().join("secret")).unwrap(),
        "outside the project\n"
    );
    assert!(
        fs::symlink_metadata(project.path("config/settings/base.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(beside("config/settings/base.py"))
        .unwrap()
        .contains(NEXT_TIME_ZONE));
}

fn nix_mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(status.success());
}

#[test]
fn refusals_leave_the_tree_byte_identical() {
    let project = OldProject::new("acme");
    let refuse = |args: &[&str], expected: &str| {
        let before = snapshot(&project.root);
        assert_one_line_error(&project.next(args), expected);
        assert_eq!(snapshot(&project.root), before, "{args:?}");
    };
    let manifest = project.read(".quickscale.toml");

    fs::remove_file(project.path(".quickscale.toml")).unwrap();
    refuse(
        &["upgrade"],
        "has no .quickscale.toml, so upgrade cannot tell",
    );
    project.write(
        ".quickscale.toml",
        "quickscale_version = \"0.1.0\"\ngarbage\n",
    );
    refuse(&["upgrade"], "corrupt");
    for hostile in [
        "/etc/passwd",
        "../outside.txt",
        "acme/../../x",
        "a//b",
        "bad\\u001bpath",
    ] {
        project.write(
            ".quickscale.toml",
            &format!("{manifest}\"{hostile}\" = \"sha256:{}\"\n", "0".repeat(64)),
        );
        refuse(&["upgrade"], "corrupt");
        refuse(&["diff", "--patch"], "corrupt");
    }
    project.write(
        ".quickscale.toml",
        &manifest.replace(
            "quickscale_version = \"0.1.0\"",
            "quickscale_version = \"99.0.0\"",
        ),
    );
    refuse(&["upgrade"], "newer than this quickscale");
    project.write(".quickscale.toml", &manifest);
    refuse(&["upgrade", "manage.py"], "is not a directory");
    refuse(&["upgrade", "no-such-dir"], "No such file or directory");
    refuse(&["upgrade", "--frobnicate"], "unexpected argument");

    // A dirty git tree: refused, with the files named; --allow-dirty overrides.
    project.commit_all();
    project.edit(
        "config/urls.py",
        "from django.conf import settings\n",
        "from django.conf import settings  # wip\n",
    );
    refuse(
        &["upgrade"],
        "uncommitted changes in files the upgrade would write (config/urls.py)",
    );
    let forced = project.next(&["upgrade", "--allow-dirty"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(
        project.read("config/urls.py").contains("settings  # wip\n"),
        "the edit is merged, not lost"
    );
    assert!(project.read("config/urls.py").ends_with(NEXT_URLS_LINE));
}

#[test]
fn works_the_same_inside_another_repository_and_outside_any() {
    // Outside any repository: nothing to check, the upgrade runs.
    let alone = OldProject::new("acme");
    assert_eq!(alone.next(&["upgrade"]).status.code(), Some(0));
    // Inside a monorepo, the project one directory down.
    let mono = tempfile::tempdir().unwrap();
    git(mono.path(), &["init", "-q"]);
    let root = crate::support::starters::project_0_1_0(&mono.path().join("clients"), "acme");
    fs::write(mono.path().join("top.txt"), "monorepo\n").unwrap();
    git(mono.path(), &["add", "-A"]);
    git(mono.path(), &["commit", "-q", "-m", "monorepo"]);
    fs::write(mono.path().join("top.txt"), "dirty outside the project\n").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(crate::support::starters::next_starter_binary())
            .args(args)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let output = run(&["upgrade"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a dirty file elsewhere in the repository is not ours: {}",
        stderr(&output)
    );
    let status = git(mono.path(), &["status", "--porcelain"]);
    let changed = stdout(&status);
    assert!(changed.contains("clients/acme/config/urls.py"), "{changed}");
    assert_eq!(run(&["diff"]).status.code(), Some(0));
}

#[test]
fn a_base_missing_from_the_history_still_takes_untouched_files() {
    let project = OldProject::new("acme");
    let manifest = project.read(".quickscale.toml");
    project.write(
        ".quickscale.toml",
        &manifest.replace("sha256:ffafdf6f", "sha256:0000df6f"),
    );
    project.edit("README.md", "# acme\n", "# ours\n");
    let text = stdout(&project.next_read_only(&["diff"]));
    assert!(text.contains("not in this quickscale's history"), "{text}");
    let output = project.next(&["upgrade", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let got = outcomes(&output);
    assert!(
        got.contains(&("config/urls.py".into(), "take/update".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("README.md".into(), "conflict/base_unknown".into())),
        "{got:?}"
    );
    assert_eq!(json(&output)["base_version"], serde_json::Value::Null);
    assert!(project.read("config/urls.py").ends_with(NEXT_URLS_LINE));
    assert_eq!(project.read("README.md").lines().next(), Some("# ours"));
    assert!(project
        .path(&format!("README.md.quickscale-{VERSION}"))
        .is_file());
}

#[test]
fn missing_per_project_secrets_are_generated_and_said() {
    let project = OldProject::new("acme");
    project.write(".env", "DEBUG=1");
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output)
            .contains("Generated DJANGO_SECRET_KEY, POSTGRES_PASSWORD in .env, as init would."),
        "{}",
        stdout(&output)
    );
    let env = project.read(".env");
    assert!(
        env.starts_with("DEBUG=1\n# Added by quickscale upgrade"),
        "{env}"
    );
    let key = env
        .lines()
        .find_map(|l| l.strip_prefix("DJANGO_SECRET_KEY="))
        .unwrap();
    assert_eq!(key.len(), 64);
    assert!(
        !project.read(".quickscale.toml").contains(key),
        "secrets never reach the manifest"
    );
}

#[test]
fn bytes_survive_exactly() {
    let project = OldProject::new("acme");
    // No final newline on your side, a change of the starter's elsewhere: a clean merge keeps it.
    let base = project.read("config/settings/base.py");
    project.write("config/settings/base.py", base.trim_end_matches('\n'));
    // CRLF on your side in a file the starter does not change: kept byte for byte.
    let wsgi = project.read("config/wsgi.py").replace('\n', "\r\n");
    project.write("config/wsgi.py", &wsgi);
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let merged = project.read("config/settings/base.py");
    assert_eq!(
        merged,
        base.replace(OLD_TIME_ZONE, NEXT_TIME_ZONE)
            .trim_end_matches('\n')
    );
    assert_eq!(project.read("config/wsgi.py"), wsgi);
}

#[test]
fn uncommitted_means_staged_unstaged_untracked_or_never_committed() {
    // A repository without a commit: every file is uncommitted.
    let project = OldProject::new("acme");
    git(&project.root, &["init", "-q"]);
    let before = snapshot(&project.root);
    assert_one_line_error(
        &project.next(&["upgrade"]),
        "uncommitted changes in files the upgrade would write",
    );
    assert_eq!(snapshot(&project.root), before);

    // Committed, then a staged edit; then an untracked file where the starter adds one.
    project.commit_all();
    project.edit("config/urls.py", "from django.urls", "from django.urls  ");
    git(&project.root, &["add", "config/urls.py"]);
    assert_one_line_error(&project.next(&["upgrade"]), "(config/urls.py)");
    git(&project.root, &["reset", "-q", "--hard"]);
    project.write("acme/core/signals.py", "# mine, not yet committed\n");
    assert_one_line_error(&project.next(&["upgrade"]), "(acme/core/signals.py)");
    fs::remove_file(project.path("acme/core/signals.py")).unwrap();
    assert_eq!(project.next(&["upgrade"]).status.code(), Some(0));
}

/// A project made by the real 0.1.0 whose team routed `blog/` where 0.2.0
/// adds the accounts' route (a conflict), committed in git; this binary's
/// starter is the newer one.
pub fn real_team_project(parent: &std::path::Path) -> std::path::PathBuf {
    let root = crate::support::starters::project_0_1_0(parent, "acme");
    let urls = root.join("config/urls.py");
    let text = fs::read_to_string(&urls).unwrap();
    let route = "    path(\"\", include(\"acme.core.urls\")),\n";
    assert!(text.contains(route), "{text}");
    let blog = format!("    path(\"blog/\", include(\"acme.core.urls\")),\n{route}");
    fs::write(&urls, text.replace(route, &blog)).unwrap();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "acme"]);
    root
}

/// 0.1.0 to 0.2.0, as a team runs it: the plan says what it would generate,
/// the report's next steps include `migrate` (0.2.0's django-allauth came in
/// through INSTALLED_APPS and gave a server error at the first log-in
/// without its tables), and `diff` then names the starter the project is on.
#[test]
fn the_real_upgrade_says_would_and_asks_for_migrate() {
    let tmp = tempfile::tempdir().unwrap();
    let root = real_team_project(tmp.path());
    let first_line = |output: &Output| stdout(output).lines().next().unwrap_or("").to_owned();

    let diff = quickscale(&root, &["diff"]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        first_line(&diff).ends_with(&format!(
            "files to take from the starter of quickscale {VERSION} (project on the 0.1.0 starter)."
        )),
        "{}",
        first_line(&diff)
    );

    let plan = quickscale(&root, &["upgrade", "--dry-run"]);
    assert_eq!(plan.status.code(), Some(1), "{}", stderr(&plan));
    let text = stdout(&plan);
    assert!(
        text.contains("\nWould generate POSTGRES_PASSWORD in .env, as init would.\n"),
        "{text}"
    );
    assert!(
        !text.contains("Generated"),
        "--dry-run generates nothing: {text}"
    );
    let doc = json(&quickscale(
        &root,
        &["upgrade", "--dry-run", "--format", "json"],
    ));
    assert_eq!(
        doc["notes"],
        serde_json::json!(["Would generate POSTGRES_PASSWORD in .env, as init would."])
    );

    let output = quickscale(&root, &["upgrade"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("\nGenerated POSTGRES_PASSWORD in .env, as init would.\n"),
        "{report}"
    );
    assert!(
        report.contains(
            "Next:\n\
             \x20 git diff                        # review what changed\n\
             \x20 git grep -n '^<<<<<<< yours'    # find the conflict markers; edit each file, remove the markers\n\
             \x20 uv sync                         # install the new dependencies\n\
             \x20 uv run python manage.py migrate # create the tables of the new apps and migrations\n\
             \x20 uv run pytest                   # run the tests\n"
        ),
        "{report}"
    );

    // The manifest's version is now the base: diff says so, and with only the
    // conflict left, diff and upgrade say it the same way.
    let unresolved = format!(
        "acme has nothing new to take from the starter of quickscale {VERSION}, but the last \
         upgrade's conflicts are unresolved"
    );
    let diff = quickscale(&root, &["diff"]);
    assert_eq!(diff.status.code(), Some(1), "the conflict is left");
    assert_eq!(
        first_line(&diff),
        format!("{unresolved} (project on the {VERSION} starter).")
    );
    assert!(
        stdout(&diff).ends_with("\nEdit each file, remove the markers and commit.\n"),
        "{}",
        stdout(&diff)
    );
    let again = quickscale(&root, &["upgrade"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stdout(&again),
        format!(
            "{unresolved}:\n  config/urls.py: conflict markers from the last upgrade are still in \
             it: resolve them first\nEdit each file, remove the markers and commit.\n"
        )
    );
}

/// The upgrade was written, then its report could not be: stderr says the
/// project was upgraded, and the exit code is the upgrade's own (exit 2 is
/// kept for a project left untouched).
#[test]
fn a_report_that_cannot_be_printed_still_says_the_project_was_upgraded() {
    let tmp = tempfile::tempdir().unwrap();
    let root = real_team_project(tmp.path());
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let run = |args: &[&str]| {
        std::process::Command::new(crate::support::BIN)
            .args(args)
            .current_dir(&root)
            .stdout(full())
            .output()
            .unwrap()
    };
    let before = snapshot(&root);
    let plan = run(&["upgrade", "--dry-run"]);
    assert_one_line_error(
        &plan,
        "cannot write to standard output: No space left on device",
    );
    assert_eq!(snapshot(&root), before, "a dry run writes nothing");

    let output = run(&["upgrade"]);
    assert_eq!(
        stderr(&output),
        format!(
            "warning: the project 'acme' was upgraded to quickscale {VERSION} with conflicts left \
             to resolve, but its report could not be printed (cannot write to standard output: \
             No space left on device); `git status` and `git diff` show what changed\n"
        )
    );
    assert_eq!(output.status.code(), Some(1), "conflicts are left");
    let manifest = fs::read_to_string(root.join(".quickscale.toml")).unwrap();
    assert!(
        manifest.contains(&format!("quickscale_version = \"{VERSION}\"")),
        "{manifest}"
    );
}
