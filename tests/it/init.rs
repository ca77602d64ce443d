//! `quickscale init` run as a user runs it: the real binary in temporary
//! directories, checking what lands on disk and that bad input changes nothing.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{
    assert_one_line_error, git, project_snapshot, quickscale, snapshot, stderr, stdout, Generated,
    SplitMix, BIN,
};
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
    let (a, b) = (Generated::new("same-name"), Generated::new("same-name"));
    assert_ne!(secret_of(&a.root), secret_of(&b.root));
    assert_eq!(a.snapshot(), b.snapshot());
}

/// What init prints for a project named `name` at `shown`, with `cd` and
/// `git init` only where they are needed.
fn summary(name: &str, shown: &str, cd: Option<&str>, git_init: bool) -> String {
    let mut out = format!(
        "Created Django project '{name}' in {shown}/ ({} files, plus .env and .quickscale.toml).\n\n\
         Next steps:\n",
        // Without --with: the starter's files but its modules' own.
        quickscale::starter::HEAD
            .files
            .iter()
            .filter(|file| file.module.is_none())
            .count()
    );
    if let Some(dir) = cd {
        out.push_str(&format!("  cd {dir}\n"));
    }
    if git_init {
        out.push_str(
            "  git init                                 # pre-commit's hooks need a repository\n",
        );
    }
    out.push_str(
        "  uv sync                                  # .venv with the locked dependencies\n\
         \x20 uv run pre-commit install\n\
         \x20 uv run python manage.py migrate\n\
         \x20 uv run python manage.py createsuperuser\n\
         \x20 uv run python manage.py runserver        # then open http://127.0.0.1:8000/\n\
         \x20 uv run pytest --cov                      # the tests, with the coverage floor\n\
         \n\
         With pip instead of uv, replace `uv sync` with\n\
         \x20 python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]'\n\
         and drop `uv run` from the other commands.\n",
    );
    out
}

/// The next steps a new user follows as printed: `cd` wherever the project is
/// not the current directory (an existing empty one too), a clean path, and
/// no `git init` where `.git` already is.
#[test]
fn next_steps_fit_where_the_project_landed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        let output = quickscale(cwd, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        stdout(&output)
    };
    fs::create_dir(tmp.path().join("empty")).unwrap();
    assert_eq!(
        run(tmp.path(), &["init", "empty"]),
        summary("empty", "empty", Some("empty"), true)
    );
    fs::create_dir(tmp.path().join("e5")).unwrap();
    assert_eq!(
        run(tmp.path(), &["init", "./e5/"]),
        summary("e5", "e5", Some("e5"), true)
    );
    assert_eq!(
        run(tmp.path(), &["init", "./new//"]),
        summary("new", "new", Some("new"), true)
    );
    let repo = tmp.path().join("repo");
    fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    assert_eq!(
        run(&repo, &["init", "."]),
        summary("repo", ".", None, false)
    );
    // The current directory spelled another way needs no cd either.
    let here = tmp.path().join("here");
    fs::create_dir(&here).unwrap();
    assert_eq!(
        run(&here, &["init", "../here/"]),
        summary("here", "../here", None, true)
    );
}

