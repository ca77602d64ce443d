//! `quickscale diff` on real projects: made by the current binary, or by 0.1.0
//! and seen by the next starter (support/starters.rs). Classification,
//! patches that git and patch apply onto your files, the machine formats,
//! exit codes, errors, hostile projects, and that no mode ever writes.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::starters::{next_starter_binary, OldProject, NEXT_CRLF_TEXT, OLD_TIME_ZONE};
use crate::support::{assert_one_line_error, git, quickscale, snapshot, stderr, stdout, Generated};
use pretty_assertions::assert_eq;

/// A freshly generated project named `acme` in its own temporary directory.
struct Project {
    generated: Generated,
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let generated = Generated::new("acme");
        let root = generated.root.clone();
        Project { generated, root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.generated.path(rel)
    }

    /// Runs diff, checking that it leaves the tree exactly as it was.
    fn diff(&self, args: &[&str]) -> Output {
        let before = snapshot(&self.root);
        let mut all = vec!["diff", self.root.to_str().unwrap()];
        all.extend_from_slice(args);
        let output = quickscale(self.generated.parent(), &all);
        assert_eq!(
            snapshot(&self.root),
            before,
            "diff {args:?} changed the project"
        );
        output
    }

    fn manifest(&self) -> String {
        fs::read_to_string(self.path(".quickscale.toml")).unwrap()
    }
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(output)))
}

