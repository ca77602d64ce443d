//! `quickscale init` run as a user runs it: the real binary in temporary
//! directories, checking what lands on disk and that bad input changes nothing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{assert_one_line_error, quickscale, snapshot, stdout, BIN};
use pretty_assertions::assert_eq;

fn secret_of(project: &Path) -> String {
    let env = fs::read_to_string(project.join(".env")).unwrap();
    env.lines()
        .find_map(|line| line.strip_prefix("DJANGO_SECRET_KEY="))
        .expect(".env sets DJANGO_SECRET_KEY")
        .to_owned()
}

#[test]
fn creates_a_project_with_package_and_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let output = quickscale(tmp.path(), &["init", "my-app"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let project = tmp.path().join("my-app");
    assert!(project.join("my_app").is_dir(), "the package is my_app");
    assert!(project.join("manage.py").is_file());
    let mode = fs::metadata(project.join("manage.py"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "manage.py keeps its execute bits");
    assert_eq!(
        fs::metadata(project.join(".env"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let text = stdout(&output);
    assert!(text.contains("cd my-app"), "{text}");
    assert!(text.contains("manage.py runserver"), "{text}");
    assert!(text.contains("pytest"), "{text}");

    let manifest = fs::read_to_string(project.join(".quickscale.toml")).unwrap();
    assert!(manifest.contains(&format!(
        "quickscale_version = \"{}\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(manifest.contains("starter_digest = \"sha256:"));
    assert!(manifest.contains("PACKAGE_NAME = \"my_app\""));
    assert!(manifest.contains("PROJECT_SLUG = \"my-app\""));
    assert!(
        !manifest.contains(&secret_of(&project)),
        "the manifest never holds secrets"
    );
    // Every generated file is listed with the hash of what was written.
    let mut listed = 0;
    for line in manifest.lines().skip_while(|l| *l != "[files]").skip(1) {
        let (path, hash) = line.split_once(" = ").unwrap();
        let path = path.trim_matches('"');
        let bytes = fs::read(project.join(path)).unwrap();
        let expected = format!("sha256:{}", sha256_hex(&bytes));
        assert_eq!(hash.trim_matches('"'), expected, "{path}");
        listed += 1;
    }
    let on_disk = snapshot(&project)
        .into_iter()
        .filter(|(_, (_, body))| body != b"<dir>")
        .count();
    assert_eq!(
        listed + 2,
        on_disk,
        "every file but .env and the manifest is listed"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    // sha256sum is the independent reference for the manifest's hashes.
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils) is installed");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn env_holds_a_fresh_secret_that_git_ignores() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["one", "two"] {
        assert!(quickscale(tmp.path(), &["init", name]).status.success());
    }
    let (one, two) = (
        secret_of(&tmp.path().join("one")),
        secret_of(&tmp.path().join("two")),
    );
    assert!(one.len() >= 50, "{one}");
    assert_ne!(one, two, "every init draws a new key");
    let gitignore = fs::read_to_string(tmp.path().join("one/.gitignore")).unwrap();
    assert!(
        gitignore
            .lines()
            .any(|l| l.trim() == ".env" || l.trim() == "/.env"),
        "{gitignore}"
    );
}

#[test]
fn output_is_deterministic_apart_from_the_secret() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        assert!(quickscale(dir.path(), &["init", "same-name"])
            .status
            .success());
    }
    let mut left = snapshot(&a.path().join("same-name"));
    let mut right = snapshot(&b.path().join("same-name"));
    assert_ne!(
        left.remove(Path::new(".env")),
        right.remove(Path::new(".env"))
    );
    assert_eq!(left, right);
}

#[test]
fn init_dot_fills_an_empty_directory_or_one_with_only_git() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("acme");
    fs::create_dir(&empty).unwrap();
    let output = quickscale(&empty, &["init", "."]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        empty.join("acme/__init__.py").is_file(),
        "package named after the directory"
    );
    assert!(
        !stdout(&output).contains("cd "),
        "no cd needed: {}",
        stdout(&output)
    );

    let repo = tmp.path().join("shop");
    fs::create_dir(&repo).unwrap();
    assert!(Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap()
        .success());
    let git_before = snapshot(&repo.join(".git"));
    let output = quickscale(&repo, &["init", "."]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(repo.join("manage.py").is_file());
    assert_eq!(
        snapshot(&repo.join(".git")),
        git_before,
        ".git is untouched"
    );
    let leftovers: Vec<_> = fs::read_dir(&repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".quickscale-init"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn name_flag_overrides_the_directory_name() {
    let tmp = tempfile::tempdir().unwrap();
    let output = quickscale(tmp.path(), &["init", "clients-dir", "--name", "acme"]);
    assert!(output.status.success(), "{output:?}");
    assert!(tmp.path().join("clients-dir/acme/__init__.py").is_file());
}

/// Each bad input: exit 2, one line, and the working directory unchanged.
#[test]
fn rejects_bad_input_without_touching_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let existing = tmp.path().join("existing");
    fs::create_dir(&existing).unwrap();
    fs::write(existing.join("keep.txt"), "precious").unwrap();
    fs::create_dir(tmp.path().join("sub")).unwrap();

    let cases: &[(&[&str], &str)] = &[
        (&["init", ""], "empty"),
        (&["init", "1app"], "starts with a digit"),
        (&["init", "class"], "Python keyword"),
        (&["init", "django"], "depends on"),
        (&["init", "test"], "standard library"),
        (&["init", "os"], "standard library"),
        (&["init", "config"], "own top-level"),
        (&["init", "my app"], "contains ' '"),
        (&["init", "ünï"], "not ASCII"),
        (&["init", ".."], "'..'"),
        (&["init", "sub/.."], "'..'"),
        (&["init", "ok", "--name", "a/b"], "contains '/'"),
        (&["init", "missing/parent/app"], "does not exist"),
        (&["init", "existing"], "not empty"),
        (
            &["init", "existing/keep.txt", "--name", "ok"],
            "not a directory",
        ),
    ];
    let before = snapshot(tmp.path());
    for (args, expected) in cases {
        let output = quickscale(tmp.path(), args);
        assert_one_line_error(&output, expected);
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "{args:?} changed the directory"
        );
    }
}

#[test]
fn rejects_a_parent_without_write_permission() {
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(tmp.path());
    // Root ignores permission bits, so drop to an unprivileged user to test them.
    // That user runs a copy of the binary from /tmp: the checkout may sit where
    // only root can reach (/root/...).
    let output = if crate::support::is_root() {
        let runner = tempfile::tempdir().unwrap();
        fs::set_permissions(runner.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let binary = runner.path().join("quickscale");
        fs::copy(BIN, &binary).unwrap();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["init", "locked/app"])
            .current_dir(tmp.path())
            .output()
            .expect("setpriv (util-linux) is installed: apt-get install util-linux")
    } else {
        quickscale(tmp.path(), &["init", "locked/app"])
    };
    assert_one_line_error(&output, "Permission denied");
    assert_eq!(snapshot(tmp.path()), before);
}

/// A write that fails part-way (the file-size limit makes a later, larger
/// file fail with EFBIG after smaller ones were written) leaves no trace.
#[test]
fn a_failure_part_way_leaves_no_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let before = snapshot(tmp.path());
    // `ulimit -f 2` allows 1 KiB per file; ignoring SIGXFSZ turns the kill into an error.
    let output = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 2; exec \"$0\" init partial",
            BIN,
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_one_line_error(&output, "partial/");
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "no partial project and no staging directory"
    );
}

#[test]
fn help_version_and_completions() {
    let tmp = tempfile::tempdir().unwrap();
    let help = quickscale(tmp.path(), &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("init"), "{}", stdout(&help));
    assert!(stdout(&help).contains("completions"));
    let version = quickscale(tmp.path(), &["--version"]);
    assert_eq!(
        stdout(&version).trim(),
        format!("quickscale {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish"] {
        let output = quickscale(tmp.path(), &["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        let script = stdout(&output);
        assert!(
            script.contains("quickscale") && script.contains("init"),
            "{shell}: {script}"
        );
    }
    let bad = quickscale(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_one_line_error(
        &quickscale(tmp.path(), &["frobnicate"]),
        "unrecognized subcommand",
    );
    assert_one_line_error(&quickscale(tmp.path(), &[]), "no command given");
    assert_one_line_error(&quickscale(tmp.path(), &["init"]), "<PATH>");
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
}