/// Usage mistakes of init name what is wrong and point to init's own help.
#[test]
fn usage_errors_name_the_option_and_point_to_init_help() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            &["init", "--nme", "x"][..],
            "error: unknown option '--nme' for `quickscale init`; run 'quickscale init --help' for \
             its options (a path that starts with '-' goes after `--`: quickscale init -- --nme)\n",
        ),
        (
            &["init", "x", "-n", "y"],
            "error: unknown option '-n' for `quickscale init`; run 'quickscale init --help' for \
             its options (a path that starts with '-' goes after `--`: quickscale init -- -n)\n",
        ),
        (
            &["init"],
            "error: the following required arguments were not provided: <PATH>; run \
             'quickscale init --help' for usage\n",
        ),
        (
            &["upgrade", "--bogus"],
            "error: unexpected argument '--bogus' found; to pass '--bogus' as a value, use \
             '-- --bogus'; run 'quickscale upgrade --help' for usage\n",
        ),
    ] {
        let output = quickscale(tmp.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&output), expected, "{args:?}");
        assert_eq!(stdout(&output), "");
    }
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
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
        crate::support::copy_executable(Path::new(BIN), &binary);
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
    // `ulimit -f 2` allows 1 KiB per file. quickscale itself ignores SIGXFSZ,
    // which would otherwise kill it silently, so the write fails with EFBIG.
    let output = Command::new("sh")
        .args(["-c", "ulimit -f 2; exec \"$0\" init partial", BIN])
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

/// Names that stress every rule. Each refused one must fail cleanly; each
/// accepted one must give a package Python imports and a distribution name
/// PEP 508 allows, as checked by Python itself below, not by our own code.
const ODD_NAMES: &[&str] = &[
    // Accepted, if the rules are right.
    "a",
    "Z",
    "ab",
    "a1",
    "x9",
    "a_b",
    "a-b",
    "a--b",
    "a__b",
    "a_-b",
    "a-_b",
    "MyApp",
    "my-app",
    "My-App_2",
    "camelCase",
    "UPPER",
    "a-1",
    "abc-def-ghi",
    "pkg_site",
    "init_me",
    "main2",
    "pycache-x",
    "dunder__mid",
    "n0ne",
    "classy",
    "testing-tool",
    "sites",
    "a_very_long_name_that_keeps_going_and_going_for_sixty_four_chars_",
    "a_very_long_name_that_keeps_going_and_going_for_sixty_four_chars",
    // Refused, if the rules are right.
    "",
    "-",
    "_",
    "__",
    "---",
    "-foo",
    "--name",
    "-x",
    "__init__",
    "__main__",
    "__pycache__",
    "__x__",
    "app_",
    "app-",
    "_app",
    "-app",
    "App-",
    "a.b",
    "a b",
    "a/b",
    "a\\b",
    "1app",
    "9",
    "class",
    "def",
    "None",
    "True",
    "django",
    "os",
    "test",
    "site",
    "config",
    "typing",
    "pip",
    "pytest",
    "__future__",
    "_thread",
    "ünï",
    "é",
    "a\nb",
    "a\u{1b}[31mb",
    "a\tb",
    "a@b",
    "a+b",
    "a~",
    "app.",
    ".app",
    "a:b",
    "a*b",
    "a'b",
    "a\"b",
    "$x",
    "a;b",
    "a\u{202e}b",
    "a\rb",
];

/// No control character in what quickscale printed, but the final newline.
fn assert_no_control_characters(text: &str, context: &str) {
    let body = text.strip_suffix('\n').unwrap_or(text);
    assert!(
        !body.chars().any(char::is_control),
        "{context}: raw control character in {text:?}"
    );
}

#[test]
fn every_accepted_odd_name_is_a_valid_package_and_distribution() {
    let tmp = tempfile::tempdir().unwrap();
    let mut accepted = Vec::new();
    for (index, name) in ODD_NAMES.iter().enumerate() {
        // A directory of its own for each name, named by --name.
        let dir = format!("probe{index}");
        let before = snapshot(tmp.path());
        let output = quickscale(tmp.path(), &["init", &dir, "--name", name]);
        if output.status.success() {
            let manifest =
                fs::read_to_string(tmp.path().join(&dir).join(".quickscale.toml")).unwrap();
            let recorded = |key: &str| {
                manifest
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("{key} in {manifest}"))
                    .to_owned()
            };
            accepted.push((
                name.to_string(),
                recorded("PACKAGE_NAME"),
                recorded("PROJECT_SLUG"),
            ));
            fs::remove_dir_all(tmp.path().join(&dir)).unwrap();
        } else {
            assert_one_line_error(&output, "");
            assert_no_control_characters(&stderr(&output), &format!("{name:?}"));
            assert_eq!(snapshot(tmp.path()), before, "{name:?} wrote something");
        }
    }
    assert!(ODD_NAMES.len() >= 50);
    assert!(accepted.len() >= 25, "{accepted:?}");
    assert!(accepted.len() < ODD_NAMES.len() - 25, "{accepted:?}");

    // PEP 508's name rule, the package rules and the refused spellings, in Python.
    let script = r#"
