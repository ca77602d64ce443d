#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "runs git to ask which paths hold uncommitted changes"
)]
//! The one question quickscale asks git: which of these paths have changes
//! that are not committed? `upgrade` refuses to write over them, so that
//! `git diff` afterwards shows exactly what the upgrade did and nothing of
//! the owner's work can be lost.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

/// The paths among `paths` (relative to `dir`) that git reports as modified,
/// added, deleted or untracked. Empty when `dir` is not in a git work tree
/// or git is not installed: then there is nothing git could restore, and the
/// upgrade's own report is the record.
pub fn uncommitted(dir: &Path, paths: &[String]) -> Result<Vec<String>> {
    let inside = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(dir)
        .output();
    match inside {
        Ok(output) if output.status.success() && output.stdout.starts_with(b"true") => {}
        _ => return Ok(Vec::new()),
    }
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    // `:(literal)` so that no path is read as a glob; paths are relative to
    // the project directory, wherever the repository's root is.
    let specs: Vec<String> = paths.iter().map(|p| format!(":(literal){p}")).collect();
    // Two pathspec-limited questions, so the cost follows the starter's paths,
    // not the size of the repository (a full `git status` walks every
    // untracked directory): what differs from the last commit, staged or not,
    // and what git does not track yet.
    let changed = match run(
        dir,
        &["diff-index", "--name-only", "-z", "HEAD", "--"],
        &specs,
    ) {
        Ok(out) => out,
        // No commit yet: everything in the tree is uncommitted.
        Err(_) => run(
            dir,
            &[
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--",
            ],
            &specs,
        )?
        .split(|b| *b == 0)
        .filter(|record| record.len() > 3)
        .flat_map(|record| record[3..].iter().copied().chain([0]))
        .collect(),
    };
    let untracked = run(
        dir,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "--full-name",
            "-z",
            "--",
        ],
        &specs,
    )?;
    let mut dirty: Vec<String> = changed
        .split(|b| *b == 0)
        .chain(untracked.split(|b| *b == 0))
        .filter(|path| !path.is_empty())
        .map(|path| String::from_utf8_lossy(path).into_owned())
        .collect();
    dirty.sort();
    dirty.dedup();
    Ok(dirty)
}

/// Runs git in `dir` with `args` then `specs`; its stdout, or the one-line error.
fn run(dir: &Path, args: &[&str], specs: &[String]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .args(args)
        .args(specs)
        .current_dir(dir)
        .output()
        .map_err(|e| Error::new(format!("cannot run git in '{}': {e}", dir.display())))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "git {} failed in '{}': {}; fix the repository, or pass --allow-dirty",
            args[0],
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}
