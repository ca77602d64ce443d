//! Differential test of `quickscale::merge` against `git merge-file --diff3`.
//!
//! Scenarios are generated from the real starter files: both sides edit the
//! same, adjacent or distant lines, insert at either end, delete blocks,
//! duplicate lines (which makes the diff alignment ambiguous), in LF and CRLF
//! versions, with and without a final newline. Each scenario has its own
//! seed, printed on failure, so it can be reproduced alone.
//!
//! The contract: where git merges cleanly, ours gives the same bytes and no
//! conflict; where git conflicts, ours conflicts, and every conflict hunk has
//! the four diff3 markers in order.

use std::fs;
use std::path::Path;
use std::process::Command;

use quickscale::merge::{merge3, Labels, Merged};

use crate::support::repo_root;

const LABELS: Labels<'static> = Labels {
    yours: "yours",
    base: "quickscale 0.1.0",
    theirs: "quickscale 0.2.0",
};

/// splitmix64: tiny, deterministic, good enough to pick lines and edits.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5151_7151_2024_0001)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A file as lines without terminators, plus how it is written out.
#[derive(Clone)]
struct Text {
    lines: Vec<Vec<u8>>,
}

impl Text {
    fn parse(bytes: &[u8]) -> Text {
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        Text {
            lines: body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect(),
        }
    }

    fn write(&self, crlf: bool, final_newline: bool) -> Vec<u8> {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            out.extend_from_slice(line);
            if i + 1 < self.lines.len() || final_newline {
                out.extend_from_slice(eol);
            }
        }
        out
    }
}

/// One edit of a side, applied to its copy of base.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Vec<u8>),
    Insert(usize, Vec<Vec<u8>>),
    Delete(usize, usize),
    /// Inserts a copy of line `.0` at `.1`: repeated lines are where diff
    /// alignment is ambiguous.
    Duplicate(usize, usize),
}

impl Edit {
    fn apply(&self, text: &mut Text) {
        let lines = &mut text.lines;
        match self {
            Edit::Replace(at, line) => lines[*at] = line.clone(),
            Edit::Insert(at, new) => {
                lines.splice(*at..*at, new.iter().cloned());
            }
            Edit::Delete(at, count) => {
                lines.drain(*at..(*at + count).min(lines.len()));
            }
            Edit::Duplicate(from, at) => {
                let line = lines[*from].clone();
                lines.insert(*at, line);
            }
        }
    }
}

/// A new line for a side: an edit of an existing line or a fresh one.
fn new_line(rng: &mut Rng, base: &Text, tag: &str) -> Vec<u8> {
    let mut line = match rng.below(4) {
        0 => Vec::new(),
        1 => format!("value_{} = {}", rng.below(50), rng.below(1000)).into_bytes(),
        _ => base.lines[rng.below(base.lines.len())].clone(),
    };
    line.extend_from_slice(format!("  # {tag} {}", rng.below(3)).as_bytes());
    line
}

/// A random edit at or after `at` (clamped into the file).
fn random_edit(rng: &mut Rng, base: &Text, at: usize, tag: &str) -> Edit {
    let len = base.lines.len();
    let at = at.min(len - 1);
    match rng.below(4) {
        0 => Edit::Replace(at, new_line(rng, base, tag)),
        1 => {
            let count = 1 + rng.below(3);
            Edit::Insert(at, (0..count).map(|_| new_line(rng, base, tag)).collect())
        }
        2 => Edit::Delete(at, 1 + rng.below(3)),
        _ => {
            let from = at.saturating_sub(rng.below(3));
            Edit::Duplicate(from, (from + rng.below(3)).min(len))
        }
    }
}

/// The kinds of scenario, taken in turn.
const KINDS: &[&str] = &[
    "distant",
    "same line, different edits",
    "same line, identical edit",
    "adjacent lines",
    "insertions at the ends",
    "deletions",
    "repeated lines",
    "random mix",
];

/// Applies edits to a copy of base, last position first so that earlier
/// positions stay valid.
fn edited(base: &Text, mut edits: Vec<(usize, Edit)>) -> Text {
    edits.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut text = base.clone();
    for (_, edit) in edits {
        if !text.lines.is_empty() {
            edit.apply(&mut text);
        }
    }
    text
}

fn position(edit: &Edit) -> usize {
    match edit {
        Edit::Replace(at, _) | Edit::Insert(at, _) | Edit::Delete(at, _) => *at,
        Edit::Duplicate(_, at) => *at,
    }
}

fn keyed(edits: Vec<Edit>) -> Vec<(usize, Edit)> {
    edits.into_iter().map(|e| (position(&e), e)).collect()
}

