//! The starter is compiled in: these tests build scratch copies of the
//! workspace with cargo and check that edits to starter/ reach the binary and
//! that bad placeholders stop the build with `starter/<path>:<line>:<col>`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::{Generated, ScratchWorkspace};

/// Adding, editing and removing starter files each rebuild the binary.
#[test]
fn starter_changes_rebuild_the_binary() {
    let scratch = ScratchWorkspace::new();
    let binary = scratch.build().expect("the scratch copy builds");
    let first = Generated::by(&binary, "first");
    assert!(!first.path("NOTES.txt").exists());

    fs::write(
        scratch.starter().join("NOTES.txt"),
        "notes for @PROJECT_NAME@\n",
    )
    .unwrap();
    let tool = scratch.starter().join("bin-tool.sh");
    fs::write(&tool, "#!/bin/sh\necho @PACKAGE_NAME@\n").unwrap();
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).unwrap();
    let binary = scratch.build().expect("builds after adding files");
    let second = Generated::by(&binary, "second");
    assert_eq!(
        fs::read_to_string(second.path("NOTES.txt")).unwrap(),
        "notes for second\n"
    );
    let mode = fs::metadata(second.path("bin-tool.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "execute bits survive embedding");

    fs::write(scratch.starter().join("NOTES.txt"), "edited notes\n").unwrap();
    let binary = scratch.build().expect("builds after an edit");
    let third = Generated::by(&binary, "third");
    assert_eq!(
        fs::read_to_string(third.path("NOTES.txt")).unwrap(),
        "edited notes\n"
    );

    fs::remove_file(scratch.starter().join("NOTES.txt")).unwrap();
    let binary = scratch.build().expect("builds after a removal");
    let fourth = Generated::by(&binary, "fourth");
    assert!(!fourth.path("NOTES.txt").exists());
    assert!(fourth.path("bin-tool.sh").exists());
}

/// Each broken starter fails to build, naming the file, line and column.
#[test]
fn bad_placeholders_fail_the_build_with_their_location() {
    let scratch = ScratchWorkspace::new();
    let starter = scratch.starter();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "docs/typo.md",
            b"# Title\n\nRun @PROJET_NAME@ now\n".to_vec(),
            "starter/docs/typo.md:3:5: unknown placeholder @PROJET_NAME@",
        ),
        (
            "wrong-case.txt",
            b"x @package_name@".to_vec(),
            "starter/wrong-case.txt:1:3: malformed placeholder @package_name@",
        ),
        (
            "unclosed.py",
            b"import os\nimport @PACKAGE_NAME.users\n".to_vec(),
            "starter/unclosed.py:2:8: malformed placeholder @PACKAGE_NAME",
        ),
        (
            "logo.bin",
            b"\x89PNG\x00\x01\n\x02@PROJECT_NAME@".to_vec(),
            "starter/logo.bin:2:2: placeholder @PROJECT_NAME@ in a binary file",
        ),
        (
            "@PROJECT_NAMES@/x.txt",
            b"fine".to_vec(),
            "starter/@PROJECT_NAMES@/x.txt:1:1: unknown placeholder @PROJECT_NAMES@",
        ),
    ];
    for (path, content, expected) in cases {
        let file = starter.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, content).unwrap();
        let stderr = scratch
            .build()
            .expect_err(&format!("{path} must fail the build"));
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        fs::remove_file(&file).unwrap();
    }

    // A file name that is not UTF-8.
    use std::os::unix::ffi::OsStrExt;
    let bad = starter.join(std::ffi::OsStr::from_bytes(b"bad-\xff.txt"));
    fs::write(&bad, "x").unwrap();
    let stderr = scratch
        .build()
        .expect_err("a non-UTF-8 path must fail the build");
    assert!(stderr.contains("starter/bad-"), "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    fs::remove_file(&bad).unwrap();

    scratch
        .build()
        .expect("the starter builds again once the bad files are gone");
}

/// A module's files and lines stay out of a project without it, and every
/// mistake in declaring or using one fails the build with its location.
#[test]
fn modules_are_checked_at_compile_time_and_left_out_unless_enabled() {
    let scratch = ScratchWorkspace::new();
    let starter = scratch.starter();
    let write = |rel: &str, text: &str| {
        let file = starter.join(rel);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, text).unwrap();
    };
    write(
        "+teams/module.toml",
        "description = \"Teams\"\nenv = [\"TEAMS_LIMIT\"]\n",
    );
    write(
        "+teams/@PACKAGE_NAME@/teams/models.py",
        "# teams of @PROJECT_NAME@\n",
    );
    write(
        "NOTES.md",
        "# Notes\n@IF(teams)@Teams of @PROJECT_NAME@.\n@BEGIN(!teams)@\nNo teams.\n@END(!teams)@\n",
    );
    let binary = scratch.build().expect("a starter with a module builds");
    let plain = Generated::by(&binary, "plain");
    assert!(!plain.path("plain/teams/models.py").exists());
    assert_eq!(
        fs::read_to_string(plain.path("NOTES.md")).unwrap(),
        "# Notes\nNo teams.\n"
    );
    assert!(!plain.path("module.toml").exists());
    assert!(!plain.path("+teams").exists());

    let cases: &[(&str, &str, &str)] = &[
        (
            "bad-module.md",
            "a\n@IF(team)@b\n",
            "starter/bad-module.md:2:5: unknown module 'team' in a condition",
        ),
        (
            "unbalanced.md",
            "@BEGIN(teams)@\nnever ends\n",
            "starter/unbalanced.md:1:1: @BEGIN(teams) has no @END(teams)",
        ),
        (
            "malformed.py",
            "x = 1\n@IF(teams x = 2\n",
            "starter/malformed.py:2:5: a condition marker must close with `)@`",
        ),
        (
            "+teams/NOTES.md",
            "a module's own notes\n",
            "is already this path: a module adds files of its own",
        ),
        (
            "+payments/payments.py",
            "x = 1\n",
            "starter/+payments/module.toml:1:1: the module 'payments' has files but no module.toml",
        ),
        (
            "+Payments/module.toml",
            "description = \"x\"\n",
            "starter/+Payments:1:1: a module's name is lower-case",
        ),
        (
            "+payments/module.toml",
            "describe = \"x\"\n",
            "starter/+payments/module.toml:1:1: unknown key 'describe'",
        ),
    ];
    for (path, text, expected) in cases {
        write(path, text);
        let stderr = scratch
            .build()
            .expect_err(&format!("{path} must fail the build"));
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        fs::remove_file(starter.join(path)).unwrap();
    }
}
