//! The one error type: a single sentence naming what is at fault and what to
//! do about it. Every error exits with code 2.
//!
//! Messages echo names and paths the user typed, and those may hold a newline,
//! an escape sequence or a tab. [`Error::new`] passes every message through
//! [`escape_controls`], so no message can ever print a control character raw,
//! however it was built.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    /// The signal (SIGINT, SIGTERM) that stopped the command, if that is what
    /// this error reports: the CLI then dies of that signal after printing it.
    signal: Option<i32>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        Error {
            message: escape_controls(&plain(&message)).into_owned(),
            signal: None,
        }
    }

    /// The command stopped because `signal` arrived; `message` says what is on disk.
    pub fn interrupted(signal: i32, message: impl Into<String>) -> Self {
        Error {
            signal: Some(signal),
            ..Error::new(message)
        }
    }

    /// An I/O failure on `path` while doing `action` ("create", "read", ...),
    /// with a suggestion that fits the kind of failure.
    pub fn io(action: &str, path: &Path, err: &io::Error) -> Self {
        let hint = match err.kind() {
            io::ErrorKind::PermissionDenied => "check its permissions or choose another location",
            io::ErrorKind::NotFound => "check that the path exists",
            io::ErrorKind::AlreadyExists => "choose a path that does not exist yet",
            io::ErrorKind::StorageFull => "free some disk space and try again",
            io::ErrorKind::FileTooLarge => {
                "raise the file-size limit (ulimit -f) or choose another location"
            }
            _ => "check the path and try again",
        };
        Error::new(format!(
            "cannot {action} '{}': {err}; {hint}",
            path.display()
        ))
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn signal(&self) -> Option<i32> {
        self.signal
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `Permission denied` rather than `Permission denied (os error 13)`: the
/// number tells a user nothing the words do not. [`Error::new`] applies it to
/// every message, so no message keeps the suffix, whatever it interpolated
/// (io::Error and getrandom::Error both print it).
fn plain(err: &dyn fmt::Display) -> String {
    const SUFFIX: &str = " (os error ";
    let mut text = err.to_string();
    let mut from = 0;
    while let Some(found) = text[from..].find(SUFFIX) {
        let start = from + found;
        let rest = &text[start + SUFFIX.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest.as_bytes().get(digits) == Some(&b')') {
            text.replace_range(start..start + SUFFIX.len() + digits + 1, "");
            from = start;
        } else {
            from = start + SUFFIX.len();
        }
    }
    text
}

/// `text` with every control character written as an escape (`\n`, `\t`,
/// `\u{1b}`), so that one message is one line and a terminal never receives an
/// escape sequence from a name. Bidirectional-text controls are escaped too:
/// they would make a printed path read differently from what it is.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    fn hidden(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_hold_a_control_character() {
        let error = Error::new("project name 'a\nb\x1b[31mc\td\u{202e}' is bad");
        assert_eq!(
            error.message(),
            "project name 'a\\nb\\u{1b}[31mc\\td\\u{202e}' is bad"
        );
        assert!(!error.message().chars().any(char::is_control));
        let interrupted = Error::interrupted(2, "stopped in 'x\r'");
        assert_eq!(interrupted.message(), "stopped in 'x\\r'");
        assert_eq!(interrupted.signal(), Some(2));
        assert_eq!(escape_controls("plain 'ü' path"), "plain 'ü' path");
    }

    #[test]
    fn io_errors_drop_the_os_error_number() {
        let err = io::Error::from_raw_os_error(28);
        assert!(err.to_string().contains("(os error 28)"), "{err}");
        let error = Error::io("write", Path::new("a\tb"), &err);
        assert_eq!(
            error.message(),
            "cannot write 'a\\tb': No space left on device; free some disk space and try again"
        );
        let interpolated = Error::new(format!("failed: {err}; then {err}"));
        assert_eq!(
            interpolated.message(),
            "failed: No space left on device; then No space left on device"
        );
        assert_eq!(
            plain(&"a (os error x) b (os error 7) c (os error 8"),
            "a (os error x) b c (os error 8"
        );
    }

    #[test]
    fn plain_drops_every_suffix_and_keeps_what_surrounds_it() {
        // Adjacent suffixes, a multi-digit number, and text after each: the
        // scan restarts exactly where the removed suffix was.
        assert_eq!(
            plain(&"x (os error 13) (os error 2)y (os error 123)!"),
            "xy!"
        );
        assert_eq!(plain(&" (os error 1)"), "");
        // Not a suffix: no digits, or no closing parenthesis after them.
        assert_eq!(
            plain(&"a (os error ) (os error 12"),
            "a (os error ) (os error 12"
        );
        assert_eq!(plain(&"a (os error 1x) ok"), "a (os error 1x) ok");
    }

    #[test]
    fn io_errors_suggest_what_fits_the_failure() {
        for (kind, hint) in [
            (
                io::ErrorKind::PermissionDenied,
                "check its permissions or choose another location",
            ),
            (io::ErrorKind::NotFound, "check that the path exists"),
            (
                io::ErrorKind::AlreadyExists,
                "choose a path that does not exist yet",
            ),
            (
                io::ErrorKind::StorageFull,
                "free some disk space and try again",
            ),
            (
                io::ErrorKind::FileTooLarge,
                "raise the file-size limit (ulimit -f) or choose another location",
            ),
            (io::ErrorKind::Interrupted, "check the path and try again"),
        ] {
            let error = Error::io("read", Path::new("p"), &io::Error::new(kind, "why"));
            assert_eq!(error.message(), format!("cannot read 'p': why; {hint}"));
            assert_eq!(error.to_string(), error.message(), "Display is the message");
            assert_eq!(error.signal(), None, "an I/O error is no interruption");
        }
    }
}
