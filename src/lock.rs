#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the lock file in the project, held with flock, and the pid it records"
)]
//! One upgrade at a time: `.quickscale-lock` in the project, held with
//! `flock` for as long as the command runs and holding the holder's pid.
//!
//! `flock` rather than an exclusive create alone: the kernel drops the lock
//! when its holder dies, however it dies, so a lock left by a killed run is
//! never mistaken for a live one, and two runs that find the same stale file
//! cannot both take it. The pid in the file is for the messages: which
//! process holds the project, or which dead one left the file behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock file's name, inside the project. Every transient name starts with
/// `.quickscale-`, which the starter's `.gitignore` ignores.
pub const FILE: &str = ".quickscale-lock";

/// A held lock; dropping it removes the file and releases the lock.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// The lock, and the pid of the dead process whose lock file it took over.
pub fn acquire(dir: &Path) -> Result<(Lock, Option<u32>)> {
    let path = dir.join(FILE);
    // A lock file replaced between our open and our flock (its holder
    // removed it as it finished) is retried, so that two runs never hold
    // locks on two different files.
    for _ in 0..100 {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .map_err(|e| open_error(&path, &e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io("inspect", &path, &e))?;
        if !meta.is_file() {
            return Err(Error::new(format!(
                "'{}' is not a regular file; quickscale keeps its lock there: move it away and run \
                 the command again",
                path.display()
            )));
        }
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let holder = read_pid(&mut file)
                    .map(|pid| format!("process {pid}"))
                    .unwrap_or_else(|| "another process".to_owned());
                return Err(Error::new(format!(
                    "another quickscale ({holder}) is changing '{}' right now; wait for it to \
                     finish, then run the command again",
                    dir.display()
                )));
            }
            return Err(Error::io("lock", &path, &err));
        }
        match fs::symlink_metadata(&path) {
            Ok(now) if now.ino() == meta.ino() && now.dev() == meta.dev() => {}
            _ => continue,
        }
        let stale = read_pid(&mut file);
        // Held from here: a failure to record our pid removes the file again.
        let mut lock = Lock { file, path };
        let mine = format!("{}\n", std::process::id());
        lock.file
            .set_len(0)
            .and_then(|()| lock.file.rewind())
            .and_then(|()| lock.file.write_all(mine.as_bytes()))
            .map_err(|e| Error::io("write", &lock.path, &e))?;
        return Ok((lock, stale));
    }
    Err(Error::new(format!(
        "'{}' keeps changing under quickscale; stop whatever else is writing it, then run the \
         command again",
        path.display()
    )))
}

/// Whether a lock is held on the project right now, by whom (for `diff`, which
/// must not read a tree an upgrade is writing).
pub fn holder(dir: &Path) -> Option<String> {
    let path = dir.join(FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    // SAFETY: flock on a descriptor we own; a shared lock conflicts only with
    // the holder's exclusive one, and is released when `file` closes.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0 {
        return None;
    }
    Some(
        read_pid(&mut file)
            .map(|pid| format!("process {pid}"))
            .unwrap_or_else(|| "another process".to_owned()),
    )
}

fn open_error(path: &Path, err: &io::Error) -> Error {
    if err.raw_os_error() == Some(libc::ELOOP) {
        return Error::new(format!(
            "'{}' is a symbolic link; quickscale keeps its lock there: remove the link and run \
             the command again",
            path.display()
        ));
    }
    Error::io("create", path, err)
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so that nobody takes a file that is
        // about to disappear; a run that opened it meanwhile notices the
        // change of file and retries. Tried twice: a passing error must not
        // leave the file behind.
        if fs::remove_file(&self.path).is_err() {
            let _ = fs::remove_file(&self.path);
        }
    }
}
