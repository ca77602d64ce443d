//! How a plan is shown: `diff`'s summary, `--stat`, `--name-only`, `--patch`
//! and `--format json`, and `upgrade`'s report. Pure functions from a plan to
//! text. Colour is written as ANSI styles; the CLI's output stream strips them
//! where colour is not wanted (a pipe, NO_COLOR).

// Text is built with `write!` and `writeln!` into a String, which cannot fail,
// so their `Result` is dropped (`let _ =`).
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use similar::{capture_diff_slices_deadline, group_diff_ops, Algorithm, DiffOp, DiffTag};

use crate::compare::{
    lock_command, Action, Conflict, Content, Entry, Outcome, OutcomeKind, Plan, Yours,
};
use crate::conflict::{beside_path, Reason, FIND_MARKERS};
use crate::deadline::TimeLimit;
use crate::error::escape_controls;
use crate::merge::split_lines;
use crate::text::{quote, QUICKSCALE_VERSION};

const BOLD: Style = Style::new().bold();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A path as it may be printed: control characters escaped.
fn shown(path: &str) -> String {
    escape_controls(path).into_owned()
}

/// A heading of `diff`'s summary, its colour, and which entries it lists.
type Group = (&'static str, Style, fn(&Entry) -> bool);

/// The groups of `diff`'s summary, in the order they are shown.
const GROUPS: &[Group] = &[
    (
        "Changed in the starter, untouched by you (upgrade takes them)",
        GREEN,
        |e| e.action() == Some(Action::Update),
    ),
    ("New in the starter (upgrade adds them)", GREEN, |e| {
        e.action() == Some(Action::Add)
    }),
    (
        "Removed from the starter, untouched by you (upgrade deletes them)",
        GREEN,
        |e| e.action() == Some(Action::Delete),
    ),
    (
        "Changed by you and in the starter, merging cleanly",
        GREEN,
        |e| matches!(e.outcome, Outcome::Merged(_)),
    ),
    ("Conflicts (need you after the upgrade)", RED, |e| {
        matches!(e.outcome, Outcome::Conflict(_))
    }),
    (
        "Differs from the starter (no manifest: who changed it is unknown)",
        YELLOW,
        |e| matches!(e.outcome, Outcome::Unknown),
    ),
    ("Changed by you only (nothing to take)", YELLOW, |e| {
        matches!(e.outcome, Outcome::Keep)
    }),
];

/// `diff`'s default view. `hidden` counts entries `--safe-only` left out, so
/// that a filtered plan never reads as up to date.
pub fn summary(plan: &Plan, hidden: usize) -> String {
    let name = shown(&plan.project_name);
    let theirs = format!("the starter of quickscale {QUICKSCALE_VERSION}");
    let to_take = plan.entries.iter().filter(|e| e.to_take()).count();
    let mut out = if plan.entries.is_empty() && hidden == 0 {
        return format!("{name} is up to date with {theirs}.\n");
    } else if to_take == 0 && hidden == 0 {
        format!("{name} has nothing to take from {theirs}")
    } else if to_take == 0 {
        format!("{name} has nothing to take without a decision from {theirs}")
    } else if !plan.has_new_changes() {
        // Said as `upgrade` says it: these are the owner's to resolve.
        unresolved_headline(plan)
    } else {
        let new = new_to_take(&plan.entries);
        format!("{name}: {new} file{} to take from {theirs}", plural(new))
    };
    out.push_str(&made_with(plan));
    if hidden > 0 {
        out.push_str(&safe_only_left_out(hidden));
    }
    for (heading, style, belongs) in GROUPS {
        let entries: Vec<&Entry> = plan.entries.iter().filter(|e| belongs(e)).collect();
        if entries.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&paint(BOLD, &format!("{heading}:")));
        out.push('\n');
        for entry in entries {
            let detail = match &entry.outcome {
                Outcome::Conflict(conflict) => format!(" ({})", conflict_detail(entry, conflict)),
                _ if entry.binary => " (binary)".to_owned(),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {}{detail}", paint(*style, &shown(&entry.path)));
        }
    }
    if plan.has_new_changes() {
        out.push_str(&release_notes(plan));
        out.push_str("\nTake them with `quickscale upgrade` (`--dry-run` first to see the plan);");
        out.push_str("\n`quickscale diff --patch` shows each change applied onto your files.\n");
    } else if to_take > 0 {
        out.push('\n');
        out.push_str(RESOLVE_THEN_COMMIT);
    }
    out
}

/// How many entries have something new to take: the last upgrade's
/// unresolved conflicts are listed, but are the owner's to resolve, not files
/// to take (`diff`'s views and `upgrade` count them apart alike).
fn new_to_take<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> usize {
    entries
        .into_iter()
        .filter(|e| e.to_take() && !e.is_unresolved())
        .count()
}

/// How `diff` and `upgrade` both open when only the last upgrade's
/// conflicts are left (no full stop: `diff` adds the project's starter).
fn unresolved_headline(plan: &Plan) -> String {
    format!(
        "{} has nothing new to take from the starter of quickscale {QUICKSCALE_VERSION}, but the \
         last upgrade's conflicts are unresolved",
        shown(&plan.project_name)
    )
}

/// What to do about them, in both reports.
const RESOLVE_THEN_COMMIT: &str = "Edit each file, remove the markers and commit.\n";

/// The release notes `plan` crosses, less those about a file its owner deleted.
fn crossed(plan: &Plan) -> Vec<(&'static str, Vec<&'static str>)> {
    crate::release_notes::crossed(plan.known_base_version(), QUICKSCALE_VERSION, |path| {
        plan.deleted_by_owner(path)
    })
}

/// What the releases between the project's base and this quickscale need
/// outside the files, or nothing.
fn release_notes(plan: &Plan) -> String {
    let mut out = String::new();
    for (version, notes) in crossed(plan) {
        out.push('\n');
        out.push_str(&paint(
            BOLD,
            &format!("Before you deploy, for quickscale {version}:"),
        ));
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    out
}

fn made_with(plan: &Plan) -> String {
    match (&plan.made_with, plan.base_version) {
        // The manifest's version is the starter the project is on now: the
        // one init wrote, or the last upgrade took.
        (Some(version), Some(_)) => format!(" (project on the {version} starter).\n"),
        (Some(version), None) => format!(
            " (project on the starter {} recorded by quickscale {version}, which is not in this \
             quickscale's history: only files you never changed can be taken automatically).\n",
            plan.base_digest.as_deref().unwrap_or("?")
        ),
        (None, _) => {
            ".\nNo .quickscale.toml: quickscale cannot tell which side changed each file.\n"
                .to_owned()
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// What a conflict is and what to do about it, in a few words.
pub fn conflict_detail(entry: &Entry, conflict: &Conflict) -> String {
    // Where the starter's version went: beside the file, unless nothing
    // could be written there (then the report says so, and names no file).
    let beside = || match conflict.beside {
        Some(_) => shown(&beside_path(&entry.path)),
        None => "no file (it could not be written beside it)".to_owned(),
    };
    match &conflict.reason {
        Reason::Lines(count) => format!(
            "{count} conflicting hunk{}: edit the file and remove the markers",
            plural(*count)
        ),
        Reason::Unresolved => {
            "conflict markers from the last upgrade are still in it: resolve them first".to_owned()
        }
        Reason::DeletedByYou => format!(
            "you deleted it and the starter changed it: the starter's version is in {}",
            beside()
        ),
        Reason::RemovedByStarter => {
            "the starter removed it and you changed it: yours stays; delete it if you no longer need it"
                .to_owned()
        }
        Reason::Binary => format!(
            "both changed this binary file: yours stays, the starter's is in {}",
            beside()
        ),
        Reason::NotAFile(what) => format!(
            "{what} stands where the starter has a file: the starter's version is in {}",
            beside()
        ),
        Reason::Lock => format!(
            "lock file changed by both: yours stays; regenerate it with `{}`",
            lock_command(&entry.path).unwrap_or("the tool that wrote it")
        ),
        Reason::BaseUnknown => format!(
            "changed by both and the project's base starter is not in this quickscale's history: \
             merge by hand from {}",
            beside()
        ),
    }
}

/// The paths with something to take, one a line.
pub fn name_only(plan: &Plan) -> String {
    plan.entries
        .iter()
        .filter(|e| e.to_take())
        .map(|e| format!("{}\n", shown(&e.path)))
        .collect()
}

/// The change `upgrade` makes at a path, as (before, after): None where there
/// is no change to show as text (binary, unknown, or nothing written).
fn change(entry: &Entry) -> Option<(Option<&Content>, Option<&Content>)> {
    if entry.binary {
        return None;
    }
    let yours = match &entry.yours {
        Yours::File(content) => Some(content),
        _ => None,
    };
    entry.written().map(|after| (yours, after))
}

/// `(insertions, deletions)` from `before` to `after`.
fn line_counts(
    before: Option<&Content>,
    after: Option<&Content>,
    limit: TimeLimit,
) -> (usize, usize) {
    let old = lines_of(before);
    let new = lines_of(after);
    let mut counts = (0, 0);
    for op in diff_ops(&old, &new, limit) {
        counts.0 += op.new_range().len();
        counts.1 += op.old_range().len();
    }
    counts
}

fn lines_of(content: Option<&Content>) -> Vec<&[u8]> {
    content.map(|c| split_lines(&c.bytes)).unwrap_or_default()
}

fn diff_ops(old: &[&[u8]], new: &[&[u8]], limit: TimeLimit) -> Vec<DiffOp> {
    capture_diff_slices_deadline(Algorithm::Myers, old, new, limit.start().instant())
        .into_iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        .collect()
}

/// Each path with something to take, its outcome and how many lines the
/// upgrade adds and removes there (the starter's change, applied onto yours).
/// `hidden` counts entries `--safe-only` left out, said on a last line.
pub fn stat(plan: &Plan, hidden: usize, limit: TimeLimit) -> String {
    let entries: Vec<&Entry> = plan.entries.iter().filter(|e| e.to_take()).collect();
    let width = entries
        .iter()
        .map(|e| shown(&e.path).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let (mut insertions, mut deletions) = (0, 0);
    for entry in &entries {
        let detail = match change(entry) {
            Some((before, after)) => {
                let (add, del) = line_counts(before, after, limit);
                insertions += add;
                deletions += del;
                let mode = match (before, after) {
                    (Some(b), Some(a)) if b.executable != a.executable => " (mode)",
                    _ => "",
                };
                format!(
                    "{} {}{mode}",
                    paint(GREEN, &format!("+{add}")),
                    paint(RED, &format!("-{del}"))
                )
            }
            None if entry.binary => "binary".to_owned(),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            " {:<width$} | {:<8} {detail}",
            shown(&entry.path),
            entry.kind().key()
        );
    }
    let files = new_to_take(entries.iter().copied());
    let unresolved = entries.len() - files;
    let _ = writeln!(
        out,
        " {files} file{} to take, {insertions} insertion{}(+), {deletions} deletion{}(-)",
        plural(files),
        plural(insertions),
        plural(deletions),
    );
    if unresolved > 0 {
        let _ = writeln!(
            out,
            " {unresolved} file{} still hold{} the last upgrade's conflict markers",
            plural(unresolved),
            if unresolved == 1 { "s" } else { "" }
        );
    }
    if hidden > 0 {
        out.push_str(&safe_only_left_out(hidden));
    }
    out
}

/// The line that keeps a `--safe-only` view from reading as complete.
pub fn safe_only_left_out(hidden: usize) -> String {
    format!(
        "--safe-only leaves out {hidden} file{} that need{} a decision; `quickscale diff` lists them.\n",
        plural(hidden),
        if hidden == 1 { "s" } else { "" }
    )
}

/// A git-style patch of what `upgrade` writes: the starter's changes applied
/// onto your files (never a revert of your edits), conflicts with their
/// markers, and the starter's version of a conflicted file beside it. `git
/// apply` and `patch -p1` accept it. The second value names the files left out
/// because they are binary or cannot be told apart without a manifest.
pub fn patch(plan: &Plan, limit: TimeLimit) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut left_out = Vec::new();
    for entry in plan.entries.iter().filter(|e| e.to_take()) {
        if let Some((before, after)) = change(entry) {
            file_patch(&mut out, &entry.path, before, after, limit);
        } else if matches!(entry.outcome, Outcome::Unknown) || entry.binary {
            left_out.push(entry.path.clone());
        }
        if let Outcome::Conflict(Conflict {
            beside: Some(theirs),
            ..
        }) = &entry.outcome
        {
            if !entry.binary && !crate::compare::looks_binary(&theirs.bytes) {
                file_patch(
                    &mut out,
                    &beside_path(&entry.path),
                    None,
                    Some(theirs),
                    limit,
                );
            }
        }
    }
    (out, left_out)
}

/// One file's part of a patch, byte for byte: every line keeps its own
/// ending (CRLF stays CRLF), and a missing final newline is marked as git
/// marks it.
fn file_patch(
    out: &mut String,
    path: &str,
    before: Option<&Content>,
    after: Option<&Content>,
    limit: TimeLimit,
) {
    let mut header = format!("diff --git a/{path} b/{path}\n");
    let (old_name, new_name) = match (before, after) {
        (None, Some(after)) => {
            let _ = writeln!(header, "new file mode {}", mode(after.executable));
            ("/dev/null".to_owned(), format!("b/{path}"))
        }
        (Some(before), None) => {
            let _ = writeln!(header, "deleted file mode {}", mode(before.executable));
            (format!("a/{path}"), "/dev/null".to_owned())
        }
        (Some(before), Some(after)) => {
            if before.executable != after.executable {
                let _ = writeln!(
                    header,
                    "old mode {}\nnew mode {}",
                    mode(before.executable),
                    mode(after.executable)
                );
            }
            (format!("a/{path}"), format!("b/{path}"))
        }
        (None, None) => return,
    };
    out.push_str(&paint(BOLD, header.trim_end()));
    out.push('\n');
    let old = lines_of(before);
    let new = lines_of(after);
    if old == new {
        return; // A mode change, or an empty file created or deleted: the header says it all.
    }
    out.push_str(&paint(BOLD, &format!("--- {old_name}")));
    out.push('\n');
    out.push_str(&paint(BOLD, &format!("+++ {new_name}")));
    out.push('\n');
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &old, &new, limit.start().instant());
    for group in group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let hunk = format!(
            "@@ -{} +{} @@",
            hunk_range(old_range.start, old_range.len()),
            hunk_range(new_range.start, new_range.len())
        );
        out.push_str(&paint(CYAN, &hunk));
        out.push('\n');
        for op in &group {
            let (tag, old_lines, new_lines) = op.as_tag_tuple();
            let (removed, added) = match tag {
                DiffTag::Equal => {
                    for line in &old[old_lines] {
                        push_line(out, ' ', line, None);
                    }
                    continue;
                }
                DiffTag::Delete => (old_lines, 0..0),
                DiffTag::Insert => (0..0, new_lines),
                DiffTag::Replace => (old_lines, new_lines),
            };
            for line in &old[removed] {
                push_line(out, '-', line, Some(RED));
            }
            for line in &new[added] {
                push_line(out, '+', line, Some(GREEN));
            }
        }
    }
}

/// One patch line: the marker, the line's bytes with its own ending, and
/// git's note when the line has none.
fn push_line(out: &mut String, marker: char, line: &[u8], style: Option<Style>) {
    // Text files only reach here (binary ones are left out), so this is lossless.
    let text = String::from_utf8_lossy(line);
    let (body, ending) = match text.strip_suffix("\r\n") {
        Some(body) => (body, "\r\n"),
        None => match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text.as_ref(), ""),
        },
    };
    let content = format!("{marker}{body}");
    match style {
        Some(style) => out.push_str(&paint(style, &content)),
        None => out.push_str(&content),
    }
    if ending.is_empty() {
        out.push_str("\n\\ No newline at end of file\n");
    } else {
        out.push_str(ending);
    }
}

/// `start,len` in a hunk header (1-based; a lone line drops `,1`; an empty
/// range names the line before it).
fn hunk_range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

fn mode(executable: bool) -> &'static str {
    if executable {
        "100755"
    } else {
        "100644"
    }
}

