#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "writes a plan to disk by temporary file and rename: the one writer of a project's files"
)]
//! Carries out a plan on disk, safely.
//!
//! Every write goes to a temporary file in the same directory and is renamed
//! over the target, so after a failure or a kill each file is wholly old or
//! wholly new. Nothing is written through a symbolic link, and nothing the
//! owner has is overwritten except where the plan says the starter's version
//! (or a merge that keeps every one of the owner's lines) replaces it.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::compare::{beside_path, Conflict, Content, Outcome, Plan};
use crate::error::{escape_controls, Error, Result};

/// What apply could not do without risking the owner's data, one line each.
pub type Skipped = Vec<String>;

pub fn apply(root: &Path, plan: &Plan) -> Result<Skipped> {
    let mut skipped = Vec::new();
    for entry in &plan.entries {
        match entry.written() {
            Some(Some(content)) => write_file(root, &entry.path, content)?,
            Some(None) => delete_file(root, &entry.path)?,
            None => {}
        }
        if let Outcome::Conflict(Conflict {
            beside: Some(theirs),
            ..
        }) = &entry.outcome
        {
            let beside = beside_path(&entry.path);
            if !write_beside(root, &beside, theirs)? {
                skipped.push(format!(
                    "{} already exists, so the starter's version of {} was not written there; \
                     move it away and run upgrade again, or see it with `quickscale diff --patch`",
                    escape_controls(&beside),
                    escape_controls(&entry.path)
                ));
            }
        }
    }
    Ok(skipped)
}

/// Writes `content` at `rel` by temporary file and rename. The permission
/// bits of a file already there are kept; only the execute bits follow the
/// content.
pub fn write_file(root: &Path, rel: &str, content: &Content) -> Result<()> {
    let target = root.join(rel);
    let parent = ensure_parent(root, rel)?;
    let mode = match fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_file() => meta.permissions().mode() & 0o7777,
        _ => 0o644,
    };
    let mode = with_execute(mode, content.executable);
    staged(&parent, &target, content, mode)?
        .persist(&target)
        .map_err(|e| Error::io("replace", &target, &e.error))?;
    Ok(())
}

/// `content` written with `mode` to a temporary file in `parent`, ready to be
/// renamed onto `target` (named in errors).
fn staged(
    parent: &Path,
    target: &Path,
    content: &Content,
    mode: u32,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix(".quickscale-upgrade-")
        .tempfile_in(parent)
        .map_err(|e| Error::io("write in", parent, &e))?;
    temp.write_all(&content.bytes)
        .and_then(|()| {
            temp.as_file()
                .set_permissions(fs::Permissions::from_mode(mode))
        })
        .map_err(|e| Error::io("write", target, &e))?;
    Ok(temp)
}

/// Sets the execute bits where the read bits are (0644 -> 0755), or clears them.
fn with_execute(mode: u32, executable: bool) -> u32 {
    if executable {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    }
}

/// Writes the starter's version beside a conflicted file, never over
/// anything: false when something is already there.
fn write_beside(root: &Path, rel: &str, content: &Content) -> Result<bool> {
    let parent = match ensure_parent(root, rel) {
        Ok(parent) => parent,
        // A path under a symlink or a file: there is no safe place beside it.
        Err(_) => return Ok(false),
    };
    let target = root.join(rel);
    if fs::symlink_metadata(&target).is_ok() {
        return Ok(false);
    }
    let mode = with_execute(0o644, content.executable);
    let temp = staged(&parent, &target, content, mode)?;
    match temp.persist_noclobber(&target) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io("create", &target, &e.error)),
    }
}

fn delete_file(root: &Path, rel: &str) -> Result<()> {
    let target = root.join(rel);
    ensure_parent(root, rel)?;
    match fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_file() => {
            fs::remove_file(&target).map_err(|e| Error::io("delete", &target, &e))
        }
        Ok(_) => Ok(()), // Replaced since the plan was made: not a file of the starter's any more.
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("inspect", &target, &e)),
    }
}

/// The directory `rel` goes in, created as needed, each component checked to
/// be a real directory inside the project, never a symbolic link.
fn ensure_parent(root: &Path, rel: &str) -> Result<PathBuf> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for dir in &parts[..parts.len() - 1] {
        at.push(dir);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Error::new(format!(
                    "'{}' is not a directory, so '{}' cannot be written; move it away and run upgrade again",
                    at.display(),
                    rel
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&at).map_err(|e| Error::io("create", &at, &e))?
            }
            Err(e) => return Err(Error::io("inspect", &at, &e)),
        }
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_bits_follow_the_read_bits() {
        assert_eq!(with_execute(0o644, true), 0o755);
        assert_eq!(with_execute(0o600, true), 0o700);
        assert_eq!(with_execute(0o755, false), 0o644);
        assert_eq!(with_execute(0o640, false), 0o640);
    }
}