#[test]
fn a_fresh_project_is_up_to_date() {
    let project = Project::new();
    let output = project.diff(&[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "acme is up to date with the starter of quickscale 0.1.0.\n"
            .replace("0.1.0", env!("CARGO_PKG_VERSION"))
    );
    assert!(output.stderr.is_empty());
    // The secret in .env is per project and never a difference, in any mode.
    for args in [&["--patch"][..], &["--stat"], &["--name-only"]] {
        let output = project.diff(args);
        assert_eq!(output.status.code(), Some(0));
        assert!(!stdout(&output).contains(".env"), "{}", stdout(&output));
    }
    let doc = json(&project.diff(&["--format", "json"]));
    assert_eq!(doc["up_to_date"], true);
    assert_eq!(doc["files"].as_array().unwrap().len(), 0);
}

#[test]
fn only_your_own_changes_mean_nothing_to_take() {
    let project = Project::new();
    fs::write(project.path("README.md"), "my own readme\n").unwrap();
    fs::remove_file(project.path("conftest.py")).unwrap();
    let output = project.diff(&[]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "usable in CI: {}",
        stdout(&output)
    );
    let text = stdout(&output);
    assert!(
        text.contains("acme has nothing to take from the starter"),
        "{text}"
    );
    assert!(
        text.contains("Changed by you only (nothing to take):\n  README.md\n  conftest.py\n"),
        "{text}"
    );
    assert_eq!(stdout(&project.diff(&["--name-only"])), "");
    assert_eq!(
        stdout(&project.diff(&["--patch"])),
        "",
        "never a patch that reverts your edits"
    );
    assert_eq!(
        json(&project.diff(&["--format", "json"]))["up_to_date"],
        true
    );
}

/// A 0.1.0 project with an edit of every kind, seen by the next starter.
fn edited_old_project() -> OldProject {
    let project = OldProject::new("acme");
    project.edit("README.md", "# acme\n", "# ACME\n"); // merges with the starter's new section
    project.edit(
        "config/settings/base.py",
        OLD_TIME_ZONE,
        "TIME_ZONE = \"Asia/Tokyo\"\n",
    ); // conflict
    project.edit("config/wsgi.py", "import os\n", "import os  # ours\n"); // yours only
    fs::create_dir_all(project.path("acme/blog")).unwrap();
    project.write("acme/blog/models.py", "# mine\n");
    project
}

#[test]
fn every_outcome_is_classified_and_only_starter_changes_count() {
    let project = edited_old_project();
    let output = project.next_read_only(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc = json(&output);
    let got: Vec<(String, String, bool)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let what = f["action"].as_str().or(f["reason"].as_str()).unwrap_or("-");
            (
                f["path"].as_str().unwrap().to_owned(),
                format!("{}/{what}", f["outcome"].as_str().unwrap()),
                f["safe"] == true,
            )
        })
        .collect();
    let expected: Vec<(String, String, bool)> = [
        ("README.md", "merged/-", true),
        ("acme/core/signals.py", "take/add", true),
        ("acme/static/css/print.css", "take/add", true),
        ("acme/static/favicon.ico", "take/update", true),
        ("config/asgi.py", "take/delete", true),
        ("config/settings/base.py", "conflict/lines", false),
        ("config/urls.py", "take/update", true),
        ("config/wsgi.py", "keep/-", false),
        ("gunicorn.conf.py", "take/update", true),
        ("uv.lock", "take/update", true),
    ]
    .iter()
    .map(|(p, o, s)| (p.to_string(), o.to_string(), *s))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["command"], "diff");
    assert_eq!(doc["classified"], true);
    assert_eq!(doc["up_to_date"], false);
    assert_eq!(doc["made_with"], "0.1.0");
    assert_eq!(doc["base_version"], "0.1.0");
    assert_eq!(doc["counts"]["take"], 7);

    let summary = project.next_read_only(&["diff"]);
    let text = stdout(&summary);
    for expected in [
        "acme: 9 files to take from the starter of quickscale",
        "Changed in the starter, untouched by you (upgrade takes them):\n  acme/static/favicon.ico (binary)\n  config/urls.py\n  gunicorn.conf.py\n  uv.lock\n",
        "New in the starter (upgrade adds them):\n  acme/core/signals.py\n  acme/static/css/print.css\n",
        "Removed from the starter, untouched by you (upgrade deletes them):\n  config/asgi.py\n",
        "Changed by you and in the starter, merging cleanly:\n  README.md\n",
        "Conflicts (need you after the upgrade):\n  config/settings/base.py (1 conflicting hunk",
        "Changed by you only (nothing to take):\n  config/wsgi.py\n",
        "quickscale upgrade",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(
        !text.contains("blog"),
        "files you added are none of the starter's business"
    );

    let names = stdout(&project.next_read_only(&["diff", "--name-only"]));
    assert_eq!(names, "README.md\nacme/core/signals.py\nacme/static/css/print.css\nacme/static/favicon.ico\nconfig/asgi.py\nconfig/settings/base.py\nconfig/urls.py\ngunicorn.conf.py\nuv.lock\n");
    let safe = stdout(&project.next_read_only(&["diff", "--name-only", "--safe-only"]));
    assert_eq!(safe, names.replace("config/settings/base.py\n", ""));

    // --stat counts the starter's change onto yours: README gains its section
    // and loses none of your lines; the mode-only change says so.
    let stat = stdout(&project.next_read_only(&["diff", "--stat"]));
    assert!(
        stat.contains(" README.md                 | merged   +4 -0\n"),
        "{stat}"
    );
    assert!(
        stat.contains(" config/asgi.py            | take     +0 -"),
        "{stat}"
    );
    assert!(
        stat.contains(" gunicorn.conf.py          | take     +0 -0 (mode)\n"),
        "{stat}"
    );
    assert!(
        stat.contains(" acme/static/favicon.ico   | take     binary\n"),
        "{stat}"
    );
    assert!(stat.contains(" 9 files to take,"), "{stat}");
    assert!(!stat.contains("wsgi"), "{stat}");
}

