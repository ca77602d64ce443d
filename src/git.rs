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
    let output = Command::new("git")
        .args([
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
        ])
        .args(paths.iter().map(|p| format!(":(literal){p}")))
        .current_dir(dir)
        .output()
        .map_err(|e| Error::new(format!("cannot run git status in '{}': {e}", dir.display())))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "git status failed in '{}': {}; fix the repository, or pass --allow-dirty",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
                .trim()
                .replace('\n', " ")
        )));
    }
    let mut dirty = Vec::new();
    let mut records = output.stdout.split(|b| *b == 0).filter(|r| !r.is_empty());
    while let Some(record) = records.next() {
        if record.len() < 4 {
            continue;
        }
        dirty.push(String::from_utf8_lossy(&record[3..]).into_owned());
        // A rename or copy is followed by its source path.
        if matches!(record[0], b'R' | b'C') {
            records.next();
        }
    }
    Ok(dirty)
}
