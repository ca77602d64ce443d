//! `quickscale diff` on real generated projects: classification, patches that
//! git and patch apply, the machine formats, exit codes and errors, and that
//! no mode ever writes into the project.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::{
    assert_one_line_error, quickscale, snapshot, stderr, stdout, Generated, ScratchWorkspace,
};
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

    /// Makes the project look as if an older starter had written `rel` with
    /// `old` content: the file and its manifest hash both say `old`.
    fn as_if_older_starter_wrote(&self, rel: &str, old: &str) {
        fs::write(self.path(rel), old).unwrap();
        self.set_manifest_hash(rel, Some(&hash(old.as_bytes())));
    }

    /// Rewrites (or with None removes, or adds) the manifest line for `rel`.
    fn set_manifest_hash(&self, rel: &str, hash: Option<&str>) {
        let key = format!("\"{rel}\" = ");
        let mut lines: Vec<String> = self.manifest().lines().map(str::to_owned).collect();
        lines.retain(|line| !line.starts_with(&key));
        if let Some(hash) = hash {
            lines.push(format!("{key}\"{hash}\""));
        }
        fs::write(self.path(".quickscale.toml"), lines.join("\n") + "\n").unwrap();
    }
}

fn hash(bytes: &[u8]) -> String {
    quickscale::manifest::content_hash(bytes)
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(output)))
}

fn statuses(output: &Output) -> Vec<(String, String)> {
    let doc = json(output);
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
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

/// One project with every case at once, each classified from the manifest.
fn project_with_every_case() -> Project {
    let project = Project::new();
    // changed by you
    fs::write(project.path("README.md"), "my own readme\n").unwrap();
    // safe to take: the starter changed it since init, the user never touched it
    project.as_if_older_starter_wrote("config/urls.py", "# urls.py as an older starter wrote it\n");
    // changed by both
    project.set_manifest_hash("config/wsgi.py", Some(&hash(b"older starter wsgi\n")));
    fs::write(project.path("config/wsgi.py"), "user's own wsgi\n").unwrap();
    // deleted by you
    fs::remove_file(project.path("conftest.py")).unwrap();
    // new in the starter: init never wrote it
    fs::remove_file(project.path("config/asgi.py")).unwrap();
    project.set_manifest_hash("config/asgi.py", None);
    // new and empty (a package marker), which patches must still create
    fs::remove_file(project.path("config/settings/__init__.py")).unwrap();
    project.set_manifest_hash("config/settings/__init__.py", None);
    // removed from the starter: init wrote it, the starter no longer ships it
    fs::write(project.path("legacy.cfg"), "old setting\n").unwrap();
    project.set_manifest_hash("legacy.cfg", Some(&hash(b"old setting\n")));
    // files the user added are none of the starter's business
    fs::create_dir_all(project.path("acme/blog")).unwrap();
    fs::write(project.path("acme/blog/models.py"), "# mine\n").unwrap();
    fs::write(project.path("notes.txt"), "mine\n").unwrap();
    project
}

#[test]
fn classifies_each_kind_of_change() {
    let project = project_with_every_case();
    let output = project.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        statuses(&output),
        [
            ("README.md", "local"),
            ("config/asgi.py", "added"),
            ("config/settings/__init__.py", "added"),
            ("config/urls.py", "upstream"),
            ("config/wsgi.py", "conflict"),
            ("conftest.py", "missing"),
            ("legacy.cfg", "removed"),
        ]
        .map(|(p, s)| (p.to_owned(), s.to_owned()))
        .to_vec()
    );
    let doc = json(&output);
    assert_eq!(doc["classified"], true);
    assert_eq!(doc["made_with"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["files"][3]["safe"], true);
    assert_eq!(doc["files"][4]["safe"], false);

    let summary = stdout(&project.diff(&[]));
    for expected in [
        "acme: 7 files differ",
        "Safe to take (changed in the starter, untouched by you):\n  config/urls.py\n",
        "Safe to take (new in the starter):\n  config/asgi.py\n  config/settings/__init__.py\n",
        "Safe to delete (removed from the starter, untouched by you):\n  legacy.cfg\n",
        "Merge by hand (changed by you and in the starter):\n  config/wsgi.py\n",
        "Changed by you only (nothing to take):\n  README.md\n",
        "Missing in your project:\n  conftest.py\n",
    ] {
        assert!(summary.contains(expected), "{expected:?} in\n{summary}");
    }
    assert!(
        !summary.contains("notes.txt") && !summary.contains("blog"),
        "user files are not reported"
    );

    let names = stdout(&project.diff(&["--name-only"]));
    assert_eq!(
        names,
        "README.md\nconfig/asgi.py\nconfig/settings/__init__.py\nconfig/urls.py\nconfig/wsgi.py\nconftest.py\nlegacy.cfg\n"
    );
    let safe = stdout(&project.diff(&["--name-only", "--safe-only"]));
    assert_eq!(
        safe,
        "config/asgi.py\nconfig/settings/__init__.py\nconfig/urls.py\nlegacy.cfg\n"
    );

    let stat = stdout(&project.diff(&["--stat"]));
    assert!(stat.contains("config/urls.py"), "{stat}");
    assert!(stat.contains("upstream"), "{stat}");
    assert!(stat.contains(" 7 files differ,"), "{stat}");
}

/// The real thing: a binary built from a changed starter reports the change
/// as safe to take in a project made by the current binary.
#[test]
fn a_binary_with_a_newer_starter_offers_its_changes() {
    let project = Project::new();
    fs::write(project.path("README.md"), "customised\n").unwrap();
    let scratch = ScratchWorkspace::new();
    let settings = scratch.starter().join("config/urls.py");
    let mut text = fs::read_to_string(&settings).unwrap();
    text.push_str("# a later starter improvement\n");
    fs::write(&settings, text).unwrap();
    fs::write(
        scratch.starter().join("SECURITY.md"),
        "Report issues to @PROJECT_NAME@'s team.\n",
    )
    .unwrap();
    let newer = scratch.build().expect("the changed starter builds");

    let output = Command::new(&newer)
        .args(["diff", "--format", "json"])
        .current_dir(&project.root)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        statuses(&output),
        [
            ("README.md", "local"),
            ("SECURITY.md", "added"),
            ("config/urls.py", "upstream")
        ]
        .map(|(p, s)| (p.to_owned(), s.to_owned()))
        .to_vec()
    );
    let patch = Command::new(&newer)
        .args(["diff", "--patch", "--safe-only"])
        .current_dir(&project.root)
        .output()
        .unwrap();
    assert!(
        stdout(&patch).contains("+Report issues to acme's team."),
        "{}",
        stdout(&patch)
    );
    assert!(stdout(&patch).contains("+# a later starter improvement"));
    assert!(
        !stdout(&patch).contains("customised"),
        "safe-only leaves the user's README alone"
    );
}