fn apply_and_recheck(tool: &[&str]) {
    let project = edited_old_project();
    let output = project.next_read_only(&["diff", "--patch", "--safe-only"]);
    assert_eq!(output.status.code(), Some(1));
    let patch = stdout(&output);
    assert!(
        patch.contains("--- /dev/null\n+++ b/acme/core/signals.py\n"),
        "{patch}"
    );
    assert!(
        patch.contains("--- a/config/asgi.py\n+++ /dev/null\n"),
        "{patch}"
    );
    assert!(
        patch.contains(
            "diff --git a/gunicorn.conf.py b/gunicorn.conf.py\nold mode 100644\nnew mode 100755\n"
        ),
        "{patch}"
    );
    assert!(
        patch.contains("+@media print {\r\n"),
        "CRLF survives: {patch:?}"
    );
    assert!(
        !patch.contains("-# ACME\n") && !patch.contains("Asia/Tokyo"),
        "never reverts your edits: {patch}"
    );
    assert!(
        stderr(&output).contains("acme/static/favicon.ico"),
        "binary named: {}",
        stderr(&output)
    );
    let file = project.root.parent().unwrap().join("upgrade.patch");
    fs::write(&file, &patch).unwrap();
    let applied = Command::new(tool[0])
        .args(&tool[1..])
        .arg(&file)
        .current_dir(&project.root)
        .output()
        .unwrap_or_else(|e| panic!("{} runs ({e}): apt-get install git patch", tool[0]));
    assert!(
        applied.status.success(),
        "{tool:?} failed: {}{}",
        stdout(&applied),
        stderr(&applied)
    );
    assert_eq!(project.read("acme/static/css/print.css"), NEXT_CRLF_TEXT);
    assert!(project.read("README.md").starts_with("# ACME\n"));
    assert!(project.read("config/wsgi.py").contains("# ours"));
    let left = stdout(&project.next_read_only(&["diff", "--name-only"]));
    assert_eq!(
        left, "acme/static/favicon.ico\nconfig/settings/base.py\n",
        "only the binary and the conflict remain"
    );
}

#[test]
fn the_safe_patch_applies_with_git_apply() {
    apply_and_recheck(&["git", "apply"]);
}

#[test]
fn the_safe_patch_applies_with_patch_p1() {
    apply_and_recheck(&["patch", "-p1", "--quiet", "--input"]);
}

#[test]
fn the_full_patch_is_what_upgrade_writes() {
    let project = edited_old_project();
    let patch = stdout(&project.next_read_only(&["diff", "--patch"]));
    assert!(
        patch.contains("+<<<<<<< yours\n TIME_ZONE = \"Asia/Tokyo\"\n+||||||| quickscale 0.1.0\n"),
        "{patch}"
    );
    project.commit_all();
    let file = project.root.parent().unwrap().join("full.patch");
    fs::write(&file, &patch).unwrap();
    crate::support::git(&project.root, &["apply", file.to_str().unwrap()]);
    let by_patch = snapshot(&project.root);
    crate::support::git(&project.root, &["checkout", "-q", "--", "."]);
    crate::support::git(&project.root, &["clean", "-qfd", "--", "acme"]);
    let upgraded = project.next(&["upgrade"]);
    assert_eq!(upgraded.status.code(), Some(1), "{}", stderr(&upgraded));
    let mut by_upgrade = snapshot(&project.root);
    let mut by_patch = by_patch;
    for per_project in [".quickscale.toml", ".env", "acme/static/favicon.ico"] {
        by_upgrade.remove(std::path::Path::new(per_project));
        by_patch.remove(std::path::Path::new(per_project));
    }
    by_upgrade.retain(|path, _| !path.starts_with(".git"));
    by_patch.retain(|path, _| !path.starts_with(".git"));
    assert_eq!(
        by_patch, by_upgrade,
        "the patch previews upgrade, binary files and per-project files aside"
    );
}

