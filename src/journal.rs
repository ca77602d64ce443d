#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the transaction that writes a project: stages, renames, flushes and removes files"
)]
//! The upgrade's journal: what makes an upgrade all or nothing.
//!
//! An upgrade changes many files, and a kill, a full disk or a read-only
//! directory can stop it anywhere. So nothing in the project changes until
//! every new file is written and flushed in `.quickscale-journal/` inside the
//! project, with the list of operations (`plan`) written last: a journal
//! without a plan changed nothing and is simply removed. Then each operation
//! is a rename: the file it replaces or deletes first moves into the journal
//! (`old/N`), the new one moves out of it (`new/N`). The last operation writes
//! the manifest, and that rename is the commit point:
//!
//! - before it, any failure (or a signal) puts every original back and removes
//!   the journal: the project is exactly as it was;
//! - after it, the upgrade is done: registering conflicts in git's index and
//!   removing the journal are only finishing touches.
//!
//! Each operation's progress is read from the files themselves (is `new/N`
//! still there, is `old/N`), so the next run, finding a journal a `SIGKILL`
//! left, rolls it back or finishes it without any record of how far it got.
//!
//! The journal lives in the project so that every rename stays on one file
//! system, which is what makes it atomic.
//!
//! Against a crash of the machine (a kill needs no flush: what was written
//! is in the page cache), two flushes: one after staging, so that the staged
//! files and the plan are on the disk before the plan is in place and any
//! project file moves, and one after the last rename, so that a completed
//! upgrade is on the disk before its journal goes. Between them the order
//! of the renames is the file system's to keep, as journaling file systems
//! keep their metadata in order (ext4 with its journal, XFS, btrfs, APFS):
//! the plan's rename before the first file's, every file's before the
//! manifest's. A file system that reorders them (ext2, ext4 without a
//! journal) could also reorder a file's own two renames, so no flush in
//! between would make it safe; each flush is a `syncfs`, which on a busy
//! disk costs milliseconds.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::check_path;
use crate::text::content_hash;

/// The journal directory, inside the project.
pub const DIR: &str = ".quickscale-journal";
const PLAN: &str = "plan";
const HEADER: &str = "quickscale-journal 1";

/// One change to the project.
#[derive(Debug, Clone)]
pub enum Op {
    /// Write `bytes` with `mode` at the path, replacing what is there.
    Write { bytes: Vec<u8>, mode: u32 },
    /// Remove the file at the path.
    Delete,
}

/// What a recovery found and did, for the one line that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovered {
    /// Killed while staging: no project file had changed yet.
    Discarded,
    /// Killed while moving files: every file is back as it was.
    RolledBack,
    /// Killed after the manifest moved: the upgrade is complete now.
    Finished,
}

impl Recovered {
    pub fn message(self) -> &'static str {
        match self {
            Recovered::Discarded => {
                "Recovered an interrupted upgrade: it had changed no file yet; removed what it had staged."
            }
            Recovered::RolledBack => {
                "Recovered an interrupted upgrade: rolled it back, so every file is as it was before it."
            }
            Recovered::Finished => {
                "Recovered an interrupted upgrade: finished it (every file and the manifest had moved already)."
            }
        }
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A directory the upgrade creates (and removes again on rollback).
    Mkdir(String),
    /// `new/N` goes to the path; `hash` is its content's, so that a rollback
    /// removes only a file that is still exactly what the upgrade wrote.
    Write {
        n: usize,
        hash: String,
        path: String,
    },
    /// The file at the path goes to `old/N`.
    Delete { n: usize, path: String },
    /// A line for `git update-index --index-info`, applied when finishing.
    Index(String),
}

/// A staged journal, ready to commit.
#[derive(Debug)]
pub struct Journal {
    root: PathBuf,
    steps: Vec<Step>,
}

