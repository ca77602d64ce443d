//! The release artefact: one statically linked binary that runs `init`
//! correctly. Built here exactly as README.md documents it.

use std::process::Command;

use crate::support::{build_static, repo_root, Generated};
use pretty_assertions::assert_eq;

#[test]
fn the_static_release_binary_has_no_dynamic_dependencies_and_works() {
    let binary = build_static(&repo_root(), &repo_root().join("target").join("static"));

    let ldd = Command::new("ldd")
        .arg(&binary)
        .output()
        .expect("ldd (libc-bin) is installed");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        report.contains("not a dynamic executable") || report.contains("statically linked"),
        "ldd reports dynamic dependencies:\n{report}"
    );
    let size = std::fs::metadata(&binary).unwrap().len();
    eprintln!(
        "static binary: {} bytes ({:.1} MiB)",
        size,
        size as f64 / 1048576.0
    );

    // The static binary writes the same project as the test build.
    assert_eq!(
        Generated::by(&binary, "acme").snapshot(),
        Generated::new("acme").snapshot()
    );
}