import keyword, re, sys
pep508 = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
bad = []
for line in sys.stdin.read().splitlines():
    name, package, slug = line.split("\t")
    if not pep508.match(slug):
        bad.append(f"{name}: distribution name {slug!r} breaks PEP 508")
    if not package.isidentifier() or keyword.iskeyword(package) or package.startswith("__"):
        bad.append(f"{name}: package {package!r} is no importable package name")
    if name.startswith("-"):
        bad.append(f"{name}: leading dash")
    if package in sys.stdlib_module_names:
        bad.append(f"{name}: shadows the standard library")
print("\n".join(bad))
"#;
    let python = crate::support::repo_root().join("target/test-tools/venv/bin/python");
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}; run ./scripts/setup-test-tools", python.display()));
    let lines: String = accepted
        .iter()
        .map(|(name, package, slug)| format!("{name}\t{package}\t{slug}\n"))
        .collect();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout(&output).trim(),
        "",
        "accepted names that make a broken project"
    );
}

#[test]
fn leading_dashes_reach_our_check_in_every_spelling() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["init", "--", "-foo"],
        &["init", "--", "--foo"],
        &["init", "x", "--name=-x"],
        &["init", "x", "--name", "-x"],
        &["init", "--name", "-x", "x"],
    ];
    for args in cases {
        let output = quickscale(tmp.path(), args);
        assert_one_line_error(&output, "starts with '-', which reads as an option");
    }
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn control_characters_in_names_and_paths_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let odd = "odd\nname\u{1b}[2J\tx";
    let full = tmp.path().join(odd);
    fs::create_dir(&full).unwrap();
    fs::write(full.join("keep"), "x").unwrap();
    fs::create_dir(tmp.path().join("ok")).unwrap();
    fs::write(tmp.path().join("ok/keep"), "x").unwrap();
    std::os::unix::fs::symlink(format!("to\n{odd}"), tmp.path().join("link\tname")).unwrap();
    let missing = format!("{odd}-missing/app");
    let cases: &[(&[&str], &str)] = &[
        (&["init", odd], "cannot become a Python package"),
        (&["init", "fresh", "--name", odd], "\\n"),
        (&["init", &missing], "does not exist"),
        (&["init", "ok", "--name", "fine"], "not empty"),
        (
            &["init", "link\tname", "--name", "fine"],
            "symbolic link to 'to\\n",
        ),
        (
            &["init", "link\tname/", "--name", "fine"],
            "'link\\tname' is a symbolic link",
        ),
        (&["diff", odd], "is not in a quickscale project"),
        (&["diff", "fresh\u{1b}"], "fresh\\u{1b}"),
        (
            &["init", "x", "--bogus\u{1b}[31m"],
            "unknown option '--bogus\\u{1b}[31m'",
        ),
        (&["diff", "--bogus\u{1b}[31m"], "unexpected argument"),
    ];
    let before = snapshot(tmp.path());
    for (args, expected) in cases {
        let output = quickscale(tmp.path(), args);
        assert_one_line_error(&output, expected);
        assert_no_control_characters(&stderr(&output), &format!("{args:?}"));
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "{args:?} changed the directory"
        );
    }
    let output = quickscale(&full, &["init", "."]);
    assert_one_line_error(&output, "odd\\nname\\u{1b}[2J\\tx");
}