/// Writes the journal for `ops` (the last one is the commit point: the
/// manifest) and `index` (git index lines for the conflicts). On failure the
/// journal is removed and the project is untouched. `check` is called between
/// files, so that a signal stops staging early.
pub fn stage(
    root: &Path,
    ops: &[(String, Op)],
    index: &[String],
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Journal> {
    let dir = root.join(DIR);
    fs::create_dir(&dir).map_err(|e| Error::io("create", &dir, &e))?;
    stage_into(root, &dir, ops, index, check).map_err(|error| {
        // Nothing in the project had changed yet: say so, unless a signal
        // stopped us (its message says it already).
        let _ = remove_journal(root);
        match error.signal() {
            Some(_) => error,
            None => Error::new(format!(
                "{}; the upgrade had changed nothing yet, and the project is as it was",
                error.message()
            )),
        }
    })
}

fn stage_into(
    root: &Path,
    dir: &Path,
    ops: &[(String, Op)],
    index: &[String],
    check: &mut dyn FnMut() -> Result<()>,
) -> Result<Journal> {
    for sub in ["new", "old"] {
        let path = dir.join(sub);
        fs::create_dir(&path).map_err(|e| Error::io("create", &path, &e))?;
    }
    let mut steps = Vec::new();
    let mut created: Vec<String> = Vec::new();
    for (n, (path, op)) in ops.iter().enumerate() {
        check()?;
        match op {
            Op::Write { bytes, mode } => {
                for parent in missing_parents(root, path)? {
                    if !created.contains(&parent) {
                        created.push(parent.clone());
                        steps.push(Step::Mkdir(parent));
                    }
                }
                let staged = dir.join("new").join(n.to_string());
                write_new(&staged, bytes, *mode).map_err(|e| Error::io("write", &staged, &e))?;
                steps.push(Step::Write {
                    n,
                    hash: content_hash(bytes),
                    path: path.clone(),
                });
            }
            Op::Delete => steps.push(Step::Delete {
                n,
                path: path.clone(),
            }),
        }
    }
    steps.extend(index.iter().cloned().map(Step::Index));
    // The plan is written beside the files it names, and one flush takes
    // them all to the disk before the rename that puts the plan in place:
    // a plan found after a crash names only files that are there.
    let text = plan_text(&steps);
    let temp = dir.join("plan.tmp");
    write_new(&temp, text.as_bytes(), 0o600).map_err(|e| Error::io("write", &temp, &e))?;
    flush(dir)?;
    let plan = dir.join(PLAN);
    fs::rename(&temp, &plan).map_err(|e| Error::io("write", &plan, &e))?;
    Ok(Journal {
        root: root.to_path_buf(),
        steps,
    })
}

impl Journal {
    /// Moves every file into place, the manifest last. On failure every
    /// original is put back and the journal removed before the error returns.
    pub fn commit(&self) -> Result<()> {
        let result = self.move_all();
        if let Err(error) = result {
            return Err(match roll_back(&self.root, &self.steps) {
                Ok(()) => Error::new(format!(
                    "{}; the upgrade was rolled back and the project is exactly as it was",
                    error.message()
                )),
                Err(undo) => Error::new(format!(
                    "{}; putting the original files back failed too ({}); they are kept in {}: \
                     fix the cause and run `quickscale upgrade` again, which restores them first",
                    error.message(),
                    undo.message(),
                    DIR
                )),
            });
        }
        Ok(())
    }

    fn move_all(&self) -> Result<()> {
        for step in &self.steps {
            match step {
                Step::Mkdir(path) => {
                    let at = self.root.join(path);
                    match fs::create_dir(&at) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && at.is_dir() => {}
                        Err(e) => return Err(Error::io("create", &at, &e)),
                    }
                }
                Step::Write { n, path, .. } => {
                    let target = checked_target(&self.root, path)?;
                    set_aside(&self.root, *n, &target)?;
                    let staged = slot(&self.root, "new", *n);
                    fs::rename(&staged, &target).map_err(|e| Error::io("replace", &target, &e))?;
                }
                Step::Delete { n, path } => {
                    let target = checked_target(&self.root, path)?;
                    set_aside(&self.root, *n, &target)?;
                }
                Step::Index(_) => {}
            }
        }
        // The upgrade on the disk before its journal goes.
        flush(&self.root)
    }

    /// Gives up before the commit: removes the journal; nothing had moved.
    pub fn abandon(&self) -> Result<()> {
        roll_back(&self.root, &self.steps)
    }

    /// After the commit point: registers the conflicts in git's index and
    /// removes the journal. Returns what could not be done, one line each;
    /// none of it undoes the upgrade.
    pub fn finish(&self) -> Vec<String> {
        finish(&self.root, &self.steps)
    }
}

