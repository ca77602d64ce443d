#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "installs the signal handlers, and ends the process by the signal that stopped it"
)]
//! Signals that must not leave debris: SIGINT (Ctrl-C) and SIGTERM stop a
//! command at the next safe point instead of killing it mid-write, and SIGXFSZ
//! is ignored so that a write past `ulimit -f` fails with an error we report.
//!
//! The handler only records which signal arrived (the one thing a handler can
//! do safely); the command polls `Catch::received` between steps, cleans up,
//! and then dies of the same signal with `die`, so that a shell sees the
//! conventional status (130 for SIGINT, 143 for SIGTERM). `libc` is used
//! directly: it is already in the build (through getrandom and tempfile), and
//! the few calls needed do not justify another dependency.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signals a command stops for cleanly.
const CAUGHT: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

/// The last caught signal, 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Makes a write beyond the file-size limit fail with EFBIG instead of
/// killing the process with no message and files half written.
pub fn ignore_file_size_limit() {
    // SAFETY: setting a disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// While alive, SIGINT and SIGTERM are recorded instead of killing the
/// process; dropping it restores what was there before.
pub(crate) struct Catch {
    previous: [libc::sigaction; CAUGHT.len()],
}

/// Starts catching SIGINT and SIGTERM. A signal that was ignored when we
/// started (a background job of a non-interactive shell ignores SIGINT) stays
/// ignored, as the shell intended.
pub(crate) fn catch() -> Catch {
    RECEIVED.store(0, Ordering::SeqCst);
    // SAFETY: sigaction is called with valid, initialised structures; the
    // handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let mut previous: [libc::sigaction; CAUGHT.len()] = std::mem::zeroed();
        for (signal, old) in CAUGHT.iter().zip(previous.iter_mut()) {
            libc::sigaction(*signal, std::ptr::null(), old);
            if old.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(*signal, &action, std::ptr::null_mut());
        }
        Catch { previous }
    }
}

impl Catch {
    /// The signal that arrived since [`catch`], if any.
    pub(crate) fn received(&self) -> Option<i32> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// Runs `step` with SIGINT and SIGTERM held back, so that a step made of
    /// several operations (moving entries into place) is never cut in half; a
    /// signal sent meanwhile is recorded as soon as `step` returns.
    pub(crate) fn uninterrupted<T>(&self, step: impl FnOnce() -> T) -> T {
        // SAFETY: plain signal-mask calls on initialised sets; quickscale is
        // single-threaded, so the thread's mask is the process's.
        unsafe {
            let mut held: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut held);
            for signal in CAUGHT {
                libc::sigaddset(&mut held, signal);
            }
            let mut before: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &held, &mut before);
            let result = step();
            // A pending signal runs its handler before this call returns.
            libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
            result
        }
    }
}

impl Drop for Catch {
    fn drop(&mut self) {
        for (signal, old) in CAUGHT.iter().zip(self.previous.iter()) {
            // SAFETY: restores the disposition saved by `catch`.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}

/// Ends the process by `signal` with its default action, as if it had never
/// been caught: the parent sees "killed by SIGINT", and a shell prints 130.
pub(crate) fn die(signal: i32) -> ! {
    // SAFETY: resetting a disposition, unblocking and raising have no
    // preconditions; exit is the fallback should the signal not end us.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
    std::process::exit(128 + signal)
}

/// How messages name a signal: `an interrupt (SIGINT)`.
pub(crate) fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "an interrupt (SIGINT)",
        libc::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
