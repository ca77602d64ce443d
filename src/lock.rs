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

/// How long a lock whose recorded holder no longer runs may stay held before
/// we refuse: 100 steps of 20 ms.
const GRACE_STEPS: u32 = 100;
const GRACE_STEP: std::time::Duration = std::time::Duration::from_millis(20);

/// The lock and, when it took over a file a dead process left, who that
/// was (`process 4242`, or `a process` whose pid never got written).
pub fn acquire(dir: &Path) -> Result<(Lock, Option<String>)> {
    let path = dir.join(FILE);
    // A lock file replaced between our open and our flock (its holder
    // removed it as it finished) is retried, so that two runs never hold
    // locks on two different files.
    for _ in 0..100 {
        // Created here, or found: a file found and free to lock was left by
        // a process that died, even one killed before it wrote its pid.
        let open = |create_new: bool| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(create_new)
                .mode(0o644)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&path)
        };
        let (mut file, found) = match open(true) {
            Ok(file) => (file, false),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match open(false) {
                Ok(file) => (file, true),
                // Removed by its holder in between: try again.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(open_error(&path, &e)),
            },
            Err(e) => return Err(open_error(&path, &e)),
        };
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
        if let Err(err) = lock_exclusive(&mut file) {
            if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                let holder = named(read_pid(&mut file), "another process");
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
        let stale = found.then(|| named(read_pid(&mut file), "a process"));
        // Held from here: a failure to record our pid removes the file again.
        let mut lock = Lock { file, path };
        let mine = format!("{}\n", std::process::id());
        // Only a lock taken over holds a pid to clear. Truncating a new,
        // empty file would cost a flush: ext4 writes out a file truncated to
        // nothing when it is closed.
        let cleared = if found { lock.file.set_len(0) } else { Ok(()) };
        cleared
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
    Some(named(read_pid(&mut file), "another process"))
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

/// Takes the exclusive lock on `file` without blocking on a live holder.
/// A lock held while the pid in the file is not a running process (or none
/// is written yet) is tried again for a moment: the lock goes with the last
/// descriptor, and a git that a killed holder was starting keeps a copy of
/// it until its exec.
fn lock_exclusive(file: &mut File) -> io::Result<()> {
    let mut waited = 0;
    loop {
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK)
            || read_pid(file).is_some_and(is_running)
            || waited == GRACE_STEPS
        {
            return Err(err);
        }
        waited += 1;
        std::thread::sleep(GRACE_STEP);
    }
}

/// `process 4242` for a recorded pid, else `unknown`, for the messages.
fn named(pid: Option<u32>, unknown: &str) -> String {
    pid.map(|pid| format!("process {pid}"))
        .unwrap_or_else(|| unknown.to_owned())
}

/// Whether a process with this pid exists (one we may not signal still does).
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    exists || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The pid of a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    /// Holds the lock on `dir`'s lock file through a descriptor of its own,
    /// with `pid` written in it, as a killed holder's child would.
    fn hold(dir: &Path, pid: u32) -> File {
        let path = dir.join(FILE);
        fs::write(&path, format!("{pid}\n")).unwrap();
        let file = File::open(&path).unwrap();
        // SAFETY: flock on a descriptor we own.
        assert_eq!(
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
            0
        );
        file
    }

    #[test]
    fn a_live_holder_is_refused_at_once_by_pid() {
        let dir = tempfile::tempdir().unwrap();
        let _held = hold(dir.path(), std::process::id());
        let error = acquire(dir.path()).unwrap_err();
        assert!(
            error
                .message()
                .contains(&format!("process {}", std::process::id())),
            "{}",
            error.message()
        );
    }

    #[test]
    fn a_dead_holders_lock_still_held_for_a_moment_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let held = hold(dir.path(), dead);
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(held);
        });
        let (lock, stale) = acquire(dir.path()).expect("taken once the descriptor closes");
        release.join().unwrap();
        assert_eq!(stale, Some(format!("process {dead}")));
        let recorded = fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert_eq!(recorded, format!("{}\n", std::process::id()));
        drop(lock);
        assert!(!dir.path().join(FILE).exists());
    }

    #[test]
    fn a_lock_held_past_the_grace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let _held = hold(dir.path(), dead);
        let error = acquire(dir.path()).unwrap_err();
        assert!(
            error.message().contains(&format!("process {dead}")),
            "{}",
            error.message()
        );
        // Still there: a refusal takes nothing away.
        assert!(dir.path().join(FILE).exists());
    }

    #[test]
    fn only_existing_processes_run() {
        assert!(is_running(std::process::id()));
        assert!(is_running(1));
        assert!(!is_running(dead_pid()));
        assert!(!is_running(0));
        assert!(!is_running(u32::MAX));
    }
}
