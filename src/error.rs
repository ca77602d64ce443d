//! The one error type: a single sentence naming what is at fault and what to
//! do about it. Every error exits with code 2.

use std::fmt;
use std::io;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
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
            _ => "check the path and try again",
        };
        Error::new(format!(
            "cannot {action} '{}': {}; {hint}",
            path.display(),
            plain(err)
        ))
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `text` with every control character written as an escape (`\n`, `\t`,
/// `\u{1b}`), so that a name or path echoed in a message can neither break
/// the one-line contract nor drive the terminal.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `Permission denied` rather than `Permission denied (os error 13)`.
fn plain(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_only() {
        assert_eq!(escape("a\nb\tc\u{1b}[31md é"), "a\\nb\\tc\\u{1b}[31md é");
        assert_eq!(escape("plain/path.txt"), "plain/path.txt");
    }
}
