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
    use crate::compare::{Entry, Take, Yours};
    use crate::conflict::{beside_path, Reason};

    fn mode_of(op: &Op) -> Option<u32> {
        match op {
            Op::Write { mode, .. } => Some(*mode),
            Op::Delete => None,
        }
    }

    fn file(root: &Path, rel: &str, mode: u32) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"x\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn content(executable: bool) -> Content {
        Content {
            bytes: b"new\n".to_vec(),
            executable,
        }
    }

    fn plan(entries: Vec<(&str, Outcome)>) -> Plan {
        Plan {
            project_name: "acme".into(),
            made_with: None,
            base_digest: None,
            base_version: None,
            entries: entries
                .into_iter()
                .map(|(path, outcome)| Entry {
                    path: path.into(),
                    yours: Yours::Absent,
                    outcome,
                    binary: false,
                })
                .collect(),
        }
    }

    fn beside(theirs: Content) -> Outcome {
        Outcome::Conflict(Conflict {
            reason: Reason::Binary,
            write: None,
            beside: Some(theirs),
        })
    }

    #[test]
    fn env_and_manifest_keep_their_modes_and_start_private_or_plain() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (path, op) = env(root, b"A=1\n".to_vec());
        assert_eq!((path.as_str(), mode_of(&op)), (".env", Some(0o600)));
        assert!(matches!(op, Op::Write { ref bytes, .. } if bytes == b"A=1\n"));
        let (path, op) = manifest(root, b"m".to_vec());
        assert_eq!(
            (path.as_str(), mode_of(&op)),
            (".quickscale.toml", Some(0o644))
        );
        assert!(matches!(op, Op::Write { ref bytes, .. } if bytes == b"m"));
        file(root, ".env", 0o4640);
        file(root, ".quickscale.toml", 0o4751);
        assert_eq!(mode_of(&env(root, Vec::new()).1), Some(0o4640));
        assert_eq!(
            mode_of(&manifest(root, Vec::new()).1),
            Some(0o4640),
            "kept, without execute bits"
        );
        // A directory where the manifest goes is no mode to keep.
        fs::remove_file(root.join(".quickscale.toml")).unwrap();
        fs::create_dir(root.join(".quickscale.toml")).unwrap();
        fs::set_permissions(
            root.join(".quickscale.toml"),
            fs::Permissions::from_mode(0o750),
        )
        .unwrap();
        assert_eq!(mode_of(&manifest(root, Vec::new()).1), Some(0o644));
    }

    #[test]
    fn a_write_keeps_the_replaced_files_bits_and_takes_the_execute_bits_from_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        file(root, "a", 0o2600);
        fs::create_dir(root.join("d")).unwrap();
        fs::set_permissions(root.join("d"), fs::Permissions::from_mode(0o750)).unwrap();
        let write_over =
            |rel: &str, executable| mode_of(&write(&content(executable), Some(&root.join(rel))));
        assert_eq!(write_over("a", true), Some(0o2700));
        assert_eq!(write_over("a", false), Some(0o2600));
        assert_eq!(write_over("d", false), Some(0o644), "not a file: new");
        assert_eq!(write_over("none", true), Some(0o755));
        assert_eq!(mode_of(&write(&content(false), None)), Some(0o644));
    }

    #[test]
    fn operations_write_delete_and_put_the_starters_version_beside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        file(root, "old", 0o644);
        file(root, "blocker", 0o644);
        let p = plan(vec![
            ("new", Outcome::Take(Take::Write(content(false)))),
            ("old", Outcome::Take(Take::Delete)),
            ("gone", Outcome::Take(Take::Delete)),
            ("bin", beside(content(false))),
            ("blocker/x", beside(content(false))),
            ("kept", Outcome::Keep),
        ]);
        let (ops, not_beside) = operations(root, &p).unwrap();
        let shown: Vec<(&str, Option<u32>)> = ops
            .iter()
            .map(|(path, op)| (path.as_str(), mode_of(op)))
            .collect();
        let bin_beside = beside_path("bin");
        assert_eq!(
            shown,
            [
                ("new", Some(0o644)),
                ("old", None),
                (bin_beside.as_str(), Some(0o644))
            ],
            "a deletion only where a file stands"
        );
        assert_eq!(not_beside.len(), 1);
        assert_eq!(not_beside[0].0, "blocker/x");
        assert!(not_beside[0].1.contains("'blocker' is not a directory"));
        // Something already beside: refused, never overwritten.
        file(root, &bin_beside, 0o644);
        let err = operations(root, &p).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
    }

    #[test]
    fn blocked_walks_every_directory_above() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        file(root, "a/b/f", 0o644);
        let at = |rel: &str| match blocked(root, rel).unwrap() {
            Blocked::No => "no".to_owned(),
            Blocked::Exists => "exists".to_owned(),
            Blocked::NotADirectory(dir) => dir,
        };
        assert_eq!(at("a/b/new"), "no");
        assert_eq!(at("a/new/x"), "no");
        assert_eq!(at("a/b/f"), "exists");
        assert_eq!(at("a/b"), "exists");
        assert_eq!(at("a/b/f/x"), "a/b/f");
        assert_eq!(at("a/b/f/x/y"), "a/b/f");
        // Any failure but "not found" is an error, never a free path.
        assert!(blocked(root, &format!("a/{}", "n".repeat(300))).is_err());
        assert!(is_file(&root.join("a/b/f")));
        assert!(!is_file(&root.join("a/b")));
        assert!(!is_file(&root.join("a/none")));
    }

    #[test]
    fn execute_bits_follow_the_read_bits() {
        assert_eq!(with_execute(0o644, true), 0o755);
        assert_eq!(with_execute(0o755, true), 0o755, "already executable");
        assert_eq!(with_execute(0o600, true), 0o700);
        assert_eq!(with_execute(0o755, false), 0o644);
        assert_eq!(with_execute(0o640, false), 0o640);
    }
}