/// A symlink as the target is refused, spelled `L` or `L/`, wherever it
/// points: following it would write outside the directory the user named.
#[test]
fn a_symlinked_target_is_refused_with_or_without_a_slash() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("empty")).unwrap();
    std::os::unix::fs::symlink("empty", tmp.path().join("to-empty")).unwrap();
    std::os::unix::fs::symlink("nowhere/at/all", tmp.path().join("dangling")).unwrap();
    let before = snapshot(tmp.path());
    for (link, points_to) in [("to-empty", "empty"), ("dangling", "nowhere/at/all")] {
        for spelling in [
            link.to_owned(),
            format!("{link}/"),
            format!("./{link}/."),
            format!("{link}//"),
        ] {
            for extra in [&[][..], &["--name", "fine"][..]] {
                let mut args = vec!["init", spelling.as_str()];
                args.extend_from_slice(extra);
                let output = quickscale(tmp.path(), &args);
                assert_one_line_error(
                    &output,
                    &format!("{link}' is a symbolic link to '{points_to}'"),
                );
                assert_eq!(snapshot(tmp.path()), before, "{args:?} wrote something");
            }
        }
    }
    // The link's own directory, named directly, is fine.
    let output = quickscale(tmp.path(), &["init", "empty/"]);
    assert!(output.status.success(), "{output:?}");
}

/// A staging directory a SIGKILL left behind is named, with what to do.
#[test]
fn a_leftover_staging_directory_is_named_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("acme");
    fs::create_dir_all(target.join(".quickscale-init-Ab12Cd")).unwrap();
    let before = snapshot(tmp.path());
    for (cwd, path) in [(tmp.path(), "acme"), (target.as_path(), ".")] {
        let output = quickscale(cwd, &["init", path]);
        assert_one_line_error(
            &output,
            "holds '.quickscale-init-Ab12Cd', a staging directory",
        );
        assert!(stderr(&output).contains("rm -r '"), "{output:?}");
        assert_eq!(snapshot(tmp.path()), before);
    }
    // Beside a new directory it is in nobody's way: init succeeds and notes it.
    let output = quickscale(&target, &["init", "fresh"]);
    assert!(output.status.success(), "{output:?}");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("note: found '.quickscale-init-Ab12Cd', a staging directory")
            && err.contains("(rm -r './.quickscale-init-Ab12Cd')"),
        "{err}"
    );
    assert!(
        target.join(".quickscale-init-Ab12Cd").is_dir(),
        "never removed by init"
    );
}

/// Printing the next steps fails after the project exists: the error says the
/// project was created.
#[test]
fn a_full_stdout_is_reported_after_the_project_was_created() {
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["init", "acme"])
        .current_dir(tmp.path())
        .stdout(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        "created the project in 'acme', but could not print the next steps",
    );
    assert!(stderr(&output).contains("No space left on device"));
    assert_eq!(
        project_snapshot(&tmp.path().join("acme")),
        Generated::new("acme").snapshot(),
        "the project is complete"
    );
}

/// No message ends in Rust's `(os error N)`: each of these failures comes
/// from the operating system.
#[test]
fn no_message_carries_an_os_error_number() {
    let tmp = tempfile::tempdir().unwrap();
    let project = Generated::new("acme");
    let broken = tempfile::tempdir().unwrap();
    fs::create_dir(broken.path().join(".quickscale.toml")).unwrap();
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let runs = [
        Command::new(BIN)
            .args(["init", "a"])
            .current_dir(tmp.path())
            .stdout(full())
            .output(),
        Command::new(BIN)
            .arg("diff")
            .arg(&project.root)
            .stdout(full())
            .output(),
        Command::new(BIN)
            .args(["completions", "bash"])
            .stdout(full())
            .output(),
        Command::new(BIN).arg("diff").arg(broken.path()).output(),
        Command::new(BIN)
            .args(["diff", "/proc/self/cwd/missing"])
            .output(),
        Command::new("sh")
            .args(["-c", "ulimit -f 1; exec \"$0\" init big", BIN])
            .current_dir(tmp.path())
            .output(),
    ];
    for output in runs {
        let output = output.unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(
            err.starts_with("error: ") && !err.contains("(os error"),
            "{err}"
        );
    }
}