/// Which command a JSON document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFor {
    /// `diff`; `left_out` counts the entries `--safe-only` left out of `files`.
    Diff { left_out: usize },
    /// `upgrade`; `applied` is false for `--dry-run`.
    Upgrade { applied: bool },
}

/// The `--format json` document of `diff` and `upgrade`; its schema is in
/// docs/diff-json.md.
pub fn json(plan: &Plan, kind: JsonFor, notes: &[String], limit: TimeLimit) -> String {
    let mut out = String::from("{\n");
    out.push_str("  \"schema_version\": 2,\n");
    let (command, applied, left_out) = match kind {
        JsonFor::Diff { left_out } => ("diff", false, left_out),
        JsonFor::Upgrade { applied } => ("upgrade", applied, 0),
    };
    let _ = writeln!(out, "  \"command\": \"{command}\",");
    let _ = writeln!(out, "  \"applied\": {applied},");
    let _ = writeln!(out, "  \"project\": {},", quote(&plan.project_name));
    let _ = writeln!(
        out,
        "  \"quickscale_version\": {},",
        quote(QUICKSCALE_VERSION)
    );
    let _ = writeln!(
        out,
        "  \"made_with\": {},",
        json_string(plan.made_with.as_deref())
    );
    let _ = writeln!(
        out,
        "  \"base_digest\": {},",
        json_string(plan.base_digest.as_deref())
    );
    let _ = writeln!(
        out,
        "  \"base_version\": {},",
        json_string(plan.base_version)
    );
    let _ = writeln!(out, "  \"classified\": {},", plan.classified());
    // What is left out is still there to take: the document agrees with
    // plain `diff` (and the exit code) whatever `--safe-only` shows.
    let _ = writeln!(
        out,
        "  \"up_to_date\": {},",
        !plan.has_changes_to_take() && left_out == 0
    );
    let _ = writeln!(out, "  \"left_out\": {left_out},");
    let _ = writeln!(out, "  \"counts\": {{\"take\": {}, \"merged\": {}, \"conflict\": {}, \"keep\": {}, \"unknown\": {}}},",
        plan.count(OutcomeKind::Take),
        plan.count(OutcomeKind::Merged),
        plan.count(OutcomeKind::Conflict),
        plan.count(OutcomeKind::Keep),
        plan.count(OutcomeKind::Unknown)
    );
    let notes: Vec<String> = notes.iter().map(|n| quote(n)).collect();
    let _ = writeln!(out, "  \"notes\": [{}],", notes.join(", "));
    let crossed: Vec<String> = crossed(plan)
        .into_iter()
        .map(|(version, notes)| {
            let notes: Vec<String> = notes.iter().map(|n| quote(n)).collect();
            format!(
                "{{\"version\": {}, \"notes\": [{}]}}",
                quote(version),
                notes.join(", ")
            )
        })
        .collect();
    let _ = writeln!(out, "  \"release_notes\": [{}],", crossed.join(", "));
    out.push_str("  \"files\": [");
    for (index, entry) in plan.entries.iter().enumerate() {
        out.push_str(if index == 0 { "\n" } else { ",\n" });
        let (insertions, deletions) = match change(entry) {
            Some((before, after)) => {
                let (add, del) = line_counts(before, after, limit);
                (add.to_string(), del.to_string())
            }
            None => ("null".to_owned(), "null".to_owned()),
        };
        let (reason, detail, beside) = match &entry.outcome {
            Outcome::Conflict(conflict) => (
                quote(conflict.reason.key()),
                quote(&conflict_detail(entry, conflict)),
                if conflict.beside.is_some() {
                    quote(&beside_path(&entry.path))
                } else {
                    "null".to_owned()
                },
            ),
            _ => ("null".to_owned(), "null".to_owned(), "null".to_owned()),
        };
        let _ = write!(out,
            "    {{\"path\": {}, \"outcome\": \"{}\", \"action\": {}, \"safe\": {}, \"binary\": {}, \
             \"insertions\": {insertions}, \"deletions\": {deletions}, \"reason\": {reason}, \
             \"detail\": {detail}, \"beside\": {beside}}}",
            quote(&entry.path),
            entry.kind().key(),
            json_string(entry.action().map(Action::key)),
            entry.is_safe(),
            entry.binary,
        );
    }
    if !plan.entries.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("]\n}\n");
    out
}