/// Rolls back or finishes a journal an interrupted upgrade left; None when
/// there is none.
pub fn recover(root: &Path) -> Result<Option<(Recovered, Vec<String>)>> {
    let dir = root.join(DIR);
    match fs::symlink_metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::new(format!(
                "'{}' is not a directory; quickscale keeps an upgrade's journal there: move it \
                 away and run the command again",
                dir.display()
            )))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("inspect", &dir, &e)),
    }
    let plan = dir.join(PLAN);
    let text = match fs::read_to_string(&plan) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            remove_journal(root)?;
            return Ok(Some((Recovered::Discarded, Vec::new())));
        }
        Err(e) => return Err(Error::io("read", &plan, &e)),
    };
    let steps = parse_plan(&text).map_err(|why| {
        Error::new(format!(
            "'{}' is not a journal quickscale wrote ({why}); if no upgrade was interrupted here, \
             remove '{}' and run the command again",
            plan.display(),
            dir.display()
        ))
    })?;
    if committed(root, &steps) {
        let notes = finish(root, &steps);
        Ok(Some((Recovered::Finished, notes)))
    } else {
        roll_back(root, &steps).map_err(|e| {
            Error::new(format!(
                "an interrupted upgrade could not be rolled back: {}; its journal in {} keeps the \
                 original files: fix the cause and run the command again",
                e.message(),
                DIR
            ))
        })?;
        Ok(Some((Recovered::RolledBack, Vec::new())))
    }
}

/// The nearest directory, `dir` or above, holding a journal an interrupted
/// upgrade left: the project to recover, whatever its manifest says.
pub fn unfinished_root(dir: &Path) -> Option<PathBuf> {
    let start = fs::canonicalize(dir).ok()?;
    let found = start
        .ancestors()
        .find(|at| fs::symlink_metadata(at.join(DIR)).is_ok_and(|meta| meta.is_dir()))?;
    // As the user spelled it where they can: `.`, not /home/....
    Some(if found == start {
        dir.to_path_buf()
    } else {
        found.to_path_buf()
    })
}

/// A read of the project while an upgrade writes it, or after one was
/// interrupted, would see a half-upgraded tree.
pub fn refuse_while_unfinished(dir: &Path) -> Result<()> {
    if let Some(holder) = crate::lock::holder(dir) {
        return Err(Error::new(format!(
            "another quickscale ({holder}) is changing '{}' right now; wait for it to finish, then run the command again",
            dir.display()
        )));
    }
    if std::fs::symlink_metadata(dir.join(DIR)).is_ok() {
        return Err(Error::new(format!(
            "an upgrade of '{}' was interrupted; run `quickscale upgrade` to finish it or roll it back, then run the command again",
            dir.display()
        )));
    }
    Ok(())
}

/// Whether the commit point passed: the last file's staged copy has moved.
fn committed(root: &Path, steps: &[Step]) -> bool {
    match steps
        .iter()
        .rev()
        .find(|s| matches!(s, Step::Write { .. } | Step::Delete { .. }))
    {
        Some(Step::Write { n, .. }) => !exists(&slot(root, "new", *n)),
        Some(Step::Delete { n, path }) => {
            exists(&slot(root, "old", *n)) || !exists(&root.join(path))
        }
        _ => true,
    }
}

/// Puts every original back, newest first, removes the directories the
/// upgrade created, and then the journal.
fn roll_back(root: &Path, steps: &[Step]) -> Result<()> {
    for step in steps.iter().rev() {
        match step {
            Step::Write { n, hash, path } => {
                // What the step did shows in the journal: an original set
                // aside, or a staged file gone; neither, it never ran (and
                // the directory it writes into may not exist).
                let old = slot(root, "old", *n);
                if exists(&old) {
                    let target = checked_target(root, path)?;
                    fs::rename(&old, &target).map_err(|e| Error::io("restore", &target, &e))?;
                } else if !exists(&slot(root, "new", *n)) {
                    let target = checked_target(root, path)?;
                    if is_file_with_hash(&target, hash) {
                        // Written where nothing was: remove it again.
                        remove_file(&target)?;
                    }
                }
            }
            Step::Delete { n, path } => {
                let old = slot(root, "old", *n);
                if exists(&old) {
                    let target = checked_target(root, path)?;
                    fs::rename(&old, &target).map_err(|e| Error::io("restore", &target, &e))?;
                }
            }
            Step::Mkdir(path) => {
                // Only if empty: anything in it is somebody's.
                let _ = fs::remove_dir(root.join(path));
            }
            Step::Index(_) => {}
        }
    }
    flush(root)?;
    remove_journal(root)
}