#[test]
fn without_a_manifest_it_compares_by_name_but_cannot_classify() {
    let project = Project::new();
    fs::remove_file(project.path(".quickscale.toml")).unwrap();
    assert_one_line_error(&project.diff(&[]), "no .quickscale.toml and no --name");
    let clean = project.diff(&["--name", "acme"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    fs::write(project.path("README.md"), "changed\n").unwrap();
    let output = project.diff(&["--name", "acme"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "it may be the starter's change"
    );
    assert!(
        stdout(&output).contains("cannot tell which side changed"),
        "{}",
        stdout(&output)
    );
    let doc = json(&project.diff(&["--name", "acme", "--format", "json"]));
    assert_eq!(doc["classified"], false);
    assert_eq!(doc["files"][0]["outcome"], "unknown");
    let patch = project.diff(&["--name", "acme", "--patch"]);
    assert_eq!(
        stdout(&patch),
        "",
        "no patch can be trusted without a manifest"
    );
    assert!(
        stderr(&patch).contains("'README.md' is not in the patch"),
        "{}",
        stderr(&patch)
    );
}

#[test]
fn errors_are_one_line_with_exit_2() {
    let project = Project::new();
    assert_one_line_error(
        &project.diff(&["--name", "other"]),
        "contradicts the manifest",
    );
    let output = quickscale(&project.root, &["diff", "manage.py"]);
    assert_one_line_error(&output, "is not a directory");
    let output = quickscale(&project.root, &["diff", "no-such-dir"]);
    assert_one_line_error(&output, "No such file or directory");
    let output = quickscale(&project.root, &["diff", "evil\n\u{1b}[31mdir"]);
    assert_one_line_error(&output, "evil\\n\\u{1b}[31mdir");

    let original = project.manifest();
    fs::write(
        project.path(".quickscale.toml"),
        "quickscale_version = 0.1\ngarbage\n",
    )
    .unwrap();
    assert_one_line_error(&project.diff(&[]), "corrupt");
    fs::write(project.path(".quickscale.toml"), b"\xff\xfe\x00").unwrap();
    assert_one_line_error(&project.diff(&[]), "corrupt");
    let newer = original.replace(
        &format!("quickscale_version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "quickscale_version = \"99.0.0\"",
    );
    assert_ne!(newer, original);
    fs::write(project.path(".quickscale.toml"), newer).unwrap();
    assert_one_line_error(&project.diff(&[]), "newer than this quickscale");
    let traversal = original.replace("PACKAGE_NAME = \"acme\"", "PACKAGE_NAME = \"../outside\"");
    assert_ne!(traversal, original);
    fs::write(project.path(".quickscale.toml"), traversal).unwrap();
    assert_one_line_error(
        &project.diff(&[]),
        "but the project name 'acme' gives 'acme'",
    );
    let passwd = format!(
        "{original}\"/etc/passwd\" = \"sha256:{}\"\n",
        "0".repeat(64)
    );
    fs::write(project.path(".quickscale.toml"), passwd).unwrap();
    assert_one_line_error(&project.diff(&["--patch"]), "'/etc/passwd' is absolute");
    let secrets = format!("{original}\".env\" = \"sha256:{}\"\n", "0".repeat(64));
    fs::write(project.path(".quickscale.toml"), secrets).unwrap();
    for args in [&["--patch"][..], &["--format", "json"], &[]] {
        let output = project.diff(args);
        assert!(
            !stdout(&output).contains("DJANGO_SECRET_KEY") && !stdout(&output).contains(".env"),
            "{}",
            stdout(&output)
        );
    }
    fs::write(project.path(".quickscale.toml"), original).unwrap();
}

/// Runs `command` with a generous guard: a hang fails the test instead of
/// blocking the suite (the assertion is about finishing, not about time).
fn finishes(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("{command:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn hostile_projects_are_read_safely() {
    let project = edited_old_project();
    // A FIFO and a link to /dev/zero where starter files belong: never opened.
    fs::remove_file(project.path("config/urls.py")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(project.path("config/urls.py"))
        .status()
        .unwrap();
    assert!(fifo.success());
    fs::remove_file(project.path("manage.py")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", project.path("manage.py")).unwrap();
    // A directory where a file belongs: that file's outcome, not an abort.
    fs::remove_file(project.path("config/wsgi.py")).unwrap();
    fs::create_dir(project.path("config/wsgi.py")).unwrap();
    // A 200,000-line file in place of uv.lock.
    let huge: String = (0..200_000)
        .map(|i| format!("line {i} of a huge lock file\n"))
        .collect();
    project.write("uv.lock", &huge);
    for args in [
        &[][..],
        &["--patch"],
        &["--stat"],
        &["--name-only"],
        &["--format", "json"],
    ] {
        let mut command = Command::new(next_starter_binary());
        command
            .arg("diff")
            .args(args)
            .current_dir(&project.root)
            .env("NO_COLOR", "1");
        let output = finishes(command);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = project.next_read_only(&["diff", "--format", "json"]);
    let doc = json(&output);
    let file = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()
            .clone()
    };
    assert!(
        file("config/urls.py")["detail"]
            .as_str()
            .unwrap()
            .contains("a FIFO"),
        "{doc}"
    );
    assert_eq!(
        file("manage.py")["outcome"],
        "keep",
        "the starter did not change manage.py: yours stays"
    );
    assert_eq!(
        file("config/wsgi.py")["outcome"],
        "keep",
        "a directory you put there stays"
    );
    assert!(
        file("uv.lock")["detail"]
            .as_str()
            .unwrap()
            .contains("uv lock"),
        "{doc}"
    );
    let mut upgrade = Command::new(next_starter_binary());
    upgrade
        .args(["upgrade", "--dry-run"])
        .current_dir(&project.root);
    assert_eq!(finishes(upgrade).status.code(), Some(1));
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let project = Project::new();
    fs::write(project.path("README.md"), "changed\n").unwrap();
    let command = format!("{} diff {}", crate::support::BIN, project.root.display());
    // `script` gives the binary a real pseudo-terminal as stdout.
    let on_tty = |no_color: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"])
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        cmd.output()
            .expect("script (bsdutils) is installed: apt-get install bsdutils")
    };
    let coloured = on_tty(None);
    assert!(
        stdout(&coloured).contains("\x1b["),
        "a terminal gets colour: {:?}",
        stdout(&coloured)
    );
    assert!(
        !stdout(&on_tty(Some("1"))).contains("\x1b["),
        "NO_COLOR wins"
    );
    let piped = Command::new(crate::support::BIN)
        .args(["diff", project.root.to_str().unwrap()])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!stdout(&piped).contains('\x1b'), "a pipe gets none");
    let forced = |no_color: bool| {
        let mut command = Command::new(crate::support::BIN);
        command
            .args(["diff", project.root.to_str().unwrap()])
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        stdout(&command.output().unwrap())
    };
    assert!(
        forced(false).contains("\x1b["),
        "CLICOLOR_FORCE colours a pipe"
    );
    assert!(
        !forced(true).contains('\x1b'),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
}

/// A pipe whose read end is already closed, as `| head` leaves it once head
/// has exited: the first write to it fails with EPIPE, whatever its size, so
/// the broken-pipe path runs every time.
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe fills both descriptors, which we then own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: fds[0] and fds[1] are fresh descriptors nobody else owns.
    drop(unsafe { std::os::fd::OwnedFd::from_raw_fd(fds[0]) });
    std::process::Stdio::from(unsafe { std::os::fd::OwnedFd::from_raw_fd(fds[1]) })
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let project = edited_old_project();
    for args in [
        &["diff", "--patch"][..],
        &["diff"],
        &["diff", "--format", "json"],
        &["upgrade", "--dry-run"],
    ] {
        let output = Command::new(next_starter_binary())
            .args(args)
            .current_dir(&project.root)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        let err = stderr(&output);
        assert!(
            !err.contains("error") && !err.contains("pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: quickscale's own status, not a pipe's"
        );
    }
    let output = Command::new(crate::support::BIN)
        .args(["completions", "bash"])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(
        (output.status.code(), output.stderr.is_empty()),
        (Some(0), true)
    );
    let tmp = tempfile::tempdir().unwrap();
    let init = Command::new(crate::support::BIN)
        .args(["init", "acme"])
        .current_dir(tmp.path())
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0), "{init:?}");
    assert!(init.stderr.is_empty(), "{}", stderr(&init));
    assert!(tmp.path().join("acme/.quickscale.toml").is_file());
}

/// Every view of `--safe-only` agrees with plain `diff` about whether
/// something is left: the exit code, JSON's `up_to_date`, and a line (on
/// stdout for people, on stderr beside the machine formats) on what it hid.
#[test]
fn safe_only_agrees_with_plain_diff_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let root = crate::upgrade::real_team_project(tmp.path());
    let views: [&[&str]; 5] = [
        &[],
        &["--stat"],
        &["--name-only"],
        &["--patch"],
        &["--format", "json"],
    ];
    let exit_codes = |extra: &[&str]| -> Vec<Option<i32>> {
        views
            .iter()
            .map(|view| {
                let args: Vec<&str> = ["diff"].iter().chain(*view).chain(extra).copied().collect();
                quickscale(&root, &args).status.code()
            })
            .collect()
    };
    // Before the upgrade: safe changes and a conflict.
    assert_eq!(exit_codes(&[]), vec![Some(1); 5]);
    assert_eq!(exit_codes(&["--safe-only"]), vec![Some(1); 5]);
    let plain = json(&quickscale(&root, &["diff", "--format", "json"]));
    let safe = json(&quickscale(
        &root,
        &["diff", "--format", "json", "--safe-only"],
    ));
    let unsafe_entries = plain["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["safe"] == false)
        .count();
    assert!(unsafe_entries > 0);
    assert_eq!(safe["left_out"], unsafe_entries);
    assert_eq!(safe["up_to_date"], false);
    assert_eq!(plain["left_out"], 0);

    // After it, only the conflict is left: every safe view is empty, and
    // still none says the project is up to date.
    assert_eq!(quickscale(&root, &["upgrade"]).status.code(), Some(1));
    assert_eq!(exit_codes(&[]), vec![Some(1); 5]);
    assert_eq!(exit_codes(&["--safe-only"]), vec![Some(1); 5]);
    assert_eq!(
        stdout(&quickscale(&root, &["diff", "--stat"])),
        " config/urls.py | conflict -\n 0 files to take, 0 insertions(+), 0 deletions(-)\n \
         1 file still holds the last upgrade's conflict markers\n",
        "the conflict is listed, not counted as a file to take"
    );
    let left =
        "--safe-only leaves out 1 file that needs a decision; `quickscale diff` lists them.\n";
    let run = |view: &[&str]| {
        let args: Vec<&str> = ["diff", "--safe-only"]
            .iter()
            .chain(view)
            .copied()
            .collect();
        let output = quickscale(&root, &args);
        (stdout(&output), stderr(&output))
    };
    assert_eq!(
        run(&[]),
        (
            format!(
                "acme has nothing to take without a decision from the starter of quickscale {} \
                 (project on the {} starter).\n{left}",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_VERSION")
            ),
            String::new()
        )
    );
    assert_eq!(
        run(&["--stat"]),
        (
            format!(" 0 files to take, 0 insertions(+), 0 deletions(-)\n{left}"),
            String::new()
        )
    );
    assert_eq!(
        run(&["--name-only"]),
        (String::new(), format!("note: {left}"))
    );
    assert_eq!(run(&["--patch"]), (String::new(), format!("note: {left}")));
    let doc = json(&quickscale(
        &root,
        &["diff", "--safe-only", "--format", "json"],
    ));
    assert_eq!(doc["up_to_date"], false);
    assert_eq!(doc["left_out"], 1);
    assert_eq!(doc["files"], serde_json::json!([]));
}

/// `diff` and `upgrade` work from any directory inside the project, as git
/// does, and outside one say so without advice that cannot help.
#[test]
fn the_project_is_found_from_a_subdirectory() {
    let tmp = tempfile::tempdir().unwrap();
    let root = crate::upgrade::real_team_project(tmp.path());
    let inside = root.join("acme/core");
    for args in [
        &["diff"][..],
        &["diff", "--format", "json"],
        &["diff", "--stat"],
        &["upgrade", "--dry-run"],
    ] {
        let at_root = quickscale(&root, args);
        let below = quickscale(&inside, args);
        assert_eq!(below.status.code(), at_root.status.code(), "{args:?}");
        assert_eq!(stdout(&below), stdout(&at_root), "{args:?}");
        assert_eq!(stdout(&below).is_empty(), false, "{args:?}");
    }
    let upgraded = quickscale(&inside, &["upgrade"]);
    assert_eq!(upgraded.status.code(), Some(1), "{}", stderr(&upgraded));
    assert!(
        root.join(".github/dependabot.yml").is_file(),
        "written at the root"
    );
    assert!(
        !inside.join(".github").exists(),
        "nothing written where it ran"
    );

    // Not a project: neither --name nor git checkout can help there.
    let elsewhere = tmp.path().join("notes");
    fs::create_dir(&elsewhere).unwrap();
    let stop = fs::canonicalize("/").unwrap();
    for command in ["diff", "upgrade"] {
        let output = quickscale(&elsewhere, &[command]);
        assert_one_line_error(
            &output,
            &format!(
                "error: '.' is not in a quickscale project: neither it nor a directory above it up \
                 to '{}' holds .quickscale.toml; run `quickscale {command}` in the project's \
                 directory, or give it: `quickscale {command} ./myapp`",
                stop.display()
            ),
        );
    }
    // The walk stops at a repository's top level, as git's does.
    let outer = tmp.path().join("outer");
    fs::create_dir_all(outer.join("inner/sub")).unwrap();
    fs::copy(
        root.join(".quickscale.toml"),
        outer.join(".quickscale.toml"),
    )
    .unwrap();
    git(&outer.join("inner"), &["init", "-q"]);
    let inner = fs::canonicalize(outer.join("inner")).unwrap();
    assert_one_line_error(
        &quickscale(&outer.join("inner/sub"), &["diff"]),
        &format!("above it up to '{}' holds", inner.display()),
    );

    // A Django project without its manifest: `git checkout` only where git
    // has the file to restore.
    fs::remove_file(root.join(".quickscale.toml")).unwrap();
    let output = quickscale(&root, &["diff"]);
    assert_one_line_error(
        &output,
        "error: '.' has no .quickscale.toml and no --name was given; restore it from version \
         control (git checkout -- .quickscale.toml), or pass --name <project name> to compare \
         without it",
    );
    fs::remove_dir_all(root.join(".git")).unwrap();
    assert_one_line_error(
        &quickscale(&root, &["diff"]),
        "error: '.' has no .quickscale.toml and no --name was given; pass --name <project name> \
         to compare without it",
    );
    assert_one_line_error(
        &quickscale(&root, &["upgrade"]),
        "error: '.' has no .quickscale.toml, so upgrade cannot tell your changes from the \
         starter's; preview by hand with `quickscale diff --name <project name>`",
    );
}

/// The text between the first "pipe it to `" and the next backquote of a
/// `diff --patch` note.
fn suggested_command(stderr: &str) -> String {
    let (_, rest) = stderr
        .split_once("pipe it to `")
        .unwrap_or_else(|| panic!("no command suggested: {stderr}"));
    rest.split_once('`').unwrap().0.to_owned()
}

/// Inside a bigger repository, plain `git apply` skips every path of the
/// patch, silently. `diff --patch` then says how to apply it from where the
/// user stands, and the command it gives works, from the project and from
/// the repository's top; `patch -p1` in the project needs nothing.
#[test]
fn a_patch_inside_an_outer_repository_says_how_to_apply_it() {
    let mono = tempfile::tempdir().unwrap();
    git(mono.path(), &["init", "-q"]);
    fs::create_dir(mono.path().join("clients")).unwrap();
    let root = crate::upgrade::real_team_project(&mono.path().join("clients"));
    fs::remove_dir_all(root.join(".git")).unwrap();
    git(mono.path(), &["add", "-A"]);
    git(mono.path(), &["commit", "-q", "-m", "monorepo"]);
    let patch_file = mono.path().join("..").join("safe.patch");
    let reset = || {
        git(mono.path(), &["checkout", "-q", "--", "."]);
        git(mono.path(), &["clean", "-qfd"]);
        assert_eq!(stdout(&git(mono.path(), &["status", "--porcelain"])), "");
    };
    // Runs `command` in `cwd` with the patch on stdin, as a pipe would.
    let apply = |cwd: &std::path::Path, command: &str| {
        let output = Command::new("sh")
            .args(["-c", &format!("{command} < '{}'", patch_file.display())])
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(output.status.success(), "{command}: {}", stderr(&output));
        stderr(&output)
    };
    let taken = || {
        let left = quickscale(&root, &["diff", "--safe-only", "--name-only"]);
        (stdout(&left), snapshot(&root))
    };

    // From the project's own directory.
    let output = quickscale(&root, &["diff", "--patch", "--safe-only"]);
    assert_eq!(output.status.code(), Some(1));
    fs::write(&patch_file, &output.stdout).unwrap();
    assert!(stdout(&output).contains("+++ b/.github/dependabot.yml\n"));
    assert_eq!(
        stderr(&output).lines().last().unwrap(),
        "note: the patch's paths are relative to the project '.', so plain `git apply` here \
         would skip its files; pipe it to `git apply --directory=clients/acme` instead (or to \
         `patch -p1 -d .`)"
    );
    apply(&root, "git apply");
    assert_eq!(
        stdout(&git(mono.path(), &["status", "--porcelain"])),
        "",
        "plain git apply applies nothing here (and says nothing): the note is needed"
    );
    apply(&root, &suggested_command(&stderr(&output)));
    let (left, by_note_in_project) = taken();
    assert_eq!(left, "", "every safe change taken");
    reset();

    // From the repository's top, naming the project.
    let output = quickscale(
        mono.path(),
        &["diff", "--patch", "--safe-only", "clients/acme"],
    );
    assert_eq!(
        fs::read(&patch_file).unwrap(),
        output.stdout,
        "the same patch"
    );
    let note = stderr(&output);
    assert!(
        note.ends_with("pipe it to `git apply --directory=clients/acme` instead (or to `patch -p1 -d clients/acme`)\n"),
        "{note}"
    );
    apply(mono.path(), &suggested_command(&note));
    assert_eq!(taken().1, by_note_in_project);
    reset();

    // patch -p1 in the project, as ever.
    apply(&root, "patch -p1 --quiet");
    assert_eq!(taken().1, by_note_in_project);
    reset();

    // A project that is its own repository, at its top: nothing to say.
    fs::remove_dir_all(mono.path().join(".git")).unwrap();
    git(&root, &["init", "-q"]);
    let output = quickscale(&root, &["diff", "--patch", "--safe-only"]);
    assert!(
        !stderr(&output).contains("git apply"),
        "{}",
        stderr(&output)
    );
    // From a subdirectory of it, git would skip the paths outside the
    // subdirectory: the note runs git in the project.
    let below = root.join("acme/core");
    let output = quickscale(&below, &["diff", "--patch", "--safe-only"]);
    assert_eq!(
        fs::read(&patch_file).unwrap(),
        output.stdout,
        "the same patch"
    );
    assert_eq!(suggested_command(&stderr(&output)), "git -C ../.. apply");
    apply(&below, &suggested_command(&stderr(&output)));
    let mut applied = snapshot(&root);
    applied.retain(|path, _| !path.starts_with(".git"));
    assert_eq!(applied, by_note_in_project);
}
