//! The comparison engine: three sources for each starter path in, a plan out.
//!
//! For every path there is the base (the starter the project was made from,
//! re-rendered), yours (what the project has) and theirs (this binary's
//! starter). Pure functions decide what `upgrade` does with each path and what
//! `diff` previews; nothing here touches the disk.

use crate::conflict::Reason;
use crate::deadline::TimeLimit;
use crate::merge::{merge3_with_deadline, Labels};
use crate::text::content_hash;

/// A file's bytes and execute bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Content {
    pub(crate) bytes: Vec<u8>,
    pub(crate) executable: bool,
}

/// What the project has at a starter path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Yours {
    Absent,
    File(Content),
    /// Something no line merge can touch, described for the report: a
    /// directory, a symbolic link, a FIFO, a device, a file too large, a path
    /// under a symbolic link.
    Other(String),
}

#[cfg(test)]
impl Content {
    /// A text file without an execute bit, for tests.
    pub(crate) fn text(text: &str) -> Content {
        Content {
            bytes: text.as_bytes().to_vec(),
            executable: false,
        }
    }
}

/// What is known of the base at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// The base starter had no file here.
    Absent,
    /// The exact old render, from the history compiled into the binary.
    File(Content),
    /// Only the manifest's hash: the base starter is not in the history.
    Hash(String),
    /// No manifest: nothing is known.
    Unknown,
}

/// The three sources of one path.
#[derive(Debug, Clone)]
pub(crate) struct PathSources {
    pub(crate) path: String,
    pub(crate) base: Base,
    pub(crate) yours: Yours,
    pub(crate) theirs: Option<Content>,
    /// The starter embeds the file verbatim (an image, an icon).
    pub(crate) starter_binary: bool,
    /// The last upgrade left conflict markers here and they are still there.
    pub(crate) unresolved: bool,
}

/// What to do with one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Only you changed it (or deleted it): nothing to take.
    Keep,
    /// Only the starter changed it: take the starter's version.
    Take(Take),
    /// Both changed it and the line merge is clean: the merged file.
    Merged(Content),
    /// Needs a person: why, and what to put where.
    Conflict(Conflict),
    /// It differs, but without a manifest nobody can tell who changed it.
    Unknown,
}

/// The kinds of [`Outcome`], without what each carries: what a plan counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutcomeKind {
    Take,
    Merged,
    Conflict,
    Keep,
    Unknown,
}

impl OutcomeKind {
    /// A stable name: the JSON `outcome` and the `--stat` column.
    pub(crate) fn key(self) -> &'static str {
        match self {
            OutcomeKind::Take => "take",
            OutcomeKind::Merged => "merged",
            OutcomeKind::Conflict => "conflict",
            OutcomeKind::Keep => "keep",
            OutcomeKind::Unknown => "unknown",
        }
    }
}

/// What a take does to the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// The starter changed a file you never changed.
    Update,
    /// The starter added a file you do not have.
    Add,
    /// The starter removed a file you never changed.
    Delete,
}

impl Action {
    /// A stable name, for JSON and the upgrade plan.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Action::Update => "update",
            Action::Add => "add",
            Action::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Take {
    /// Write the starter's file (changed, new, or only its mode changed).
    Write(Content),
    /// The starter removed a file you never changed.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Conflict {
    pub(crate) reason: Reason,
    /// What the path itself gets: the file with conflict markers, or nothing
    /// (your file stays as it is).
    pub(crate) write: Option<Content>,
    /// The starter's version, to be written beside your file for you to merge.
    pub(crate) beside: Option<Content>,
}

/// What `upgrade` would do to a project, and what is known of its base.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) project_name: String,
    /// The quickscale version recorded in the manifest; None without one.
    pub(crate) made_with: Option<String>,
    /// The manifest's starter digest; None without a manifest.
    pub(crate) base_digest: Option<String>,
    /// The version of the base starter, when the history has it.
    pub(crate) base_version: Option<&'static str>,
    /// Paths that are not up to date, sorted.
    pub(crate) entries: Vec<Entry>,
}

impl Plan {
    /// Whether the manifest let each difference be told apart.
    pub(crate) fn classified(&self) -> bool {
        self.made_with.is_some()
    }