fn json_string(value: Option<&str>) -> String {
    value.map_or("null".to_owned(), quote)
}

/// `upgrade --dry-run` (or `add MODULE --dry-run` when `adding` names the
/// module): what would happen to each path, and `notes` on the per-project
/// values it would generate.
pub fn upgrade_plan(plan: &Plan, adding: Option<&str>, notes: &[String]) -> String {
    let mut out = match adding {
        Some(module) => format!(
            "Plan for adding the module {module} to {}{}",
            shown(&plan.project_name),
            made_with(plan)
        ),
        None => format!(
            "Upgrade plan for {} to the starter of quickscale {QUICKSCALE_VERSION}{}",
            shown(&plan.project_name),
            made_with(plan)
        ),
    };
    if plan.entries.is_empty() {
        out.push_str("Nothing to do: the project is up to date.\n");
        return out;
    }
    for entry in &plan.entries {
        let what = match (&entry.outcome, entry.action().map(Action::key)) {
            (_, Some(action)) => format!("take ({action})"),
            (Outcome::Conflict(conflict), _) => {
                format!("conflict: {}", conflict_detail(entry, conflict))
            }
            (Outcome::Merged(_), _) => "merge (clean)".to_owned(),
            _ => "keep (yours)".to_owned(),
        };
        let style = match entry.outcome {
            Outcome::Conflict(_) => RED,
            Outcome::Keep => YELLOW,
            _ => GREEN,
        };
        let _ = writeln!(out, "  {}  {what}", paint(style, &shown(&entry.path)));
    }
    out.push_str(&counts_line(plan));
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    out.push_str(&release_notes(plan));
    out.push_str("Nothing was written (--dry-run).\n");
    out
}

fn counts_line(plan: &Plan) -> String {
    format!(
        "{} taken, {} merged, {} conflict{}, {} kept as you changed them.\n",
        plan.count(OutcomeKind::Take),
        plan.count(OutcomeKind::Merged),
        plan.count(OutcomeKind::Conflict),
        plural(plan.count(OutcomeKind::Conflict)),
        plan.count(OutcomeKind::Keep)
    )
}

/// What `upgrade` did, the conflicts left and the commands to run next.
/// `notes` are lines about per-project values it generated.
pub fn upgrade_done(plan: &Plan, from: &str, notes: &[String], applied: bool) -> String {
    let name = shown(&plan.project_name);
    if !applied {
        let unresolved: Vec<String> = plan
            .conflicts()
            .map(|(entry, conflict)| {
                format!(
                    "  {}: {}\n",
                    paint(RED, &shown(&entry.path)),
                    conflict_detail(entry, conflict)
                )
            })
            .collect();
        let mut out = format!("{name} is up to date with the starter of quickscale {QUICKSCALE_VERSION}; nothing to do.\n");
        if !unresolved.is_empty() {
            out = format!("{}:\n", unresolved_headline(plan));
            out.extend(unresolved);
            out.push_str(RESOLVE_THEN_COMMIT);
        }
        return out;
    }
    let headline = format!("Upgraded {name} from {from} to quickscale {QUICKSCALE_VERSION}: ");
    let commit = format!("Upgrade to quickscale {QUICKSCALE_VERSION}");
    let mut out = applied_report(plan, &headline, notes, &commit, &[]);
    out.push_str(&release_notes(plan));
    out
}