/// Yours and theirs for scenario `kind` on `base`.
fn sides(rng: &mut Rng, base: &Text, kind: usize) -> (Text, Text) {
    let len = base.lines.len();
    let (yours, theirs): (Vec<Edit>, Vec<Edit>) = match KINDS[kind] {
        "distant" => {
            let a = rng.below(len.div_ceil(3));
            let b = len - 1 - rng.below(len.div_ceil(3));
            (
                vec![random_edit(rng, base, a, "yours")],
                vec![random_edit(rng, base, b, "theirs")],
            )
        }
        "same line, different edits" => {
            let at = rng.below(len);
            (
                vec![Edit::Replace(at, new_line(rng, base, "yours"))],
                vec![Edit::Replace(at, new_line(rng, base, "theirs"))],
            )
        }
        "same line, identical edit" => {
            let at = rng.below(len);
            let edit = random_edit(rng, base, at, "both");
            let mut theirs = vec![edit.clone()];
            if rng.chance(50) {
                let far = (at + len / 2) % len;
                theirs.push(random_edit(rng, base, far, "theirs"));
            }
            (vec![edit], theirs)
        }
        "adjacent lines" => {
            let at = rng.below(len);
            let gap = rng.below(3);
            let (a, b) = if rng.chance(50) {
                (at, at + gap)
            } else {
                (at + gap, at)
            };
            (
                vec![random_edit(rng, base, a, "yours")],
                vec![random_edit(rng, base, b, "theirs")],
            )
        }
        "insertions at the ends" => {
            let start = Edit::Insert(0, vec![new_line(rng, base, "yours")]);
            let end = Edit::Insert(len, vec![new_line(rng, base, "theirs")]);
            match rng.below(4) {
                0 => (vec![start], vec![end]),
                1 => (vec![end], vec![start]),
                2 => (
                    vec![start],
                    vec![Edit::Insert(0, vec![new_line(rng, base, "theirs")])],
                ),
                _ => (vec![end.clone()], vec![end]),
            }
        }
        "deletions" => {
            let at = rng.below(len);
            let other = if rng.chance(50) {
                at + rng.below(4)
            } else {
                rng.below(len)
            };
            let theirs = if rng.chance(50) {
                Edit::Delete(other.min(len - 1), 1 + rng.below(2))
            } else {
                random_edit(rng, base, other, "theirs")
            };
            (vec![Edit::Delete(at, 1 + rng.below(4))], vec![theirs])
        }
        "repeated lines" => {
            let at = rng.below(len);
            let near = (at + rng.below(5)).min(len - 1);
            (
                vec![Edit::Duplicate(at, (at + rng.below(2)).min(len))],
                vec![Edit::Duplicate(near, (near + 1).min(len))],
            )
        }
        _ => {
            let mut pick = |tag: &str| -> Vec<Edit> {
                // Distinct positions, so that the edits do not trample each other.
                let mut at: Vec<usize> = (0..1 + rng.below(4)).map(|_| rng.below(len)).collect();
                at.sort_unstable();
                at.dedup();
                at.into_iter()
                    .map(|p| random_edit(rng, base, p, tag))
                    .collect()
            };
            (pick("yours"), pick("theirs"))
        }
    };
    (edited(base, keyed(yours)), edited(base, keyed(theirs)))
}

/// How the three files are written: line endings and final newlines.
struct Form {
    crlf: [bool; 3],
    final_newline: [bool; 3],
}

fn form(rng: &mut Rng) -> Form {
    let crlf = match rng.below(10) {
        0..=5 => [false; 3],
        6..=8 => [true; 3],
        // A user who converted the file to CRLF.
        _ => [false, true, false],
    };
    let final_newline = match rng.below(10) {
        0..=4 => [true; 3],
        5 => [false; 3],
        6 => [true, false, true],
        7 => [true, true, false],
        8 => [false, true, true],
        _ => [false, false, true],
    };
    Form {
        crlf,
        final_newline,
    }
}

/// The real starter's text files, sorted, as the material for scenarios.
fn starter_files() -> Vec<(String, Text)> {
    let root = repo_root().join("starter");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() >= 10, "starter/ has text files");
    files
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Text)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        // git refuses to merge what it takes for binary; so would upgrade.
        if bytes.is_empty() || bytes.contains(&0) || bytes.contains(&b'\r') {
            continue;
        }
        let name = path.strip_prefix(root).unwrap().display().to_string();
        out.push((name, Text::parse(&bytes)));
    }
}

/// What git made of one scenario: the exit code (0 clean, N conflicts) and
/// the merged bytes.
struct GitMerge {
    conflicts: i32,
    bytes: Vec<u8>,
}

fn git_merge_file(dir: &Path, base: &[u8], yours: &[u8], theirs: &[u8]) -> GitMerge {
    for (name, bytes) in [("base", base), ("yours", yours), ("theirs", theirs)] {
        fs::write(dir.join(name), bytes).unwrap();
    }
    let output = Command::new("git")
        .args(["merge-file", "--diff3", "-p"])
        .args(["-L", LABELS.yours, "-L", LABELS.base, "-L", LABELS.theirs])
        .args(["yours", "base", "theirs"])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("git merge-file runs ({e}): apt-get install git"));
    let code = output.status.code().expect("git merge-file exits");
    assert!(
        (0..127).contains(&code),
        "git merge-file failed ({code}): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    GitMerge {
        conflicts: code,
        bytes: output.stdout,
    }
}