fn apply_and_recheck(tool: &[&str]) {
    let project = project_with_every_case();
    let output = project.diff(&["--patch"]);
    assert_eq!(output.status.code(), Some(1));
    let patch = stdout(&output);
    assert!(
        patch.contains("--- /dev/null\n+++ b/config/asgi.py\n"),
        "{patch}"
    );
    assert!(
        patch.contains("--- a/legacy.cfg\n+++ /dev/null\n"),
        "{patch}"
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
    let after = project.diff(&[]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "after {tool:?}: {}",
        stdout(&after)
    );
    assert!(
        project.path("acme/blog/models.py").exists(),
        "user files survive the patch"
    );
}

#[test]
fn the_patch_applies_with_git_apply() {
    apply_and_recheck(&["git", "apply"]);
}

#[test]
fn the_patch_applies_with_patch_p1() {
    apply_and_recheck(&["patch", "-p1", "--quiet", "--input"]);
}

#[test]
fn binary_files_are_reported_by_name_only() {
    let project = Project::new();
    let icon = fs::read_dir(project.path("acme/static"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ico"))
        .expect("the starter ships a binary favicon.ico");
    let rel = icon
        .strip_prefix(&project.root)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    fs::write(&icon, b"\x00\x01\x02 not an icon \xff").unwrap();
    let output = project.diff(&["--patch"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !stdout(&output).contains("not an icon"),
        "no binary content in the patch"
    );
    assert!(
        stderr(&output).contains(&format!("binary file '{rel}'")),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&project.diff(&[])).contains(&format!("{rel} (binary)")));
    let doc = json(&project.diff(&["--format", "json"]));
    assert_eq!(doc["files"][0]["binary"], true);
    assert_eq!(doc["files"][0]["insertions"], serde_json::Value::Null);
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
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("cannot tell which side changed"),
        "{}",
        stdout(&output)
    );
    let doc = json(&project.diff(&["--name", "acme", "--format", "json"]));
    assert_eq!(doc["classified"], false);
    assert_eq!(doc["files"][0]["status"], "differs");
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
    fs::write(project.path(".quickscale.toml"), original).unwrap();

    // An unreadable file: a directory where the starter has a file.
    fs::remove_file(project.path("config/urls.py")).unwrap();
    fs::create_dir(project.path("config/urls.py")).unwrap();
    assert_one_line_error(&project.diff(&[]), "cannot read");
    assert_one_line_error(&project.diff(&["--patch"]), "config/urls.py");
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
    let project = project_with_every_case();
    let patch = Command::new(crate::support::BIN)
        .args(["diff", "--patch"])
        .arg(&project.root)
        .stdout(closed_pipe())
        .output()
        .unwrap();
    // quickscale's own status: 1, there are differences; not 2, an error.
    assert_eq!(patch.status.code(), Some(1), "{patch:?}");
    assert!(patch.stderr.is_empty(), "{}", stderr(&patch));

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