/// What `add` did, the conflicts left and the commands to run next, among
/// them the environment variables the module reads (`env`).
pub fn add_done(
    plan: &Plan,
    module: &str,
    env: &[&str],
    notes: &[String],
    applied: bool,
) -> String {
    let name = shown(&plan.project_name);
    if !applied {
        return format!("{name} already has the module {module}; nothing to do.\n");
    }
    let headline = format!("Added the module {module} to {name}: ");
    applied_report(
        plan,
        &headline,
        notes,
        &format!("Add the {module} module"),
        env,
    )
}

/// The report of changes written: `headline` and the counts, `notes`, the
/// conflicts, and the next commands, ending with a commit of `commit`.
fn applied_report(
    plan: &Plan,
    headline: &str,
    notes: &[String],
    commit: &str,
    env: &[&str],
) -> String {
    let mut out = headline.to_owned();
    out.push_str(&counts_line(plan));
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    let conflicts: Vec<(&Entry, &Conflict)> = plan.conflicts().collect();
    if !conflicts.is_empty() {
        out.push('\n');
        out.push_str(&paint(BOLD, "Conflicts to resolve:"));
        out.push('\n');
        for (entry, conflict) in &conflicts {
            let _ = writeln!(
                out,
                "  {}: {}",
                paint(RED, &shown(&entry.path)),
                conflict_detail(entry, conflict)
            );
        }
    }
    out.push('\n');
    out.push_str(&paint(BOLD, "Next:"));
    out.push('\n');
    out.push_str("  git diff                        # review what changed\n");
    if !conflicts.is_empty() {
        let _ = writeln!(
            out,
            "  {FIND_MARKERS:<32}# find the conflict markers; edit each file, remove the markers"
        );
    }
    // The lock needs regenerating when it conflicted, or when the project's
    // dependencies were merged with yours (a lock taken from the starter
    // matches a pyproject.toml taken from it).
    let relock = conflicts
        .iter()
        .filter_map(|(entry, _)| lock_command(&entry.path))
        .next()
        .or_else(|| {
            plan.entries
                .iter()
                .any(|e| {
                    e.path == "pyproject.toml"
                        && matches!(e.outcome, Outcome::Merged(_) | Outcome::Conflict(_))
                })
                .then_some("uv lock")
        });
    if let Some(command) = relock {
        let _ = writeln!(
            out,
            "  {command:<31} # regenerate the lock file, then: uv sync"
        );
    } else if writes_dependencies(plan) {
        out.push_str("  uv sync                         # install the new dependencies\n");
    }
    if needs_migrate(plan) {
        out.push_str(
            "  uv run python manage.py migrate # create the tables of the new apps and migrations\n",
        );
    }
    if !env.is_empty() {
        let _ = writeln!(
            out,
            "  # set {} in .env and on every server (.env.example shows each)",
            env.join(", ")
        );
    }
    out.push_str("  uv run pytest                   # run the tests\n");
    let _ = writeln!(out, "  git add -A && git commit -m '{commit}'");
    out
}

/// Whether the installed dependencies change: the lock is written (a module's
/// or a release's new package must be installed before `migrate` can import
/// it). The starter changes its lock with every change of its dependencies, so
/// a pyproject.toml written alone changed something else.
fn writes_dependencies(plan: &Plan) -> bool {
    plan.entries
        .iter()
        .any(|entry| lock_command(&entry.path).is_some() && entry.written().is_some())
}

/// Whether the database needs `migrate` after the upgrade: it writes a
/// migration (a `.py` file under a `migrations/` directory), or changes
/// `INSTALLED_APPS` in a settings module (an app with tables arrives, as
/// django-allauth did in 0.2.0 through the settings alone: without `migrate`,
/// the first log-in failed with a server error).
fn needs_migrate(plan: &Plan) -> bool {
    plan.entries.iter().any(|entry| {
        let Some(Some(after)) = entry.written() else {
            return false;
        };
        let before = match &entry.yours {
            Yours::File(content) => Some(content),
            _ => None,
        };
        is_migration(&entry.path)
            || (is_settings(&entry.path) && installed_apps(before) != installed_apps(Some(after)))
    })
}

fn is_migration(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or_default();
    file.ends_with(".py") && parts.contains(&"migrations")
}

fn is_settings(path: &str) -> bool {
    path.ends_with(".py") && (path.starts_with("config/settings/") || path.ends_with("settings.py"))
}