/// Counts conflict hunks, checking that each has its four markers in order,
/// each at the start of a line. Err names the first malformed hunk.
fn conflict_hunks(bytes: &[u8]) -> Result<usize, String> {
    let markers = [
        format!("<<<<<<< {}", LABELS.yours),
        format!("||||||| {}", LABELS.base),
        "=======".to_owned(),
        format!(">>>>>>> {}", LABELS.theirs),
    ];
    let mut expected = 0;
    let mut hunks = 0;
    for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(found) = markers.iter().position(|m| line == m.as_bytes()) {
            if found != expected {
                return Err(format!(
                    "line {}: {:?} where {:?} was due",
                    number + 1,
                    markers[found],
                    markers[expected]
                ));
            }
            expected = (expected + 1) % markers.len();
            if expected == 0 {
                hunks += 1;
            }
        }
    }
    if expected != 0 {
        return Err(format!(
            "unterminated hunk, {:?} missing",
            markers[expected]
        ));
    }
    Ok(hunks)
}

/// Totals over all scenarios, printed at the end.
#[derive(Default)]
struct Tally {
    clean: usize,
    conflicted: usize,
    same_conflict_count: usize,
    same_conflict_bytes: usize,
}

/// Runs one scenario; Err describes a disagreement with git.
fn check(
    dir: &Path,
    base: &[u8],
    yours: &[u8],
    theirs: &[u8],
    tally: &mut Tally,
) -> Result<(), String> {
    let git = git_merge_file(dir, base, yours, theirs);
    let ours: Merged = merge3(base, yours, theirs, &LABELS);
    if git.conflicts == 0 {
        tally.clean += 1;
        if ours.conflicts != 0 {
            return Err(format!(
                "git merged cleanly, ours has {} conflicts",
                ours.conflicts
            ));
        }
        if ours.bytes != git.bytes {
            return Err(format!(
                "clean merges differ\n--- git\n{}\n--- ours\n{}",
                String::from_utf8_lossy(&git.bytes),
                String::from_utf8_lossy(&ours.bytes)
            ));
        }
        return Ok(());
    }
    tally.conflicted += 1;
    if ours.conflicts == 0 {
        return Err(format!(
            "git has {} conflicts, ours merged cleanly\n--- git\n{}\n--- ours\n{}",
            git.conflicts,
            String::from_utf8_lossy(&git.bytes),
            String::from_utf8_lossy(&ours.bytes)
        ));
    }
    let hunks = conflict_hunks(&ours.bytes)?;
    if conflict_hunks(&git.bytes) == Ok(git.conflicts as usize) && hunks != ours.conflicts {
        return Err(format!(
            "{} conflicts reported, {hunks} hunks written",
            ours.conflicts
        ));
    }
    if ours.conflicts == git.conflicts as usize {
        tally.same_conflict_count += 1;
    }
    if ours.bytes == git.bytes {
        tally.same_conflict_bytes += 1;
    }
    Ok(())
}

/// Scenarios built from starter files: at least 200 by the contract; more
/// are cheap.
const STARTER_SCENARIOS: u64 = 480;

#[test]
fn merge_agrees_with_git_merge_file_on_starter_scenarios() {
    let files = starter_files();
    let dir = tempfile::tempdir().unwrap();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for seed in 0..STARTER_SCENARIOS {
        let mut rng = Rng::new(seed);
        let (name, base) = &files[rng.below(files.len())];
        let kind = seed as usize % KINDS.len();
        let (yours, theirs) = sides(&mut rng, base, kind);
        let form = form(&mut rng);
        let write = |text: &Text, i: usize| text.write(form.crlf[i], form.final_newline[i]);
        let (base_bytes, yours_bytes, theirs_bytes) =
            (write(base, 0), write(&yours, 1), write(&theirs, 2));
        if let Err(why) = check(
            dir.path(),
            &base_bytes,
            &yours_bytes,
            &theirs_bytes,
            &mut tally,
        ) {
            failures.push(format!(
                "seed {seed} ({}, starter/{name}): {why}",
                KINDS[kind]
            ));
        }
    }
    eprintln!(
        "{STARTER_SCENARIOS} scenarios: git clean {}, git conflicted {} (ours: same conflict count {}, same bytes {})",
        tally.clean, tally.conflicted, tally.same_conflict_count, tally.same_conflict_bytes
    );
    assert!(
        failures.is_empty(),
        "{} disagreements with git:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        tally.clean >= 50 && tally.conflicted >= 50,
        "scenarios cover both outcomes"
    );
}