    /// Whether the starter has anything the project has not taken.
    pub(crate) fn has_changes_to_take(&self) -> bool {
        self.entries.iter().any(Entry::to_take)
    }

    /// Whether `upgrade` has anything to write beyond the conflicts the last
    /// upgrade left (which only the owner can resolve).
    pub(crate) fn has_new_changes(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.to_take() && !e.is_unresolved())
    }

    /// The version the project's base starter shipped with, as far as known.
    pub(crate) fn known_base_version(&self) -> Option<&str> {
        self.base_version.or(self.made_with.as_deref())
    }

    pub(crate) fn conflicts(&self) -> impl Iterator<Item = (&Entry, &Conflict)> {
        self.entries
            .iter()
            .filter_map(|entry| match &entry.outcome {
                Outcome::Conflict(conflict) => Some((entry, conflict)),
                _ => None,
            })
    }

    /// How many entries have an outcome of this kind.
    pub(crate) fn count(&self, kind: OutcomeKind) -> usize {
        self.entries.iter().filter(|e| e.kind() == kind).count()
    }

    /// Whether the owner deleted `path` and the upgrade leaves it deleted.
    pub(crate) fn deleted_by_owner(&self, path: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.path == path && e.yours == Yours::Absent && e.written().is_none())
    }

    /// Forgets the beside file of the conflict at `path`: it could not be
    /// written, and no report may name a file that is not there.
    pub(crate) fn drop_beside(&mut self, path: &str) {
        for entry in self.entries.iter_mut().filter(|e| e.path == path) {
            if let Outcome::Conflict(conflict) = &mut entry.outcome {
                conflict.beside = None;
            }
        }
    }

    /// Keeps only what can be taken without a decision (`diff --safe-only`).
    pub(crate) fn keep_safe_only(&mut self) {
        self.entries.retain(Entry::is_safe);
    }
}

/// One path of the plan.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) path: String,
    pub(crate) yours: Yours,
    pub(crate) outcome: Outcome,
    /// Either side is binary: the content is never printed or line-counted.
    pub(crate) binary: bool,
}

impl Entry {
    /// What `upgrade` does at the path itself, the one answer `apply`,
    /// the dirty check and the report all use: None leaves it as it is,
    /// `Some(None)` deletes it, `Some(Some(content))` writes `content`.
    pub(crate) fn written(&self) -> Option<Option<&Content>> {
        match &self.outcome {
            Outcome::Take(Take::Write(content))
            | Outcome::Merged(content)
            | Outcome::Conflict(Conflict {
                write: Some(content),
                ..
            }) => Some(Some(content)),
            Outcome::Take(Take::Delete) => Some(None),
            Outcome::Keep | Outcome::Unknown | Outcome::Conflict(_) => None,
        }
    }

    /// What the path holds after `upgrade`: None for a deletion; `yours` when
    /// nothing is written there.
    #[cfg(test)]
    fn result(&self) -> Option<&Content> {
        self.written().unwrap_or(match &self.yours {
            Yours::File(content) => Some(content),
            _ => None,
        })
    }

    /// Whether the starter has something here the project has not taken.
    pub(crate) fn to_take(&self) -> bool {
        !matches!(self.outcome, Outcome::Keep)
    }

    /// The kind of its outcome, what plans count by.
    pub(crate) fn kind(&self) -> OutcomeKind {
        match self.outcome {
            Outcome::Keep => OutcomeKind::Keep,
            Outcome::Take(_) => OutcomeKind::Take,
            Outcome::Merged(_) => OutcomeKind::Merged,
            Outcome::Conflict(_) => OutcomeKind::Conflict,
            Outcome::Unknown => OutcomeKind::Unknown,
        }
    }

    /// For a take: an update, an addition or a deletion.
    pub(crate) fn action(&self) -> Option<Action> {
        match (&self.outcome, &self.yours) {
            (Outcome::Take(Take::Delete), _) => Some(Action::Delete),
            (Outcome::Take(Take::Write(_)), Yours::Absent) => Some(Action::Add),
            (Outcome::Take(Take::Write(_)), _) => Some(Action::Update),
            _ => None,
        }
    }

    /// Conflict markers the last upgrade left are still in the file.
    pub(crate) fn is_unresolved(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Conflict(Conflict {
                reason: Reason::Unresolved,
                ..
            })
        )
    }

    /// Whether taking it loses none of your work and needs no decision.
    pub(crate) fn is_safe(&self) -> bool {
        matches!(self.outcome, Outcome::Take(_) | Outcome::Merged(_))
    }
}

