//! The release artefact: one statically linked binary that runs `init`
//! correctly. Built here exactly as README.md documents it.

use std::path::Path;
use std::process::Command;

use crate::support::{init_tree, repo_root};
use pretty_assertions::assert_eq;

#[test]
fn the_static_release_binary_has_no_dynamic_dependencies_and_works() {
    let target_dir = repo_root().join("target").join("static");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--bin",
            "quickscale",
        ])
        .current_dir(repo_root())
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the static release build failed");
    let binary = target_dir.join("x86_64-unknown-linux-gnu/release/quickscale");

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
        init_tree(&binary, "acme"),
        init_tree(Path::new(crate::support::BIN), "acme")
    );
}