/// The lines of every statement of a settings module that assigns or extends
/// `INSTALLED_APPS`, comments and blank lines aside.
fn installed_apps(content: Option<&Content>) -> Vec<String> {
    let text = content.map_or(Default::default(), |c| String::from_utf8_lossy(&c.bytes));
    let mut lines = Vec::new();
    let mut depth = 0i32;
    for line in text.lines() {
        let code = line.split('#').next().unwrap_or_default().trim();
        if depth == 0 && !code.starts_with("INSTALLED_APPS") {
            continue;
        }
        depth += code.matches(['[', '(']).count() as i32 - code.matches([']', ')']).count() as i32;
        if !code.is_empty() {
            lines.push(code.to_owned());
        }
        depth = depth.max(0);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Entry, Outcome, Plan, Take, Yours};

    fn text(s: &str) -> Content {
        Content::text(s)
    }

    fn plan(entries: Vec<Entry>) -> Plan {
        Plan {
            project_name: "acme \"x\"".into(),
            made_with: Some("0.1.0".into()),
            base_digest: Some("sha256:00".into()),
            base_version: Some("0.1.0"),
            entries,
        }
    }

    fn entry(path: &str, yours: Option<&str>, outcome: Outcome) -> Entry {
        Entry {
            path: path.into(),
            yours: yours.map_or(Yours::Absent, |s| Yours::File(text(s))),
            outcome,
            binary: false,
        }
    }

    fn strip(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    fn with_mode(s: &str, executable: bool) -> Content {
        Content {
            bytes: s.as_bytes().to_vec(),
            executable,
        }
    }

    fn conflict(reason: Reason, write: Option<&str>, beside: Option<&str>) -> Outcome {
        Outcome::Conflict(Conflict {
            reason,
            write: write.map(text),
            beside: beside.map(text),
        })
    }

    fn bytes(b: &[u8]) -> Content {
        Content {
            bytes: b.to_vec(),
            executable: false,
        }
    }

    /// One entry of every kind, sorted by path as a plan is.
    fn every_kind() -> Plan {
        let binary = |mut e: Entry| {
            e.binary = true;
            e
        };
        let beside_bytes = |reason: Reason, theirs: &[u8]| {
            Outcome::Conflict(Conflict {
                reason,
                write: None,
                beside: Some(bytes(theirs)),
            })
        };
        let mut mode = entry(
            "run.sh",
            Some("echo\n"),
            Outcome::Take(Take::Write(with_mode("echo\n", true))),
        );
        mode.yours = Yours::File(with_mode("echo\n", false));
        let mut dir = entry(
            "k",
            None,
            conflict(Reason::NotAFile("a directory".into()), None, Some("k\n")),
        );
        dir.yours = Yours::Other("a directory".into());
        plan(vec![
            entry(
                "a.txt",
                Some("1\n2\n3\n"),
                Outcome::Take(Take::Write(text("1\n2\n3\n4\n5\n"))),
            ),
            entry("b.txt", None, Outcome::Take(Take::Write(text("new\n")))),
            entry("c.txt", Some("x\ny\n"), Outcome::Take(Take::Delete)),
            entry(
                "d.txt",
                Some("mine\n"),
                Outcome::Merged(text("mine\nmore\n")),
            ),
            entry(
                "e.txt",
                Some("y\n"),
                conflict(Reason::Lines(2), Some("<\ny\n=\nt\n>\n"), None),
            ),
            entry(
                "e1.txt",
                Some("y\n"),
                conflict(Reason::Lines(1), Some("<\ny\n>\n"), None),
            ),
            binary(entry(
                "f.png",
                Some("\u{0}old"),
                beside_bytes(Reason::Binary, b"\0new"),
            )),
            entry(
                "f2.dat",
                Some("text\n"),
                beside_bytes(Reason::Binary, b"\xff\n"),
            ),
            entry("g.txt", Some("k\n"), Outcome::Keep),
            entry(
                "gone.txt",
                None,
                conflict(Reason::DeletedByYou, None, Some("s\n")),
            ),
            entry("h.txt", Some("u\n"), Outcome::Unknown),
            entry(
                "i.txt",
                Some("<<<\n"),
                conflict(Reason::Unresolved, None, None),
            ),
            entry(
                "j.txt",
                Some("j\n"),
                conflict(Reason::RemovedByStarter, None, None),
            ),
            dir,
            entry(
                "l.txt",
                Some("l\n"),
                conflict(Reason::BaseUnknown, None, Some("L\n")),
            ),
            binary(entry(
                "logo.png",
                Some("\u{0}a"),
                Outcome::Take(Take::Write(bytes(b"\0b"))),
            )),
            mode,
            entry("uv.lock", Some("l\n"), conflict(Reason::Lock, None, None)),
        ])
    }

    /// The release notes a project made with 0.1.0 crosses.
    fn crossed() -> Vec<(&'static str, Vec<&'static str>)> {
        let crossed = crate::release_notes::crossed(Some("0.1.0"), QUICKSCALE_VERSION, |_| false);
        assert!(!crossed.is_empty(), "the expected texts show release notes");
        crossed
    }

    /// The expected text with this binary's version in place of `{V}`, and
    /// the release notes as the text reports show them in place of `{NOTES}`.
    fn golden(text: &str) -> String {
        let notes: String = crossed()
            .iter()
            .map(|(version, notes)| {
                let lines: String = notes.iter().map(|n| format!("  - {n}\n")).collect();
                format!("\nBefore you deploy, for quickscale {version}:\n{lines}")
            })
            .collect();
        text.replace("{V}", QUICKSCALE_VERSION)
            .replace("{NOTES}", &notes)
    }

    /// A JSON document without its `release_notes` line, after checking that
    /// line holds the notes crossed, as JSON.
    fn checked_release_notes(doc: &str) -> String {
        let parsed: serde_json::Value = serde_json::from_str(doc).expect("valid JSON");
        let expected: Vec<serde_json::Value> = crossed()
            .iter()
            .map(|(version, notes)| serde_json::json!({"version": version, "notes": notes}))
            .collect();
        assert_eq!(parsed["release_notes"], serde_json::Value::Array(expected));
        doc.lines()
            .filter(|line| !line.starts_with("  \"release_notes\": "))
            .map(|line| format!("{line}\n"))
            .collect()
    }

    #[test]
    fn summary_groups_every_kind_under_its_heading() {
        assert_eq!(strip(&summary(&every_kind(), 1)), golden(SUMMARY));
    }

    #[test]
    fn name_only_lists_what_there_is_to_take() {
        assert_eq!(name_only(&every_kind()), NAME_ONLY);
    }

    #[test]
    fn stat_shows_each_outcome_and_the_totals() {
        assert_eq!(strip(&stat(&every_kind(), 0, TimeLimit::NONE)), STAT);
    }

    #[test]
    fn patch_shows_every_change_with_text_and_names_the_rest() {
        let (text, left_out) = patch(&every_kind(), TimeLimit::NONE);
        assert_eq!(strip(&text), golden(PATCH));
        assert_eq!(left_out, LEFT_OUT);
    }

    #[test]
    fn json_describes_every_entry() {
        let notes = ["note \"one\"".to_owned()];
        let doc = json(
            &every_kind(),
            JsonFor::Upgrade { applied: true },
            &notes,
            TimeLimit::NONE,
        );
        assert_eq!(checked_release_notes(&doc), golden(JSON));
    }

    #[test]
    fn upgrade_plan_says_what_happens_to_each_path() {
        let notes = ["note one".to_owned()];
        assert_eq!(
            strip(&upgrade_plan(&every_kind(), None, &notes)),
            golden(UPGRADE_PLAN)
        );
    }

    #[test]
    fn upgrade_done_names_the_conflicts_and_what_to_run_next() {
        let notes = ["note one".to_owned()];
        let done = upgrade_done(&every_kind(), "0.1.0", &notes, true);
        assert_eq!(
            strip(&done),
            golden(&format!(
                "{UPGRADE_DONE_HEAD}{CONFLICT_LINES}{UPGRADE_NEXT}"
            ))
        );
        let unresolved = upgrade_done(&every_kind(), "0.1.0", &[], false);
        assert_eq!(
            strip(&unresolved),
            golden(&format!(
                "{UPGRADE_UNRESOLVED_HEAD}{CONFLICT_LINES}Edit each file, remove the markers and commit.\n"
            ))
        );
    }

    const SUMMARY: &str = r#"acme "x": 16 files to take from the starter of quickscale {V} (project on the 0.1.0 starter).
--safe-only leaves out 1 file that needs a decision; `quickscale diff` lists them.

Changed in the starter, untouched by you (upgrade takes them):
  a.txt
  logo.png (binary)
  run.sh

New in the starter (upgrade adds them):
  b.txt

Removed from the starter, untouched by you (upgrade deletes them):
  c.txt

Changed by you and in the starter, merging cleanly:
  d.txt

Conflicts (need you after the upgrade):
  e.txt (2 conflicting hunks: edit the file and remove the markers)
  e1.txt (1 conflicting hunk: edit the file and remove the markers)
  f.png (both changed this binary file: yours stays, the starter's is in f.png.quickscale-{V})
  f2.dat (both changed this binary file: yours stays, the starter's is in f2.dat.quickscale-{V})
  gone.txt (you deleted it and the starter changed it: the starter's version is in gone.txt.quickscale-{V})
  i.txt (conflict markers from the last upgrade are still in it: resolve them first)
  j.txt (the starter removed it and you changed it: yours stays; delete it if you no longer need it)
  k (a directory stands where the starter has a file: the starter's version is in k.quickscale-{V})
  l.txt (changed by both and the project's base starter is not in this quickscale's history: merge by hand from l.txt.quickscale-{V})
  uv.lock (lock file changed by both: yours stays; regenerate it with `uv lock`)

Differs from the starter (no manifest: who changed it is unknown):
  h.txt

Changed by you only (nothing to take):
  g.txt
{NOTES}
Take them with `quickscale upgrade` (`--dry-run` first to see the plan);
`quickscale diff --patch` shows each change applied onto your files.
"#;

    const NAME_ONLY: &str = r#"a.txt
b.txt
c.txt
d.txt
e.txt
e1.txt
f.png
f2.dat
gone.txt
h.txt
i.txt
j.txt
k
l.txt
logo.png
run.sh
uv.lock
"#;

    const STAT: &str = r#" a.txt    | take     +2 -0
 b.txt    | take     +1 -0
 c.txt    | take     +0 -2
 d.txt    | merged   +1 -0
 e.txt    | conflict +4 -0
 e1.txt   | conflict +2 -0
 f.png    | conflict binary
 f2.dat   | conflict -
 gone.txt | conflict -
 h.txt    | unknown  -
 i.txt    | conflict -
 j.txt    | conflict -
 k        | conflict -
 l.txt    | conflict -
 logo.png | take     binary
 run.sh   | take     +0 -0 (mode)
 uv.lock  | conflict -
 16 files to take, 10 insertions(+), 2 deletions(-)
 1 file still holds the last upgrade's conflict markers
"#;

    const PATCH: &str = r#"diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,5 @@
 1
 2
 3
+4
+5
diff --git a/b.txt b/b.txt
new file mode 100644
--- /dev/null
+++ b/b.txt
@@ -0,0 +1 @@
+new
diff --git a/c.txt b/c.txt
deleted file mode 100644
--- a/c.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/d.txt b/d.txt
--- a/d.txt
+++ b/d.txt
@@ -1 +1,2 @@
 mine
+more
diff --git a/e.txt b/e.txt
--- a/e.txt
+++ b/e.txt
@@ -1 +1,5 @@
+<
 y
+=
+t
+>
diff --git a/e1.txt b/e1.txt
--- a/e1.txt
+++ b/e1.txt
@@ -1 +1,3 @@
+<
 y
+>
diff --git a/gone.txt.quickscale-{V} b/gone.txt.quickscale-{V}
new file mode 100644
--- /dev/null
+++ b/gone.txt.quickscale-{V}
@@ -0,0 +1 @@
+s
diff --git a/k.quickscale-{V} b/k.quickscale-{V}
new file mode 100644
--- /dev/null
+++ b/k.quickscale-{V}
@@ -0,0 +1 @@
+k
diff --git a/l.txt.quickscale-{V} b/l.txt.quickscale-{V}
new file mode 100644
--- /dev/null
+++ b/l.txt.quickscale-{V}
@@ -0,0 +1 @@
+L
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
"#;

    const LEFT_OUT: [&str; 3] = ["f.png", "h.txt", "logo.png"];

    const JSON: &str = r#"{
  "schema_version": 2,
  "command": "upgrade",
  "applied": true,
  "project": "acme \"x\"",
  "quickscale_version": "{V}",
  "made_with": "0.1.0",
  "base_digest": "sha256:00",
  "base_version": "0.1.0",
  "classified": true,
  "up_to_date": false,
  "left_out": 0,
  "counts": {"take": 5, "merged": 1, "conflict": 10, "keep": 1, "unknown": 1},
  "notes": ["note \"one\""],
  "files": [
    {"path": "a.txt", "outcome": "take", "action": "update", "safe": true, "binary": false, "insertions": 2, "deletions": 0, "reason": null, "detail": null, "beside": null},
    {"path": "b.txt", "outcome": "take", "action": "add", "safe": true, "binary": false, "insertions": 1, "deletions": 0, "reason": null, "detail": null, "beside": null},
    {"path": "c.txt", "outcome": "take", "action": "delete", "safe": true, "binary": false, "insertions": 0, "deletions": 2, "reason": null, "detail": null, "beside": null},
    {"path": "d.txt", "outcome": "merged", "action": null, "safe": true, "binary": false, "insertions": 1, "deletions": 0, "reason": null, "detail": null, "beside": null},
    {"path": "e.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": 4, "deletions": 0, "reason": "lines", "detail": "2 conflicting hunks: edit the file and remove the markers", "beside": null},
    {"path": "e1.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": 2, "deletions": 0, "reason": "lines", "detail": "1 conflicting hunk: edit the file and remove the markers", "beside": null},
    {"path": "f.png", "outcome": "conflict", "action": null, "safe": false, "binary": true, "insertions": null, "deletions": null, "reason": "binary", "detail": "both changed this binary file: yours stays, the starter's is in f.png.quickscale-{V}", "beside": "f.png.quickscale-{V}"},
    {"path": "f2.dat", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "binary", "detail": "both changed this binary file: yours stays, the starter's is in f2.dat.quickscale-{V}", "beside": "f2.dat.quickscale-{V}"},
    {"path": "g.txt", "outcome": "keep", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": null, "detail": null, "beside": null},
    {"path": "gone.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "deleted_by_you", "detail": "you deleted it and the starter changed it: the starter's version is in gone.txt.quickscale-{V}", "beside": "gone.txt.quickscale-{V}"},
    {"path": "h.txt", "outcome": "unknown", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": null, "detail": null, "beside": null},
    {"path": "i.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "unresolved", "detail": "conflict markers from the last upgrade are still in it: resolve them first", "beside": null},
    {"path": "j.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "removed_by_starter", "detail": "the starter removed it and you changed it: yours stays; delete it if you no longer need it", "beside": null},
    {"path": "k", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "not_a_file", "detail": "a directory stands where the starter has a file: the starter's version is in k.quickscale-{V}", "beside": "k.quickscale-{V}"},
    {"path": "l.txt", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "base_unknown", "detail": "changed by both and the project's base starter is not in this quickscale's history: merge by hand from l.txt.quickscale-{V}", "beside": "l.txt.quickscale-{V}"},
    {"path": "logo.png", "outcome": "take", "action": "update", "safe": true, "binary": true, "insertions": null, "deletions": null, "reason": null, "detail": null, "beside": null},
    {"path": "run.sh", "outcome": "take", "action": "update", "safe": true, "binary": false, "insertions": 0, "deletions": 0, "reason": null, "detail": null, "beside": null},
    {"path": "uv.lock", "outcome": "conflict", "action": null, "safe": false, "binary": false, "insertions": null, "deletions": null, "reason": "lock", "detail": "lock file changed by both: yours stays; regenerate it with `uv lock`", "beside": null}
  ]
}
"#;

    const UPGRADE_PLAN: &str = r#"Upgrade plan for acme "x" to the starter of quickscale {V} (project on the 0.1.0 starter).
  a.txt  take (update)
  b.txt  take (add)
  c.txt  take (delete)
  d.txt  merge (clean)
  e.txt  conflict: 2 conflicting hunks: edit the file and remove the markers
  e1.txt  conflict: 1 conflicting hunk: edit the file and remove the markers
  f.png  conflict: both changed this binary file: yours stays, the starter's is in f.png.quickscale-{V}
  f2.dat  conflict: both changed this binary file: yours stays, the starter's is in f2.dat.quickscale-{V}
  g.txt  keep (yours)
  gone.txt  conflict: you deleted it and the starter changed it: the starter's version is in gone.txt.quickscale-{V}
  h.txt  keep (yours)
  i.txt  conflict: conflict markers from the last upgrade are still in it: resolve them first
  j.txt  conflict: the starter removed it and you changed it: yours stays; delete it if you no longer need it
  k  conflict: a directory stands where the starter has a file: the starter's version is in k.quickscale-{V}
  l.txt  conflict: changed by both and the project's base starter is not in this quickscale's history: merge by hand from l.txt.quickscale-{V}
  logo.png  take (update)
  run.sh  take (update)
  uv.lock  conflict: lock file changed by both: yours stays; regenerate it with `uv lock`
5 taken, 1 merged, 10 conflicts, 1 kept as you changed them.
note one
{NOTES}Nothing was written (--dry-run).
"#;

    const UPGRADE_DONE_HEAD: &str = r#"Upgraded acme "x" from 0.1.0 to quickscale {V}: 5 taken, 1 merged, 10 conflicts, 1 kept as you changed them.
note one

Conflicts to resolve:
"#;

    /// The conflicts as `upgrade` lists them, applied or not.
    const CONFLICT_LINES: &str = r#"  e.txt: 2 conflicting hunks: edit the file and remove the markers
  e1.txt: 1 conflicting hunk: edit the file and remove the markers
  f.png: both changed this binary file: yours stays, the starter's is in f.png.quickscale-{V}
  f2.dat: both changed this binary file: yours stays, the starter's is in f2.dat.quickscale-{V}
  gone.txt: you deleted it and the starter changed it: the starter's version is in gone.txt.quickscale-{V}
  i.txt: conflict markers from the last upgrade are still in it: resolve them first
  j.txt: the starter removed it and you changed it: yours stays; delete it if you no longer need it
  k: a directory stands where the starter has a file: the starter's version is in k.quickscale-{V}
  l.txt: changed by both and the project's base starter is not in this quickscale's history: merge by hand from l.txt.quickscale-{V}
  uv.lock: lock file changed by both: yours stays; regenerate it with `uv lock`
"#;

    const UPGRADE_NEXT: &str = r#"
Next:
  git diff                        # review what changed
  git grep -n '^<<<<<<< yours'    # find the conflict markers; edit each file, remove the markers
  uv lock                         # regenerate the lock file, then: uv sync
  uv run pytest                   # run the tests
  git add -A && git commit -m 'Upgrade to quickscale {V}'
{NOTES}"#;

    const UPGRADE_UNRESOLVED_HEAD: &str = r#"acme "x" has nothing new to take from the starter of quickscale {V}, but the last upgrade's conflicts are unresolved:
"#;

    #[test]
    fn patch_applies_the_starter_onto_yours_byte_for_byte() {
        let p = plan(vec![
            entry(
                "a.txt",
                Some("one\r\ntwo\r\n"),
                Outcome::Take(Take::Write(text("one\r\n2\r\n"))),
            ),
            entry("new.txt", None, Outcome::Take(Take::Write(text("fresh")))),
            entry("old.txt", Some("stale\n"), Outcome::Take(Take::Delete)),
            entry(
                "empty/__init__.py",
                None,
                Outcome::Take(Take::Write(text(""))),
            ),
            entry("mine.txt", Some("mine\n"), Outcome::Keep),
        ]);
        let (patch, left_out) = patch(&p, TimeLimit::NONE);
        let patch = strip(&patch);
        assert!(left_out.is_empty());
        assert!(
            patch.contains("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+2\r\n"),
            "{patch:?}"
        );
        assert!(patch.contains("new file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+fresh\n\\ No newline at end of file\n"), "{patch:?}");
        assert!(
            patch.contains(
                "deleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-stale\n"
            ),
            "{patch:?}"
        );
        assert!(
            patch.contains(
                "diff --git a/empty/__init__.py b/empty/__init__.py\nnew file mode 100644\n"
            ),
            "{patch:?}"
        );
        assert!(
            !patch.contains("mine.txt"),
            "your own edits are never in the patch"
        );
    }

    #[test]
    fn stat_counts_the_starters_change_onto_yours() {
        let p = plan(vec![
            entry(
                "a.txt",
                Some("1\n2\n3\n"),
                Outcome::Take(Take::Write(text("1\n2\n3\n4\n5\n"))),
            ),
            entry("b.txt", Some("x\ny\n"), Outcome::Take(Take::Delete)),
            entry("mine.txt", Some("mine\n"), Outcome::Keep),
        ]);
        let stat = strip(&stat(&p, 0, TimeLimit::NONE));
        assert!(stat.contains(" a.txt | take     +2 -0\n"), "{stat}");
        assert!(stat.contains(" b.txt | take     +0 -2\n"), "{stat}");
        assert!(!stat.contains("mine.txt"), "{stat}");
        assert!(
            stat.ends_with(" 2 files to take, 2 insertions(+), 2 deletions(-)\n"),
            "{stat}"
        );
    }

    #[test]
    fn json_escapes_and_counts() {
        let doc = json(
            &plan(vec![entry("a\"b.txt", Some("1\n"), Outcome::Keep)]),
            JsonFor::Diff { left_out: 0 },
            &[],
            TimeLimit::NONE,
        );
        assert!(doc.contains("\"project\": \"acme \\\"x\\\"\""), "{doc}");
        assert!(doc.contains("\"path\": \"a\\\"b.txt\", \"outcome\": \"keep\", \"action\": null, \"safe\": false"), "{doc}");
        assert!(doc.contains("\"up_to_date\": true"), "{doc}");
        assert!(doc.contains("\"counts\": {\"take\": 0, \"merged\": 0, \"conflict\": 0, \"keep\": 1, \"unknown\": 0}"), "{doc}");
    }

    #[test]
    fn summary_never_says_up_to_date_while_something_differs() {
        assert!(summary(&plan(vec![]), 0).contains("is up to date"));
        let filtered = strip(&summary(&plan(vec![]), 2));
        assert!(!filtered.contains("up to date"), "{filtered}");
        assert!(filtered.contains("leaves out 2 files"), "{filtered}");
        let local = strip(&summary(
            &plan(vec![entry("a", Some("1\n"), Outcome::Keep)]),
            0,
        ));
        assert!(
            local.contains("nothing to take") && local.contains("Changed by you only"),
            "{local}"
        );
        assert!(
            !local.contains("quickscale upgrade") && !local.contains("Resolve"),
            "no hint to take what is not there: {local}"
        );
    }

    #[test]
    fn the_first_line_says_what_is_known_of_the_base() {
        let first_line = |p: &Plan, hidden| {
            strip(&summary(p, hidden))
                .lines()
                .next()
                .unwrap()
                .to_owned()
        };
        let mut p = plan(vec![]);
        assert_eq!(
            first_line(&p, 2),
            format!("acme \"x\" has nothing to take without a decision from the starter of quickscale {QUICKSCALE_VERSION} (project on the 0.1.0 starter).")
        );
        assert!(
            strip(&summary(&p, 2)).contains("leaves out 2 files that need a decision"),
            "{}",
            summary(&p, 2)
        );
        p.entries = vec![entry("a", Some("1\n"), Outcome::Take(Take::Delete))];
        p.base_version = None;
        assert_eq!(
            first_line(&p, 0),
            format!(
                "acme \"x\": 1 file to take from the starter of quickscale {QUICKSCALE_VERSION} \
                 (project on the starter sha256:00 recorded by quickscale 0.1.0, which is not in \
                 this quickscale's history: only files you never changed can be taken automatically)."
            )
        );
        assert!(
            !summary(&p, 0).contains("--safe-only"),
            "nothing was left out"
        );
        p.made_with = None;
        let text = strip(&summary(&p, 0));
        assert!(
            text.starts_with(&format!(
                "acme \"x\": 1 file to take from the starter of quickscale {QUICKSCALE_VERSION}.\n\
                 No .quickscale.toml: quickscale cannot tell which side changed each file.\n"
            )),
            "{text}"
        );
    }

    #[test]
    fn files_changed_by_you_alone_ask_nothing_of_you() {
        let p = plan(vec![entry("README.md", Some("ours\n"), Outcome::Keep)]);
        let text = strip(&summary(&p, 0));
        assert!(
            text.starts_with("acme \"x\" has nothing to take from"),
            "{text}"
        );
        assert!(text.ends_with("  README.md\n"), "{text}");
        assert!(!text.contains("remove the markers"), "{text}");
    }

    #[test]
    fn add_says_what_the_module_needs_next() {
        let p = plan(vec![entry(
            "uv.lock",
            Some("1\n"),
            Outcome::Take(Take::Write(text("2\n"))),
        )]);
        let done = strip(&add_done(
            &p,
            "billing",
            &["STRIPE_TEST_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
            &[],
            true,
        ));
        assert!(
            done.starts_with("Added the module billing to acme \"x\": 1 taken, 0 merged"),
            "{done}"
        );
        assert!(
            done.contains(
                "  uv sync                         # install the new dependencies\n\
                 \x20 # set STRIPE_TEST_SECRET_KEY, STRIPE_WEBHOOK_SECRET in .env and on every server (.env.example shows each)\n"
            ),
            "{done}"
        );
        assert!(
            done.ends_with("  git add -A && git commit -m 'Add the billing module'\n"),
            "{done}"
        );
        assert_eq!(
            add_done(&p, "billing", &[], &[], false),
            "acme \"x\" already has the module billing; nothing to do.\n"
        );
    }

    #[test]
    fn unresolved_markers_alone_ask_to_be_resolved() {
        let p = plan(vec![entry(
            "i.txt",
            Some("<<<\n"),
            conflict(Reason::Unresolved, None, None),
        )]);
        let text = strip(&summary(&p, 0));
        assert!(
            text.ends_with(
                "  i.txt (conflict markers from the last upgrade are still in it: resolve them first)\n\
                 \nEdit each file, remove the markers and commit.\n"
            ),
            "no release notes and no upgrade to run: {text}"
        );
        // Said as upgrade says it, not as files to take.
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            format!(
                "acme \"x\" has nothing new to take from the starter of quickscale \
                 {QUICKSCALE_VERSION}, but the last upgrade's conflicts are unresolved \
                 (project on the 0.1.0 starter)."
            )
        );
        assert!(
            strip(&upgrade_done(&p, "0.1.0", &[], false)).starts_with(&format!(
                "acme \"x\" has nothing new to take from the starter of quickscale \
             {QUICKSCALE_VERSION}, but the last upgrade's conflicts are unresolved:\n"
            ))
        );
    }

    #[test]
    fn safe_only_views_say_what_they_left_out() {
        let p = plan(vec![entry("a", Some("1\n"), Outcome::Take(Take::Delete))]);
        assert!(strip(&stat(&p, 2, TimeLimit::NONE)).ends_with(
            " 1 file to take, 0 insertions(+), 1 deletion(-)\n\
             --safe-only leaves out 2 files that need a decision; `quickscale diff` lists them.\n"
        ));
        assert!(!stat(&p, 0, TimeLimit::NONE).contains("--safe-only"));
        let empty = plan(vec![]);
        let doc = json(&empty, JsonFor::Diff { left_out: 1 }, &[], TimeLimit::NONE);
        assert!(
            doc.contains("  \"up_to_date\": false,\n  \"left_out\": 1,\n"),
            "something is left: {doc}"
        );
    }

    #[test]
    fn migrate_is_next_when_migrations_or_installed_apps_change() {
        let next = |entries: Vec<Entry>| strip(&upgrade_done(&plan(entries), "0.1.0", &[], true));
        const MIGRATE: &str = "uv run python manage.py migrate #";
        let settings = |before: &str, after: &str| {
            entry(
                "config/settings/base.py",
                Some(before),
                Outcome::Merged(text(after)),
            )
        };
        let apps = "X = 1\nINSTALLED_APPS = [\n    \"a\",  # first\n]\nTIME_ZONE = \"UTC\"\n";
        // 0.2.0's django-allauth came in through INSTALLED_APPS alone.
        let with_allauth = apps.replace("]\n", "    \"allauth\",\n]\n");
        assert!(next(vec![settings(apps, &with_allauth)]).contains(MIGRATE));
        // Another setting, or a comment in the list, needs no migrate.
        let other = apps
            .replace("UTC", "Europe/Paris")
            .replace("# first", "# one");
        assert!(!next(vec![settings(apps, &other)]).contains(MIGRATE));
        // Only a settings module's list counts: one in any other file, Python
        // or not, is not Django's.
        let merged = |path: &str| entry(path, Some(apps), Outcome::Merged(text(&with_allauth)));
        assert!(next(vec![merged("acme/settings.py")]).contains(MIGRATE));
        for elsewhere in ["acme/blog/apps_list.py", "config/settings/README.md"] {
            assert!(
                !next(vec![merged(elsewhere)]).contains(MIGRATE),
                "{elsewhere}"
            );
        }
        // A migration written (added or updated), wherever the app is.
        for path in [
            "acme/users/migrations/0002_x.py",
            "acme/blog/migrations/__init__.py",
        ] {
            let added = entry(path, None, Outcome::Take(Take::Write(text("m\n"))));
            assert!(next(vec![added]).contains(MIGRATE), "{path}");
        }
        // Not migrations: an app template's, a deleted one, a file named so.
        for kept in [
            entry(
                "acme/core/app_template/migrations/__init__.py-tpl",
                None,
                Outcome::Take(Take::Write(text("\n"))),
            ),
            entry(
                "acme/users/migrations/0001_x.py",
                Some("m\n"),
                Outcome::Take(Take::Delete),
            ),
            entry(
                "docs/migrations.md",
                None,
                Outcome::Take(Take::Write(text("m\n"))),
            ),
        ] {
            assert!(!next(vec![kept.clone()]).contains(MIGRATE), "{}", kept.path);
        }
    }

    #[test]
    fn upgrade_plan_colours_by_outcome() {
        let p = plan(vec![
            entry("a", Some("1\n"), Outcome::Take(Take::Delete)),
            entry("c", Some("1\n"), conflict(Reason::Unresolved, None, None)),
            entry("k", Some("1\n"), Outcome::Keep),
            entry("m", Some("1\n"), Outcome::Merged(text("2\n"))),
        ]);
        let text = upgrade_plan(&p, None, &[]);
        for (style, path) in [(GREEN, "a"), (RED, "c"), (YELLOW, "k"), (GREEN, "m")] {
            assert!(
                text.contains(&format!("  {}  ", paint(style, path))),
                "{path}: {text:?}"
            );
        }
    }

    #[test]
    fn nothing_to_do_is_said_plainly() {
        let p = plan(vec![]);
        assert_eq!(
            strip(&upgrade_plan(&p, None, &[])),
            format!(
                "Upgrade plan for acme \"x\" to the starter of quickscale {QUICKSCALE_VERSION} \
                 (project on the 0.1.0 starter).\nNothing to do: the project is up to date.\n"
            )
        );
        assert_eq!(
            upgrade_done(&p, "0.1.0", &[], false),
            format!("acme \"x\" is up to date with the starter of quickscale {QUICKSCALE_VERSION}; nothing to do.\n")
        );
        let doc = json(&p, JsonFor::Diff { left_out: 0 }, &[], TimeLimit::NONE);
        assert!(
            doc.contains("\"command\": \"diff\",\n  \"applied\": false,"),
            "{doc}"
        );
        assert!(
            checked_release_notes(&doc).ends_with(
                "  \"up_to_date\": true,\n  \"left_out\": 0,\n  \"counts\": {\"take\": 0, \"merged\": 0, \"conflict\": 0, \"keep\": 0, \"unknown\": 0},\n  \
                 \"notes\": [],\n  \"files\": []\n}\n"
            ),
            "{doc}"
        );
    }

    #[test]
    fn an_upgrade_relocks_when_it_merged_the_dependencies() {
        let pyproject = |outcome| entry("pyproject.toml", Some("1\n"), outcome);
        let merged = plan(vec![pyproject(Outcome::Merged(text("2\n")))]);
        assert_eq!(
            strip(&upgrade_done(&merged, "0.1.0", &[], true)),
            golden(
                "Upgraded acme \"x\" from 0.1.0 to quickscale {V}: 0 taken, 1 merged, 0 conflicts, 0 kept as you changed them.\n\
                 \n\
                 Next:\n\
                 \x20 git diff                        # review what changed\n\
                 \x20 uv lock                         # regenerate the lock file, then: uv sync\n\
                 \x20 uv run pytest                   # run the tests\n\
                 \x20 git add -A && git commit -m 'Upgrade to quickscale {V}'\n\
                 {NOTES}"
            )
        );
        let conflicted = plan(vec![pyproject(conflict(
            Reason::Lines(1),
            Some("x\n"),
            None,
        ))]);
        assert!(upgrade_done(&conflicted, "0.1.0", &[], true).contains("uv lock"));
        // A lock taken from the starter matches a pyproject.toml taken from it:
        // the new dependencies only need installing, and a pyproject.toml taken
        // alone changed no dependency.
        let taken = |path: &str| entry(path, Some("1\n"), Outcome::Take(Take::Write(text("2\n"))));
        for (p, installs) in [
            (plan(vec![taken("pyproject.toml")]), false),
            (plan(vec![taken("pyproject.toml"), taken("uv.lock")]), true),
            (plan(vec![taken("uv.lock")]), true),
            (plan(vec![taken("README.md")]), false),
            (plan(vec![pyproject(Outcome::Keep)]), false),
        ] {
            let done = upgrade_done(&p, "0.1.0", &[], true);
            assert!(!done.contains("uv lock"), "{done}");
            assert!(!done.contains("git grep"), "{done}");
            assert_eq!(
                done.contains("  uv sync                         # install the new dependencies\n"),
                installs,
                "{done}"
            );
        }
    }

    #[test]
    fn control_characters_in_paths_are_escaped() {
        let p = plan(vec![entry(
            "evil\u{1b}[31m\npath",
            Some("1\n"),
            Outcome::Take(Take::Delete),
        )]);
        for text in [
            summary(&p, 0),
            name_only(&p),
            stat(&p, 0, TimeLimit::NONE),
            upgrade_plan(&p, None, &[]),
        ] {
            let plain = strip(&text);
            assert!(!plain.contains("\u{1b}[31m\n"), "{text:?}");
            assert!(plain.contains("evil\\u{1b}[31m\\npath"), "{plain:?}");
        }
    }
}