/// Sends `signal` to `init` at random moments, hundreds of times, into a new
/// directory or an existing empty one. Each run must end with a complete
/// project (identical to a fresh one but for .env) or with nothing at all, and
/// never with a staging directory; an interrupted run dies of the signal.
fn interrupt_at_random_moments(signal: i32, into_existing: bool) {
    const RUNS: u64 = 200;
    let seed = std::env::var("QUICKSCALE_INTERRUPT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0000 + signal as u64 * 2 + u64::from(into_existing));
    eprintln!("interrupt loop: signal {signal}, into_existing {into_existing}, seed {seed} (QUICKSCALE_INTERRUPT_SEED={seed} repeats it)");
    let mut random = SplitMix(seed);

    let expected = Generated::new("app").snapshot();
    // How long one whole run takes here (the median of five), so that the
    // kills spread over all of it, from before the handlers exist to after
    // the project is in place. Only the spread depends on it, no assertion.
    let mut times: Vec<u64> = (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            drop(Generated::new("app"));
            started.elapsed().as_micros() as u64
        })
        .collect();
    times.sort_unstable();
    let span = times[2] + times[2] / 4 + 1;

    let scratch = tempfile::tempdir().unwrap();
    let (mut complete, mut nothing, mut caught) = (0, 0, 0);
    for run in 0..RUNS {
        let parent = scratch.path().join(run.to_string());
        let target = parent.join("app");
        fs::create_dir(&parent).unwrap();
        if into_existing {
            fs::create_dir(&target).unwrap();
        }
        let child = Command::new(BIN)
            .args(["init", "app"])
            .current_dir(&parent)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(random.next() % span));
        // SAFETY: kill on our own child's pid, which wait below has not reaped.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let output = child.wait_with_output().unwrap();
        let context = format!("run {run} (seed {seed}): {output:?}");
        use std::os::unix::process::ExitStatusExt;
        assert!(
            output.status.success() || output.status.signal() == Some(signal),
            "exits 0 or dies of the signal: {context}"
        );
        if stderr(&output).contains("arrived before init finished") {
            caught += 1;
        }
        let leftovers: Vec<_> = [&parent, &target]
            .into_iter()
            .filter_map(|dir| fs::read_dir(dir).ok())
            .flatten()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".quickscale-init-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "staging left behind {leftovers:?}: {context}"
        );
        let entries: Vec<_> = fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        if !target.exists() || fs::read_dir(&target).unwrap().next().is_none() {
            assert!(
                !output.status.success(),
                "exit 0 without a project: {context}"
            );
            assert_eq!(entries.len(), usize::from(into_existing), "{context}");
            nothing += 1;
        } else {
            let env = fs::metadata(target.join(".env")).expect(".env is written");
            assert_eq!(env.permissions().mode() & 0o777, 0o600, "{context}");
            assert_eq!(
                project_snapshot(&target),
                expected,
                "a partial project: {context}"
            );
            assert_eq!(entries.len(), 1, "{context}");
            complete += 1;
        }
        fs::remove_dir_all(&parent).unwrap();
    }
    eprintln!("interrupt loop: delays up to {span} µs; {complete} complete, {nothing} with nothing written ({caught} stopped by the handler)");
}

/// SIGINT and SIGTERM, into a new directory and into an existing empty one:
/// the four loops run side by side.
#[test]
fn interrupted_runs_leave_a_whole_project_or_nothing() {
    std::thread::scope(|scope| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            for into_existing in [false, true] {
                scope.spawn(move || interrupt_at_random_moments(signal, into_existing));
            }
        }
    });
}