fn finish(root: &Path, steps: &[Step]) -> Vec<String> {
    let mut notes = Vec::new();
    let index: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Index(line) => Some(line.as_str()),
            _ => None,
        })
        .collect();
    // Each finishing touch is tried twice: a passing error must not leave
    // the index without its conflicts, or the journal behind.
    if !index.is_empty() {
        let update = || crate::git::update_index(root, &index);
        if let Err(e) = update().or_else(|_| update()) {
            notes.push(format!(
                "the conflicts are in the files, but git's index could not be told about them: {}",
                e.message()
            ));
        }
    }
    if let Err(e) = remove_journal(root).or_else(|_| remove_journal(root)) {
        notes.push(format!(
            "the upgrade is complete, but its journal could not be removed: {}; the next \
             `quickscale upgrade` removes it",
            e.message()
        ));
    }
    notes
}

/// Removes the journal: the originals first, the plan last, so that a kill
/// part-way still leaves a plan that says the upgrade committed.
///
/// Not flushed: every caller has already taken the project's files to the
/// disk (or changed none), so a crash that loses some of these removals
/// leaves a journal the next run finishes or discards, with the same files.
fn remove_journal(root: &Path) -> Result<()> {
    let dir = root.join(DIR);
    for sub in ["old", "new"] {
        let path = dir.join(sub);
        if let Ok(entries) = fs::read_dir(&path) {
            for entry in entries.flatten() {
                remove_file(&entry.path())?;
            }
        }
        retry(|| match fs::remove_dir(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        })
        .map_err(|e| Error::io("remove", &path, &e))?;
    }
    for name in ["plan.tmp", PLAN] {
        remove_file(&dir.join(name))?;
    }
    retry(|| match fs::remove_dir(&dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    })
    .map_err(|e| Error::io("remove", &dir, &e))
}

/// Moves what stands at `target` into `old/N`, if anything does.
fn set_aside(root: &Path, n: usize, target: &Path) -> Result<()> {
    match fs::symlink_metadata(target) {
        Ok(_) => {
            let old = slot(root, "old", n);
            fs::rename(target, &old).map_err(|e| Error::io("move aside", target, &e))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("inspect", target, &e)),
    }
}

/// The path of `rel` in the project, after checking that no directory above
/// it is a symbolic link or a file: nothing is ever moved through a link.
fn checked_target(root: &Path, rel: &str) -> Result<PathBuf> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for dir in &parts[..parts.len() - 1] {
        at.push(dir);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {}
            _ => {
                return Err(Error::new(format!(
                    "'{}' is not a directory, so '{}' cannot be written; move it away and run \
                     upgrade again",
                    at.display(),
                    rel
                )))
            }
        }
    }
    Ok(root.join(rel))
}

/// The directories above `rel` that do not exist yet, outermost first.
fn missing_parents(root: &Path, rel: &str) -> Result<Vec<String>> {
    let parts: Vec<&str> = rel.split('/').collect();
    for depth in 1..parts.len() {
        let at = root.join(parts[..depth].join("/"));
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Error::new(format!(
                    "'{}' is not a directory, so '{}' cannot be written; move it away and run \
                     upgrade again",
                    at.display(),
                    rel
                )))
            }
            // Everything below a missing directory is missing too.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok((depth..parts.len()).map(|d| parts[..d].join("/")).collect())
            }
            Err(e) => return Err(Error::io("inspect", &at, &e)),
        }
    }
    Ok(Vec::new())
}