/// Files that are regenerated by a tool, never merged line by line, with the
/// command that regenerates each.
pub(crate) const LOCK_FILES: &[(&str, &str)] = &[("uv.lock", "uv lock")];

pub(crate) fn lock_command(path: &str) -> Option<&'static str> {
    LOCK_FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, command)| *command)
}

/// Decides every path; paths that are up to date are left out. The result is
/// sorted by path. Each file's merge may search for the best line alignment
/// for `limit` (the caller's [`TimeLimit::MERGE`]) before it settles for a
/// coarser one: more conflict, never a wrong clean merge.
pub(crate) fn plan(sources: Vec<PathSources>, labels: &Labels<'_>, limit: TimeLimit) -> Vec<Entry> {
    let mut entries: Vec<Entry> = sources
        .into_iter()
        .filter_map(|source| {
            let binary = source.starter_binary
                || matches!(&source.yours, Yours::File(c) if looks_binary(&c.bytes));
            decide(&source, binary, labels, limit).map(|outcome| Entry {
                path: source.path,
                yours: source.yours,
                outcome,
                binary,
            })
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

/// The outcome for one path, or None when it is up to date.
fn decide(
    source: &PathSources,
    binary: bool,
    labels: &Labels<'_>,
    limit: TimeLimit,
) -> Option<Outcome> {
    let theirs = source.theirs.as_ref();
    if source.unresolved {
        return Some(conflict(Reason::Unresolved, None, None));
    }
    let yours = match &source.yours {
        Yours::File(content) => content,
        Yours::Absent => return decide_absent(&source.base, theirs),
        Yours::Other(what) => {
            let starter_unchanged = match (&source.base, theirs) {
                (_, None) => true,
                (Base::File(base), Some(theirs)) => base == theirs,
                (Base::Hash(hash), Some(theirs)) => *hash == content_hash(&theirs.bytes),
                _ => false,
            };
            return Some(if starter_unchanged {
                Outcome::Keep
            } else {
                conflict(Reason::NotAFile(what.clone()), None, theirs.cloned())
            });
        }
    };
    if theirs == Some(yours) {
        return None;
    }
    let Some(theirs) = theirs else {
        // The starter no longer ships this path.
        let untouched = match &source.base {
            Base::File(base) => base == yours,
            Base::Hash(hash) => *hash == content_hash(&yours.bytes),
            Base::Absent => return None,
            Base::Unknown => return Some(Outcome::Unknown),
        };
        return Some(if untouched {
            Outcome::Take(Take::Delete)
        } else {
            conflict(Reason::RemovedByStarter, None, None)
        });
    };
    let base = match &source.base {
        Base::Unknown => return Some(Outcome::Unknown),
        Base::Hash(hash) => {
            return Some(if *hash == content_hash(&yours.bytes) {
                // The hash says nothing of the base's mode, so an execute bit
                // you set is yours, and stays.
                if theirs.bytes == yours.bytes {
                    return None;
                }
                Outcome::Take(Take::Write(Content {
                    bytes: theirs.bytes.clone(),
                    executable: yours.executable,
                }))
            } else if *hash == content_hash(&theirs.bytes) {
                Outcome::Keep
            } else {
                conflict(Reason::BaseUnknown, None, Some(theirs.clone()))
            });
        }
        Base::File(base) if base == yours => {
            return Some(Outcome::Take(Take::Write(theirs.clone())))
        }
        Base::File(base) if base == theirs => return Some(Outcome::Keep),
        Base::File(base) => base.clone(),
        // The starter adds a file where you already have one: merge the two
        // against nothing, as git does for an add/add conflict.
        Base::Absent => Content {
            bytes: Vec::new(),
            executable: yours.executable,
        },
    };
    if lock_command(&source.path).is_some() {
        return Some(conflict(Reason::Lock, None, None));
    }
    if binary || looks_binary(&theirs.bytes) || looks_binary(&base.bytes) {
        return Some(conflict(Reason::Binary, None, Some(theirs.clone())));
    }
    let merged = merge3_with_deadline(
        &base.bytes,
        &yours.bytes,
        &theirs.bytes,
        labels,
        limit.start(),
    );
    // The execute bit merges like a one-line file: yours if you changed it.
    let executable = if yours.executable == base.executable {
        theirs.executable
    } else {
        yours.executable
    };
    let content = Content {
        bytes: merged.bytes,
        executable,
    };
    Some(if merged.conflicts == 0 {
        if content == *yours {
            return None; // You already made the starter's change.
        }
        Outcome::Merged(content)
    } else {
        conflict(Reason::Lines(merged.conflicts), Some(content), None)
    })
}

/// Your project has nothing at the path.
fn decide_absent(base: &Base, theirs: Option<&Content>) -> Option<Outcome> {
    let theirs = theirs?;
    let starter_unchanged = match base {
        Base::Absent => return Some(Outcome::Take(Take::Write(theirs.clone()))),
        Base::Unknown => return Some(Outcome::Unknown),
        Base::File(base) => base == theirs,
        Base::Hash(hash) => *hash == content_hash(&theirs.bytes),
    };
    Some(if starter_unchanged {
        Outcome::Keep
    } else {
        conflict(Reason::DeletedByYou, None, Some(theirs.clone()))
    })
}

fn conflict(reason: Reason, write: Option<Content>, beside: Option<Content>) -> Outcome {
    Outcome::Conflict(Conflict {
        reason,
        write,
        beside,
    })
}

/// Content a line merge or a text diff must not touch: a NUL byte or
/// anything that is not UTF-8.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::tests::LABELS;
    use pretty_assertions::assert_eq;

    fn text(s: &str) -> Content {
        Content::text(s)
    }

    fn source(base: Base, yours: Yours, theirs: Option<Content>) -> PathSources {
        PathSources {
            path: "a.txt".into(),
            base,
            yours,
            theirs,
            starter_binary: false,
            unresolved: false,
        }
    }

    fn outcome(base: Base, yours: Yours, theirs: Option<Content>) -> Option<Outcome> {
        plan(vec![source(base, yours, theirs)], &LABELS, TimeLimit::NONE)
            .pop()
            .map(|e| e.outcome)
    }

    fn file(s: &str) -> Yours {
        Yours::File(text(s))
    }

    fn reason(outcome: Option<Outcome>) -> Reason {
        match outcome {
            Some(Outcome::Conflict(c)) => c.reason,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn untouched_files_take_the_starter_whatever_it_did() {
        let a = || Base::File(text("a\n"));
        assert_eq!(outcome(a(), file("a\n"), Some(text("a\n"))), None);
        assert_eq!(
            outcome(a(), file("a\n"), Some(text("b\n"))),
            Some(Outcome::Take(Take::Write(text("b\n"))))
        );
        assert_eq!(
            outcome(a(), file("a\n"), None),
            Some(Outcome::Take(Take::Delete))
        );
        assert_eq!(
            outcome(Base::Absent, Yours::Absent, Some(text("new\n"))),
            Some(Outcome::Take(Take::Write(text("new\n"))))
        );
    }

    #[test]
    fn your_changes_are_kept_when_the_starter_did_not_change() {
        let a = || Base::File(text("a\n"));
        assert_eq!(
            outcome(a(), file("mine\n"), Some(text("a\n"))),
            Some(Outcome::Keep)
        );
        assert_eq!(
            outcome(a(), Yours::Absent, Some(text("a\n"))),
            Some(Outcome::Keep),
            "a file you deleted stays deleted"
        );
        assert_eq!(
            outcome(a(), file("same\n"), Some(text("same\n"))),
            None,
            "you already made the starter's change"
        );
    }

    #[test]
    fn both_changed_text_merges_by_line() {
        let base = Base::File(text("1\n2\n3\n4\n5\n6\n7\n"));
        let merged = outcome(
            base.clone(),
            file("one\n2\n3\n4\n5\n6\n7\n"),
            Some(text("1\n2\n3\n4\n5\n6\nseven\n")),
        );
        assert_eq!(
            merged,
            Some(Outcome::Merged(text("one\n2\n3\n4\n5\n6\nseven\n")))
        );
        let clash = outcome(
            base,
            file("mine\n2\n3\n4\n5\n6\n7\n"),
            Some(text("theirs\n2\n3\n4\n5\n6\n7\n")),
        );
        match clash {
            Some(Outcome::Conflict(Conflict {
                reason: Reason::Lines(1),
                write: Some(content),
                beside: None,
            })) => {
                let written = String::from_utf8(content.bytes).unwrap();
                assert!(written.starts_with("<<<<<<< yours\nmine\n||||||| quickscale 0.1.0\n1\n=======\ntheirs\n>>>>>>> quickscale 0.2.0\n"), "{written}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cases_no_line_merge_decides_are_conflicts_that_keep_yours() {
        let a = || Base::File(text("a\n"));
        let deleted = outcome(a(), Yours::Absent, Some(text("b\n")));
        assert_eq!(reason(deleted.clone()), Reason::DeletedByYou);
        assert!(matches!(
            deleted,
            Some(Outcome::Conflict(Conflict {
                write: None,
                beside: Some(_),
                ..
            }))
        ));
        assert_eq!(
            reason(outcome(a(), file("mine\n"), None)),
            Reason::RemovedByStarter
        );
        let dir = outcome(a(), Yours::Other("a directory".into()), Some(text("b\n")));
        assert_eq!(reason(dir), Reason::NotAFile("a directory".into()));
        assert_eq!(
            outcome(a(), Yours::Other("a FIFO".into()), Some(text("a\n"))),
            Some(Outcome::Keep),
            "the starter did not change it: your replacement stays, nothing to report"
        );
        let mut binary = source(a(), file("x\0y"), Some(text("b\n")));
        binary.starter_binary = true;
        assert_eq!(
            reason(
                plan(vec![binary], &LABELS, TimeLimit::NONE)
                    .pop()
                    .map(|e| e.outcome)
            ),
            Reason::Binary
        );
        let mut lock = source(a(), file("mine\n"), Some(text("b\n")));
        lock.path = "uv.lock".into();
        assert_eq!(
            reason(
                plan(vec![lock], &LABELS, TimeLimit::NONE)
                    .pop()
                    .map(|e| e.outcome)
            ),
            Reason::Lock
        );
        let mut unresolved = source(a(), file("<<<<<<< yours\n"), Some(text("b\n")));
        unresolved.unresolved = true;
        assert_eq!(
            reason(
                plan(vec![unresolved], &LABELS, TimeLimit::NONE)
                    .pop()
                    .map(|e| e.outcome)
            ),
            Reason::Unresolved
        );
    }

    #[test]
    fn without_the_base_starter_only_untouched_files_are_taken() {
        let hash = || Base::Hash(content_hash(b"a\n"));
        assert_eq!(
            outcome(hash(), file("a\n"), Some(text("b\n"))),
            Some(Outcome::Take(Take::Write(text("b\n"))))
        );
        assert_eq!(
            outcome(hash(), file("mine\n"), Some(text("a\n"))),
            Some(Outcome::Keep)
        );
        assert_eq!(
            reason(outcome(hash(), file("mine\n"), Some(text("b\n")))),
            Reason::BaseUnknown
        );
        assert_eq!(
            outcome(Base::Unknown, file("mine\n"), Some(text("b\n"))),
            Some(Outcome::Unknown)
        );
    }

    #[test]
    fn execute_bits_are_part_of_a_file() {
        let mut executable = text("a\n");
        executable.executable = true;
        assert_eq!(
            outcome(
                Base::File(text("a\n")),
                file("a\n"),
                Some(executable.clone())
            ),
            Some(Outcome::Take(Take::Write(executable.clone()))),
            "a mode-only change is taken"
        );
        assert_eq!(
            outcome(
                Base::File(text("a\n")),
                Yours::File(executable),
                Some(text("a\n"))
            ),
            Some(Outcome::Keep),
            "a mode you changed is yours"
        );
    }

    fn entry(yours: Yours, outcome: Outcome) -> Entry {
        Entry {
            path: "a.txt".into(),
            yours,
            outcome,
            binary: false,
        }
    }

    fn beside(reason: Reason) -> Outcome {
        conflict(reason, None, Some(text("theirs\n")))
    }

    #[test]
    fn each_outcome_says_what_the_path_holds_afterwards_and_how_it_is_named() {
        let written = || Outcome::Take(Take::Write(text("new\n")));
        let marked = conflict(Reason::Lines(1), Some(text("<<<\n")), None);
        // (entry, result, outcome key, action key, to take, safe)
        let cases = [
            (
                entry(file("old\n"), written()),
                Some("new\n"),
                "take",
                Some("update"),
                true,
                true,
            ),
            (
                entry(Yours::Absent, written()),
                Some("new\n"),
                "take",
                Some("add"),
                true,
                true,
            ),
            (
                entry(Yours::Other("a directory".into()), written()),
                Some("new\n"),
                "take",
                Some("update"),
                true,
                true,
            ),
            (
                entry(file("old\n"), Outcome::Take(Take::Delete)),
                None,
                "take",
                Some("delete"),
                true,
                true,
            ),
            (
                entry(file("mine\n"), Outcome::Merged(text("both\n"))),
                Some("both\n"),
                "merged",
                None,
                true,
                true,
            ),
            (
                entry(file("mine\n"), marked),
                Some("<<<\n"),
                "conflict",
                None,
                true,
                false,
            ),
            (
                entry(file("mine\n"), beside(Reason::Binary)),
                Some("mine\n"),
                "conflict",
                None,
                true,
                false,
            ),
            (
                entry(Yours::Absent, beside(Reason::DeletedByYou)),
                None,
                "conflict",
                None,
                true,
                false,
            ),
            (
                entry(file("mine\n"), Outcome::Keep),
                Some("mine\n"),
                "keep",
                None,
                false,
                false,
            ),
            (
                entry(Yours::Absent, Outcome::Keep),
                None,
                "keep",
                None,
                false,
                false,
            ),
            (
                entry(file("mine\n"), Outcome::Unknown),
                Some("mine\n"),
                "unknown",
                None,
                true,
                false,
            ),
        ];
        for (entry, result, outcome, action, to_take, safe) in cases {
            let shown = format!("{:?}", entry.outcome);
            assert_eq!(
                entry
                    .result()
                    .map(|c| String::from_utf8(c.bytes.clone()).unwrap()),
                result.map(str::to_owned),
                "{shown}"
            );
            assert_eq!(entry.kind().key(), outcome, "{shown}");
            assert_eq!(entry.action().map(Action::key), action, "{shown}");
            assert_eq!(entry.to_take(), to_take, "{shown}");
            assert_eq!(entry.is_safe(), safe, "{shown}");
        }
    }

    #[test]
    fn lock_files_name_the_command_that_regenerates_them() {
        assert_eq!(lock_command("uv.lock"), Some("uv lock"));
        assert_eq!(lock_command("sub/uv.lock"), None, "only the project's own");
        assert_eq!(lock_command("README.md"), None);
    }

    /// A plan of `acme`, made with 0.1.0, without the base starter.
    fn plan_of(entries: Vec<Entry>) -> Plan {
        Plan {
            project_name: "acme".into(),
            made_with: Some("0.1.0".into()),
            base_digest: None,
            base_version: None,
            entries,
        }
    }

    #[test]
    fn drop_beside_forgets_only_that_paths_beside_file() {
        let at = |path: &str, outcome| Entry {
            path: path.into(),
            ..entry(file("mine\n"), outcome)
        };
        let mut plan = plan_of(vec![
            at("a.txt", beside(Reason::Binary)),
            at("b.txt", beside(Reason::Binary)),
        ]);
        let besides = |plan: &Plan| -> Vec<(String, bool)> {
            plan.entries
                .iter()
                .map(|e| match &e.outcome {
                    Outcome::Conflict(c) => (e.path.clone(), c.beside.is_some()),
                    _ => panic!("{} is no conflict", e.path),
                })
                .collect()
        };
        plan.drop_beside("b.txt");
        assert_eq!(
            besides(&plan),
            [("a.txt".into(), true), ("b.txt".into(), false)]
        );
        plan.drop_beside("a.txt");
        assert_eq!(
            besides(&plan),
            [("a.txt".into(), false), ("b.txt".into(), false)]
        );
    }

    #[test]
    fn a_plan_knows_what_it_holds() {
        let mut plan = plan_of(vec![
            entry(file("mine\n"), Outcome::Keep),
            entry(file("mine\n"), beside(Reason::Binary)),
            entry(file("old\n"), Outcome::Take(Take::Delete)),
        ]);
        assert!(plan.classified());
        assert!(plan.has_changes_to_take());
        assert!(plan.has_new_changes());
        assert_eq!(
            plan.known_base_version(),
            Some("0.1.0"),
            "the manifest's version"
        );
        plan.base_version = Some("0.0.9");
        assert_eq!(
            plan.known_base_version(),
            Some("0.0.9"),
            "the base starter's own"
        );
        let conflicts: Vec<&Reason> = plan.conflicts().map(|(_, c)| &c.reason).collect();
        assert_eq!(conflicts, [&Reason::Binary]);
        plan.keep_safe_only();
        let kept: Vec<&str> = plan.entries.iter().map(|e| e.kind().key()).collect();
        assert_eq!(kept, ["take"]);
        plan.entries = vec![entry(file("mine\n"), Outcome::Keep)];
        plan.made_with = None;
        assert!(!plan.classified());
        assert!(
            !plan.has_changes_to_take(),
            "your own changes are nothing to take"
        );
        assert_eq!(plan.conflicts().count(), 0);
        assert!(!plan.has_new_changes());
        plan.base_version = None;
        assert_eq!(plan.known_base_version(), None);
        // Markers the last upgrade left are something to take, but nothing new.
        let unresolved = entry(file("<<<\n"), conflict(Reason::Unresolved, None, None));
        assert!(unresolved.is_unresolved());
        assert!(!entry(file("mine\n"), beside(Reason::Binary)).is_unresolved());
        plan.entries = vec![unresolved];
        assert!(plan.has_changes_to_take());
        assert!(!plan.has_new_changes());
    }

    #[test]
    fn the_plan_is_sorted_and_leaves_out_what_is_up_to_date() {
        let at = |path: &str, yours: &str| PathSources {
            path: path.into(),
            ..source(Base::File(text("a\n")), file(yours), Some(text("b\n")))
        };
        let paths: Vec<String> = plan(
            vec![at("z", "a\n"), at("m", "b\n"), at("a", "a\n")],
            &LABELS,
            TimeLimit::NONE,
        )
        .into_iter()
        .map(|e| e.path)
        .collect();
        assert_eq!(paths, ["a", "z"]);
    }

    #[test]
    fn something_other_than_a_file_is_kept_unless_the_starter_changed_it() {
        let other = || Yours::Other("a directory".into());
        let hash = |s: &str| Base::Hash(content_hash(s.as_bytes()));
        assert_eq!(
            outcome(Base::File(text("a\n")), other(), None),
            Some(Outcome::Keep)
        );
        assert_eq!(
            outcome(hash("a\n"), other(), Some(text("a\n"))),
            Some(Outcome::Keep)
        );
        for base in [hash("a\n"), Base::Absent, Base::Unknown] {
            assert_eq!(
                outcome(base.clone(), other(), Some(text("b\n"))),
                Some(conflict(
                    Reason::NotAFile("a directory".into()),
                    None,
                    Some(text("b\n"))
                )),
                "{base:?}"
            );
        }
    }

    #[test]
    fn without_the_base_an_execute_bit_you_set_stays() {
        let hash = || Base::Hash(content_hash(b"a\n"));
        let mine = Content {
            bytes: b"a\n".to_vec(),
            executable: true,
        };
        assert_eq!(
            outcome(hash(), Yours::File(mine.clone()), Some(text("b\n"))),
            Some(Outcome::Take(Take::Write(Content {
                bytes: b"b\n".to_vec(),
                executable: true,
            })))
        );
        assert_eq!(
            outcome(hash(), Yours::File(mine), Some(text("a\n"))),
            None,
            "only the mode differs, and the mode is yours"
        );
    }

    #[test]
    fn a_file_the_starter_dropped_is_deleted_only_if_untouched() {
        let hash = || Base::Hash(content_hash(b"a\n"));
        assert_eq!(
            outcome(hash(), file("a\n"), None),
            Some(Outcome::Take(Take::Delete))
        );
        assert_eq!(
            reason(outcome(hash(), file("mine\n"), None)),
            Reason::RemovedByStarter
        );
        assert_eq!(
            outcome(Base::Absent, file("mine\n"), None),
            None,
            "a file of yours the starter never had is none of its business"
        );
        assert_eq!(
            outcome(Base::Unknown, file("mine\n"), None),
            Some(Outcome::Unknown)
        );
    }

    #[test]
    fn a_file_you_deleted_comes_back_only_as_a_conflict() {
        let hash = |s: &str| Base::Hash(content_hash(s.as_bytes()));
        assert_eq!(
            outcome(hash("a\n"), Yours::Absent, Some(text("a\n"))),
            Some(Outcome::Keep)
        );
        assert_eq!(
            outcome(hash("a\n"), Yours::Absent, Some(text("b\n"))),
            Some(conflict(Reason::DeletedByYou, None, Some(text("b\n"))))
        );
        assert_eq!(
            outcome(Base::Unknown, Yours::Absent, Some(text("b\n"))),
            Some(Outcome::Unknown)
        );
        assert_eq!(outcome(Base::File(text("a\n")), Yours::Absent, None), None);
    }

    #[test]
    fn binary_on_any_side_is_never_line_merged() {
        let base = || Base::File(text("a\n"));
        for (yours, theirs, base) in [
            (file("x\0y\n"), text("b\n"), base()),
            (
                file("mine\n"),
                Content {
                    bytes: b"\xff\n".to_vec(),
                    executable: false,
                },
                base(),
            ),
            (
                file("mine\n"),
                text("b\n"),
                Base::File(Content {
                    bytes: b"\xff\n".to_vec(),
                    executable: false,
                }),
            ),
        ] {
            let entries = plan(
                vec![source(base, yours.clone(), Some(theirs))],
                &LABELS,
                TimeLimit::NONE,
            );
            assert_eq!(entries.len(), 1);
            assert_eq!(
                reason(Some(entries[0].outcome.clone())),
                Reason::Binary,
                "{yours:?}"
            );
        }
        let binary = |yours: &str| {
            let sources = vec![source(
                Base::File(text("a\n")),
                file(yours),
                Some(text("b\n")),
            )];
            plan(sources, &LABELS, TimeLimit::NONE)[0].binary
        };
        assert!(binary("x\0y\n"), "your file looks binary: never printed");
        assert!(!binary("mine\n"));
    }

    #[test]
    fn a_merge_takes_your_execute_bit_if_you_changed_it_else_the_starters() {
        let base = "1\n2\n3\n4\n5\n6\n7\n";
        let yours = "one\n2\n3\n4\n5\n6\n7\n";
        let theirs = "1\n2\n3\n4\n5\n6\nseven\n";
        let merged = "one\n2\n3\n4\n5\n6\nseven\n";
        let with = |s: &str, executable: bool| Content {
            bytes: s.as_bytes().to_vec(),
            executable,
        };
        for (base_x, yours_x, theirs_x, expected) in [
            (false, true, false, true),
            (false, false, true, true),
            (true, false, true, false),
            (false, false, false, false),
        ] {
            assert_eq!(
                outcome(
                    Base::File(with(base, base_x)),
                    Yours::File(with(yours, yours_x)),
                    Some(with(theirs, theirs_x))
                ),
                Some(Outcome::Merged(with(merged, expected))),
                "base {base_x}, yours {yours_x}, theirs {theirs_x}"
            );
        }
    }

    #[test]
    fn a_merge_that_gives_back_your_file_is_up_to_date() {
        // You made the starter's change and one of your own.
        assert_eq!(
            outcome(
                Base::File(text("1\n2\n3\n4\n5\n")),
                file("ONE\n2\n3\n4\nFIVE\n"),
                Some(text("1\n2\n3\n4\nFIVE\n"))
            ),
            None
        );
    }

    #[test]
    fn merges_have_time_to_find_the_best_alignment() {
        // The swaps make the line diff search; with no time it would give up
        // and report yours as one big change overlapping theirs.
        let base: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let swap = |text: &str, a: usize| {
            let (x, y) = (format!("line {a}\n"), format!("line {}\n", a + 1));
            text.replace(&format!("{x}{y}"), &format!("{y}{x}"))
        };
        let yours = swap(&swap(&base, 10), 80);
        let theirs = base.replace("line 45\n", "forty-five\n");
        assert_eq!(
            outcome(Base::File(text(&base)), file(&yours), Some(text(&theirs))),
            Some(Outcome::Merged(text(
                &yours.replace("line 45\n", "forty-five\n")
            )))
        );
    }
}
