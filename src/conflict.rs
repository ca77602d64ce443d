//! Conflicts, in one place: why a path is one ([`Reason`]), how an upgrade
//! names the sides after git's markers (the labels; `merge` writes the
//! markers themselves, byte for byte as `git merge-file` does), how a later
//! run recognises the blocks an upgrade wrote, and where the starter's
//! version of a file no line merge decides is written beside it. `compare`
//! decides a conflict, `apply` writes it, `git` registers it in the index
//! and `report` tells the owner; the names and their spellings are here.

use crate::merge::Labels;
use crate::text::QUICKSCALE_VERSION;

/// Why a path needs a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Both changed the same lines: this many conflict hunks.
    Lines(usize),
    /// The last upgrade's conflict markers are still in the file.
    Unresolved,
    /// You deleted a file the starter changed.
    DeletedByYou,
    /// The starter removed a file you changed.
    RemovedByStarter,
    /// Both changed a binary file.
    Binary,
    /// Something other than a regular file stands at the path.
    NotAFile(String),
    /// Both changed a lock file, which is regenerated, never merged.
    Lock,
    /// Both sides differ from the manifest's hash, and the base starter is not
    /// in this binary's history, so there is nothing to merge against.
    BaseUnknown,
}

impl Reason {
    /// A stable name, for JSON.
    pub fn key(&self) -> &'static str {
        match self {
            Reason::Lines(_) => "lines",
            Reason::Unresolved => "unresolved",
            Reason::DeletedByYou => "deleted_by_you",
            Reason::RemovedByStarter => "removed_by_starter",
            Reason::Binary => "binary",
            Reason::NotAFile(_) => "not_a_file",
            Reason::Lock => "lock",
            Reason::BaseUnknown => "base_unknown",
        }
    }
}

/// What the markers call the owner's side: `<<<<<<< yours`.
const YOURS: &str = "yours";

/// What the markers call a starter: `quickscale 0.2.0`.
fn starter_label(version: &str) -> String {
    format!("quickscale {version}")
}

/// The labels of one project's markers: the base's version when known
/// (from the history, else as the manifest records it), and this binary's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MarkerLabels {
    base: String,
    theirs: String,
}

impl MarkerLabels {
    pub(crate) fn new(base_version: Option<&str>) -> Self {
        MarkerLabels {
            base: base_version.map_or_else(|| "base".to_owned(), starter_label),
            theirs: starter_label(QUICKSCALE_VERSION),
        }
    }

    /// How the markers name the base: `quickscale 0.1.0`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The labels as the merge takes them.
    pub(crate) fn labels(&self) -> Labels<'_> {
        Labels {
            yours: YOURS,
            base: &self.base,
            theirs: &self.theirs,
        }
    }
}

/// The command that finds what an upgrade left: every opening marker.
pub(crate) const FIND_MARKERS: &str = "git grep -n '^<<<<<<< yours'";

/// Where the starter's version of a conflicted path is written for the owner
/// to merge by hand: beside it, named after this quickscale.
pub(crate) fn beside_path(path: &str) -> String {
    format!("{path}.quickscale-{QUICKSCALE_VERSION}")
}

/// Whether a file still holds a conflict block exactly as an upgrade writes
/// it: `<<<<<<< yours`, then `=======`, then `>>>>>>> quickscale ...`, in that
/// order (with the `|||||||` base section between, as upgrade writes them).
/// Marker-like lines of the file's own (a docstring about conflicts, git's
/// `<<<<<<< HEAD`) are not an upgrade's, so they never make a file unresolved.
pub(crate) fn has_conflict_markers(bytes: &[u8]) -> bool {
    let opening = format!("<<<<<<< {YOURS}");
    let closing = format!(">>>>>>> {}", starter_label(""));
    // What each marker line starts with, in the order a block has them.
    let block: [&[u8]; 3] = [opening.as_bytes(), b"=======", closing.as_bytes()];
    let mut next = 0;
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let matches = match next {
            0 => line == block[0],
            1 => line == block[1],
            _ => line.starts_with(block[2]),
        };
        if matches {
            next += 1;
            if next == block.len() {
                return true;
            }
        } else if next > 0 && line == block[0] {
            next = 1; // A new block opened before the last one closed.
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_have_stable_keys() {
        let keys: Vec<&str> = [
            Reason::Lines(2),
            Reason::Unresolved,
            Reason::DeletedByYou,
            Reason::RemovedByStarter,
            Reason::Binary,
            Reason::NotAFile("a FIFO".into()),
            Reason::Lock,
            Reason::BaseUnknown,
        ]
        .iter()
        .map(Reason::key)
        .collect();
        assert_eq!(
            keys,
            [
                "lines",
                "unresolved",
                "deleted_by_you",
                "removed_by_starter",
                "binary",
                "not_a_file",
                "lock",
                "base_unknown"
            ]
        );
    }

    #[test]
    fn the_starters_version_goes_beside_the_file() {
        assert_eq!(
            beside_path("config/urls.py"),
            format!("config/urls.py.quickscale-{QUICKSCALE_VERSION}")
        );
    }

    #[test]
    fn markers_name_yours_and_each_starter_by_version() {
        let known = MarkerLabels::new(Some("0.1.0"));
        assert_eq!(known.base(), "quickscale 0.1.0");
        let labels = known.labels();
        assert_eq!(
            (labels.yours, labels.base, labels.theirs),
            (
                "yours",
                "quickscale 0.1.0",
                format!("quickscale {QUICKSCALE_VERSION}").as_str()
            )
        );
        assert_eq!(MarkerLabels::new(None).base(), "base");
        // What an upgrade writes is what a later run finds, and the command
        // the report gives finds it too.
        let written = format!(
            "<<<<<<< {}\na\n||||||| {}\no\n=======\nb\n>>>>>>> {}\n",
            labels.yours, labels.base, labels.theirs
        );
        assert!(has_conflict_markers(written.as_bytes()));
        assert!(FIND_MARKERS.contains(&format!("^<<<<<<< {}'", labels.yours)));
    }

    #[test]
    fn finds_conflict_markers() {
        assert!(has_conflict_markers(
            b"x\n<<<<<<< yours\na\n=======\nb\n>>>>>>> quickscale 0.2.0\n"
        ));
        assert!(!has_conflict_markers(b"<<<<<<< yours\nonly the opening\n"));
        assert!(!has_conflict_markers(b">>>>>>> first\n<<<<<<< then\n"));
        assert!(has_conflict_markers(
            b"<<<<<<< yours\r\na\r\n||||||| quickscale 0.1.0\r\no\r\n=======\r\nb\r\n>>>>>>> quickscale 0.2.0\r\n"
        ));
        // A file's own marker-like lines are not an upgrade's conflict.
        assert!(!has_conflict_markers(
            b"\"\"\"Resolve:\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n\"\"\"\n"
        ));
        assert!(!has_conflict_markers(
            b"<<<<<<< yours\nno middle\n>>>>>>> quickscale 0.2.0\n"
        ));
        // A block needs its opening line; a middle and a closing alone are not one.
        assert!(!has_conflict_markers(
            b"no opening\n=======\nb\n>>>>>>> quickscale 0.2.0\n"
        ));
        // An opening after the middle starts a new block, which then lacks its own.
        assert!(!has_conflict_markers(
            b"<<<<<<< yours\n=======\n<<<<<<< yours\n>>>>>>> quickscale 0.2.0\n"
        ));
    }
}