fn plan_text(steps: &[Step]) -> String {
    let mut text = format!("{HEADER}\n");
    for step in steps {
        let line = match step {
            Step::Mkdir(path) => format!("mkdir\t{path}"),
            Step::Write { n, hash, path } => format!("write\t{n}\t{hash}\t{path}"),
            Step::Delete { n, path } => format!("delete\t{n}\t{path}"),
            Step::Index(line) => format!("index\t{line}"),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Reads a plan back, checking every path as strictly as a manifest's: a
/// journal is project content, and must not reach outside the project.
fn parse_plan(text: &str) -> std::result::Result<Vec<Step>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err("unknown header".to_owned());
    }
    let path_ok = |path: &str| -> std::result::Result<String, String> {
        check_path(path).map_err(|why| format!("path '{path}' {why}"))?;
        if path.split('/').any(|part| part == ".git") {
            return Err(format!("path '{path}' is inside .git"));
        }
        Ok(path.to_owned())
    };
    let number = |n: &str| n.parse::<usize>().map_err(|_| format!("bad number '{n}'"));
    let mut steps = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        steps.push(match fields.as_slice() {
            ["mkdir", path] => Step::Mkdir(path_ok(path)?),
            ["write", n, hash, path] => Step::Write {
                n: number(n)?,
                hash: (*hash).to_owned(),
                path: path_ok(path)?,
            },
            ["delete", n, path] => Step::Delete {
                n: number(n)?,
                path: path_ok(path)?,
            },
            ["index", info, path] => {
                path_ok(path)?;
                Step::Index(format!("{info}\t{path}"))
            }
            _ => return Err(format!("unreadable line '{line}'")),
        });
    }
    Ok(steps)
}

fn slot(root: &Path, sub: &str, n: usize) -> PathBuf {
    root.join(DIR).join(sub).join(n.to_string())
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn is_file_with_hash(path: &Path, hash: &str) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {
            fs::read(path).is_ok_and(|bytes| content_hash(&bytes) == hash)
        }
        _ => false,
    }
}

fn remove_file(path: &Path) -> Result<()> {
    retry(|| match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    })
    .map_err(|e| Error::io("remove", path, &e))
}

/// Cleaning up after the commit point is tried twice: a passing error (an
/// interrupted call, a momentary lack of resources) should not leave debris.
fn retry(mut op: impl FnMut() -> io::Result<()>) -> io::Result<()> {
    op().or_else(|_| op())
}

/// Creates `path` with `bytes` and `mode`; [`flush`] takes it to the disk.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(bytes)?;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

/// Takes everything written on the file system holding `dir` to the disk:
/// the files, and the renames in every directory. One `syncfs` where an
/// upgrade would otherwise `fsync` each of its files and directories: each
/// of those waits for a journal commit of its own, and on a busy machine
/// that made an upgrade of 60 files take a third of a second.
fn flush(dir: &Path) -> Result<()> {
    let file = File::open(dir).map_err(|e| Error::io("flush", dir, &e))?;
    // SAFETY: syncfs on a descriptor we own.
    if unsafe { libc::syncfs(std::os::unix::io::AsRawFd::as_raw_fd(&file)) } != 0 {
        return Err(Error::io("flush", dir, &io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_back_as_written() {
        let steps = vec![
            Step::Mkdir("a".into()),
            Step::Write {
                n: 0,
                hash: "h".into(),
                path: "a/b.txt".into(),
            },
            Step::Delete {
                n: 1,
                path: "c.txt".into(),
            },
            Step::Index("100644 abc 1\ta/b.txt".into()),
        ];
        assert_eq!(parse_plan(&plan_text(&steps)).unwrap(), steps);
    }

    #[test]
    fn a_plan_cannot_reach_outside_the_project_or_into_git() {
        for bad in [
            "write\t0\th\t../x",
            "write\t0\th\t/etc/passwd",
            "delete\t0\t.git/config",
            "mkdir\ta/.git",
            "index\t100644 abc 1\t../x",
            "write\tx\th\ta",
            "rename\ta\tb",
        ] {
            let text = format!("{HEADER}\n{bad}\n");
            assert!(parse_plan(&text).is_err(), "{bad}");
        }
        assert!(parse_plan("something else\n").is_err());
    }
}
