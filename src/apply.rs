#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "decides what each path gets from what stands on disk now: the file it replaces, the directories above"
)]
//! Turns a plan into the operations the journal carries out.
//!
//! What each path gets, decided here from the plan and what stands on disk
//! now: the starter's or the merged file, with the permission bits of the
//! file it replaces (only the execute bits follow the content); a deletion;
//! and, for a conflict no line merge decides, the starter's version beside
//! the owner's file, never over anything. The journal ([`crate::journal`])
//! then makes them happen all together or not at all.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::compare::{Conflict, Content, Outcome, Plan};
use crate::conflict::beside_path;
use crate::env_file;
use crate::error::{escape_controls, Error, Result};
use crate::journal::Op;
use crate::manifest;

/// Each path's operation, in plan order.
pub type Operations = Vec<(String, Op)>;

/// The conflicts whose beside file cannot be written: the path, and why.
pub type NotBeside = Vec<(String, String)>;

/// The operations for `plan`, in plan order, and the beside files that
/// cannot be written, which the caller drops from the plan so that no report
/// names a file that is not there.
pub fn operations(root: &Path, plan: &Plan) -> Result<(Operations, NotBeside)> {
    let mut ops = Vec::new();
    let mut not_beside = Vec::new();
    for entry in &plan.entries {
        match entry.written() {
            Some(Some(content)) => ops.push((
                entry.path.clone(),
                write(content, Some(&root.join(&entry.path))),
            )),
            Some(None) if is_file(&root.join(&entry.path)) => {
                ops.push((entry.path.clone(), Op::Delete))
            }
            Some(None) | None => {}
        }
        if let Outcome::Conflict(Conflict {
            beside: Some(theirs),
            ..
        }) = &entry.outcome
        {
            let beside = beside_path(&entry.path);
            match blocked(root, &beside)? {
                Blocked::No => ops.push((beside, write(theirs, None))),
                Blocked::Exists => {
                    return Err(Error::new(format!(
                    "'{}' already exists, and upgrade would write the starter's version of '{}' \
                         there; move it away (it may be left from an earlier upgrade) and run \
                         upgrade again",
                    escape_controls(&beside),
                    escape_controls(&entry.path)
                )))
                }
                Blocked::NotADirectory(dir) => not_beside.push((
                    entry.path.clone(),
                    format!(
                        "The starter's version of {} was not written beside it: '{}' is not a \
                         directory. `quickscale diff --patch` shows it before you upgrade.",
                        escape_controls(&entry.path),
                        escape_controls(&dir)
                    ),
                )),
            }
        }
    }
    Ok((ops, not_beside))
}

/// Writing the project's whole new `.env`, the keys it lacked appended: its
/// permission bits kept, 0600 for a new one, since it holds secrets.
pub fn env(root: &Path, bytes: Vec<u8>) -> (String, Op) {
    let mode = match fs::symlink_metadata(root.join(env_file::FILE)) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        Err(_) => 0o600,
    };
    (env_file::FILE.to_owned(), Op::Write { bytes, mode })
}

/// Writing the next manifest, the upgrade's commit point: its permission bits
/// kept as every file upgrade replaces (never an execute bit), 0644 for a new one.
pub fn manifest(root: &Path, bytes: Vec<u8>) -> (String, Op) {
    let mode = match fs::symlink_metadata(root.join(manifest::FILE_NAME)) {
        Ok(meta) if meta.is_file() => meta.permissions().mode() & 0o7777 & !0o111,
        _ => 0o644,
    };
    (manifest::FILE_NAME.to_owned(), Op::Write { bytes, mode })
}

/// Writing `content` over `replacing` (None for a new file): the permission
/// bits of the file it replaces, the execute bits from the content.
fn write(content: &Content, replacing: Option<&Path>) -> Op {
    let mode = match replacing.map(fs::symlink_metadata) {
        Some(Ok(meta)) if meta.is_file() => meta.permissions().mode() & 0o7777,
        _ => 0o644,
    };
    Op::Write {
        bytes: content.bytes.clone(),
        mode: with_execute(mode, content.executable),
    }
}

enum Blocked {
    No,
    Exists,
    /// This directory above the path is a file or a link.
    NotADirectory(String),
}

/// Whether something stands in the way of creating `rel`.
fn blocked(root: &Path, rel: &str) -> Result<Blocked> {
    let parts: Vec<&str> = rel.split('/').collect();
    for depth in 1..=parts.len() {
        let shown = parts[..depth].join("/");
        let at = root.join(&shown);
        match fs::symlink_metadata(&at) {
            Ok(meta) if depth < parts.len() && meta.is_dir() => {}
            Ok(_) if depth < parts.len() => return Ok(Blocked::NotADirectory(shown)),
            Ok(_) => return Ok(Blocked::Exists),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Blocked::No),
            Err(e) => return Err(Error::io("inspect", &at, &e)),
        }
    }
    Ok(Blocked::No)
}

fn is_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|meta| meta.is_file())
}

/// Sets the execute bits where the read bits are (0644 -> 0755), or clears them.
fn with_execute(mode: u32, executable: bool) -> u32 {
    if executable {
        mode | ((mode & 0o444) >> 2)
    } else {
        mode & !0o111
    }
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
