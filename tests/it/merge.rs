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

use quickscale::merge::{line_changes, merge3, Labels, LineChange, Merged};

use crate::support::{repo_root, SplitMix};

const LABELS: Labels<'static> = Labels {
    yours: "yours",
    base: "quickscale 0.1.0",
    theirs: "quickscale 0.2.0",
};

/// The shared splitmix64, with the draws these scenarios need.
struct Rng(SplitMix);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng::from_state(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5151_7151_2024_0001)
    }

    fn from_state(state: u64) -> Self {
        Rng(SplitMix(state))
    }

    fn next(&mut self) -> u64 {
        self.0.next()
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
    /// Replaces `.1` lines from `.0` with new ones.
    Rewrite(usize, usize, Vec<Vec<u8>>),
}

impl Edit {
    /// Applies the edit; positions past the end (an earlier edit of the
    /// same side shortened the file) are clamped to it.
    fn apply(&self, text: &mut Text) {
        let lines = &mut text.lines;
        let len = lines.len();
        match self {
            Edit::Replace(at, line) => {
                if let Some(old) = lines.get_mut(*at) {
                    *old = line.clone();
                }
            }
            Edit::Insert(at, new) => {
                lines.splice((*at).min(len)..(*at).min(len), new.iter().cloned());
            }
            Edit::Delete(at, count) => {
                lines.drain((*at).min(len)..(*at + count).min(len));
            }
            Edit::Duplicate(from, at) => {
                if let Some(line) = lines.get(*from).cloned() {
                    lines.insert((*at).min(len), line);
                }
            }
            Edit::Rewrite(at, count, new) => {
                lines.splice((*at).min(len)..(*at + count).min(len), new.iter().cloned());
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

/// A rewritten block of 8 to 24 lines: mostly new lines, with some lines
/// found all over a file (blank lines, the base's own lines). A common line
/// amid new ones is what git's diff leaves out of its search.
fn rewrite(rng: &mut Rng, base: &Text, at: usize, tag: &str) -> Edit {
    let count = 8 + rng.below(17);
    let new = (0..count)
        .map(|n| match rng.below(20) {
            0..=2 => Vec::new(),
            3 => base.lines[rng.below(base.lines.len())].clone(),
            _ => format!("{tag} rewrote line {n}").into_bytes(),
        })
        .collect();
    Edit::Rewrite(at, 1 + rng.below(count), new)
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
    "rewritten blocks",
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
        Edit::Replace(at, _)
        | Edit::Insert(at, _)
        | Edit::Delete(at, _)
        | Edit::Rewrite(at, _, _) => *at,
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
        "rewritten blocks" => {
            let at = rng.below(len);
            let other = if rng.chance(50) {
                (at + rng.below(20)).min(len - 1)
            } else {
                rng.below(len)
            };
            let theirs = if rng.chance(50) {
                rewrite(rng, base, other, "theirs")
            } else {
                random_edit(rng, base, other, "theirs")
            };
            (vec![rewrite(rng, base, at, "yours")], vec![theirs])
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
    // The exit code is the number of conflicts, capped at 127; above that,
    // an error.
    assert!(
        (0..=127).contains(&code),
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

/// Runs one scenario; Err describes a disagreement with git.
///
/// Beyond the contract (git clean: same bytes; git conflicted: ours
/// conflicted, with well-formed hunks), ours also writes git's conflicted
/// bytes, since it lines up the changes exactly as git does: a drift in the
/// alignment shows here long before it changes a clean merge.
fn check(dir: &Path, base: &[u8], yours: &[u8], theirs: &[u8]) -> Result<Outcome, String> {
    let git = git_merge_file(dir, base, yours, theirs);
    let ours: Merged = merge3(base, yours, theirs, &LABELS);
    let show = |why: String| {
        format!(
            "{why}\n--- git\n{}\n--- ours\n{}",
            String::from_utf8_lossy(&git.bytes),
            String::from_utf8_lossy(&ours.bytes)
        )
    };
    if git.conflicts == 0 {
        if ours.conflicts != 0 {
            return Err(show(format!(
                "git merged cleanly, ours has {} conflicts",
                ours.conflicts
            )));
        }
        if ours.bytes != git.bytes {
            return Err(show("clean merges differ".to_owned()));
        }
        return Ok(Outcome::Clean);
    }
    if ours.conflicts == 0 {
        return Err(show(format!(
            "git has {} conflicts, ours merged cleanly",
            git.conflicts
        )));
    }
    let hunks =
        conflict_hunks(&ours.bytes).map_err(|why| show(format!("malformed conflict: {why}")))?;
    if hunks != ours.conflicts && conflict_hunks(&git.bytes) == Ok(git.conflicts as usize) {
        return Err(show(format!(
            "{} conflicts reported, {hunks} hunks written",
            ours.conflicts
        )));
    }
    if ours.bytes != git.bytes {
        return Err(show("conflicted merges differ".to_owned()));
    }
    Ok(Outcome::Conflicted)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Clean,
    Conflicted,
}

/// Checks every scenario against git, then fails with every disagreement,
/// each with its seed. Returns (clean, conflicted) as git saw them.
fn run_scenarios(
    what: &str,
    seeds: std::ops::Range<u64>,
    scenario: impl Fn(u64) -> Scenario,
) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut clean, mut conflicted) = (0, 0);
    let mut failures = Vec::new();
    let count = seeds.end - seeds.start;
    for seed in seeds {
        let s = scenario(seed);
        match check(dir.path(), &s.base, &s.yours, &s.theirs) {
            Ok(Outcome::Clean) => clean += 1,
            Ok(Outcome::Conflicted) => conflicted += 1,
            Err(why) => failures.push(format!(
                "seed {seed} ({}): {why}\nbase {:?}\nyours {:?}\ntheirs {:?}",
                s.name,
                String::from_utf8_lossy(&s.base),
                String::from_utf8_lossy(&s.yours),
                String::from_utf8_lossy(&s.theirs),
            )),
        }
    }
    eprintln!(
        "{what}: {count} scenarios, git merged {clean} cleanly and {conflicted} with conflicts"
    );
    assert!(
        failures.is_empty(),
        "{what}: {} of {count} scenarios disagree with git:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    (clean, conflicted)
}

/// One generated merge: a description and the three files.
struct Scenario {
    name: String,
    base: Vec<u8>,
    yours: Vec<u8>,
    theirs: Vec<u8>,
}

impl Scenario {
    fn new(name: String, texts: [&Text; 3], form: &Form) -> Scenario {
        let write = |i: usize| texts[i].write(form.crlf[i], form.final_newline[i]);
        Scenario {
            name,
            base: write(0),
            yours: write(1),
            theirs: write(2),
        }
    }
}

/// Scenarios built from starter files: at least 200 by the contract; more
/// are cheap.
const STARTER_SCENARIOS: u64 = 540;

#[test]
fn merge_agrees_with_git_merge_file_on_starter_scenarios() {
    let files = starter_files();
    let (clean, conflicted) = run_scenarios("starter files", 0..STARTER_SCENARIOS, |seed| {
        let mut rng = Rng::new(seed);
        let (name, base) = &files[rng.below(files.len())];
        let kind = seed as usize % KINDS.len();
        let (yours, theirs) = sides(&mut rng, base, kind);
        let form = form(&mut rng);
        Scenario::new(
            format!("{}, starter/{name}", KINDS[kind]),
            [base, &yours, &theirs],
            &form,
        )
    });
    assert!(
        clean >= 100 && conflicted >= 100,
        "scenarios cover both outcomes"
    );
}

/// Scenarios on tiny files over a five-line alphabet: nearly every line
/// repeats, so diff alignment is ambiguous almost everywhere. This is where
/// a merge built on a different diff than git's would drift from git.
const REPEATED_LINE_SCENARIOS: u64 = 1000;

#[test]
fn merge_agrees_with_git_merge_file_on_files_of_repeated_lines() {
    let alphabet: [&[u8]; 5] = [b"a", b"b", b"c", b"", b"}"];
    let line = |rng: &mut Rng| alphabet[rng.below(alphabet.len())].to_vec();
    run_scenarios("repeated lines", 0..REPEATED_LINE_SCENARIOS, |seed| {
        let mut rng = Rng::new(seed ^ 0x0A1F_ABE7);
        let base = Text {
            lines: (0..1 + rng.below(12)).map(|_| line(&mut rng)).collect(),
        };
        let side = |rng: &mut Rng| {
            let mut text = base.clone();
            for _ in 0..1 + rng.below(3) {
                let len = text.lines.len();
                match rng.below(3) {
                    0 if len > 0 => {
                        let at = rng.below(len);
                        text.lines[at] = line(rng);
                    }
                    1 if len > 0 => {
                        text.lines.remove(rng.below(len));
                    }
                    _ => {
                        let at = rng.below(len + 1);
                        let new = line(rng);
                        text.lines.insert(at, new);
                    }
                }
            }
            text
        };
        let (yours, theirs) = (side(&mut rng), side(&mut rng));
        let form = form(&mut rng);
        Scenario::new("repeated lines".to_owned(), [&base, &yours, &theirs], &form)
    });
}

/// Large inputs where the search is expensive enough for git's bounds to
/// decide the alignment: all starter files in one, each side with 1,500
/// random edits (the search stops at its cost limit and splits where it got
/// furthest); 40,000 lines with a transposition every twenty-odd lines on
/// each side (long matching runs between the changes: git's "good snake"
/// shortcut).
#[test]
fn merge_agrees_with_git_merge_file_on_expensive_diffs() {
    let files = starter_files();
    let pool: Vec<Vec<u8>> = files
        .iter()
        .flat_map(|(_, text)| text.lines.clone())
        .collect();
    run_scenarios("many scattered edits", 0..2, |seed| {
        let mut rng = Rng::new(seed ^ 0xB16);
        let base = Text {
            lines: pool.clone(),
        };
        let side = |rng: &mut Rng| {
            let mut text = base.clone();
            for _ in 0..1500 {
                let len = text.lines.len();
                let new = pool[rng.below(pool.len())].clone();
                match rng.below(3) {
                    0 => text.lines[rng.below(len)] = new,
                    1 => {
                        text.lines.remove(rng.below(len));
                    }
                    _ => text.lines.insert(rng.below(len + 1), new),
                }
            }
            text
        };
        let (yours, theirs) = (side(&mut rng), side(&mut rng));
        Scenario::new(
            "many scattered edits".to_owned(),
            [&base, &yours, &theirs],
            &form(&mut rng),
        )
    });
    run_scenarios("transpositions in 40,000 lines", 0..2, |seed| {
        let mut rng = Rng::new(seed ^ 0x5AA4E);
        let base = Text {
            lines: (0..40_000)
                .map(|i| format!("line {i}").into_bytes())
                .collect(),
        };
        let side = |rng: &mut Rng| {
            let mut text = base.clone();
            let step = 21 + rng.below(10);
            let mut at = rng.below(step);
            while at + 3 < text.lines.len() {
                text.lines.swap(at, at + 1 + rng.below(3));
                at += step + rng.below(4);
            }
            text
        };
        let (yours, theirs) = (side(&mut rng), side(&mut rng));
        Scenario::new(
            "transpositions".to_owned(),
            [&base, &yours, &theirs],
            &form(&mut rng),
        )
    });
}

/// `git diff -U0` of two files: its hunk headers, as [`LineChange`]s.
///
/// The options are those `git merge-file` diffs with: no indent heuristic,
/// Myers, binary detection off. `-U0` is the one way to see every change
/// apart, but with it git first trims the files' common tail, which would
/// change what the diff searches: callers end the two files differently.
fn git_diff_u0(dir: &Path, base: &[u8], side: &[u8]) -> Vec<LineChange> {
    let last_kib = |bytes: &[u8]| bytes.last_chunk::<1024>().copied();
    assert!(
        last_kib(base).is_none() || last_kib(base) != last_kib(side),
        "the files' last 1,024 bytes are alike: git would trim them"
    );
    fs::write(dir.join("base"), base).unwrap();
    fs::write(dir.join("side"), side).unwrap();
    let output = Command::new("git")
        .args(["diff", "--no-index", "--no-color", "--text", "-U0"])
        .args(["--no-indent-heuristic", "--diff-algorithm=myers"])
        .args(["base", "side"])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("git diff runs ({e}): apt-get install git"));
    assert_eq!(
        output.status.code(),
        Some(1),
        "git diff finds differences: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // "@@ -start[,len] +start[,len] @@": 1-based, a missing length is 1, and
    // an empty range names the line before it.
    let range = |field: &str| -> (usize, usize) {
        let (start, len) = field.split_once(',').unwrap_or((field, "1"));
        let (start, len): (usize, usize) = (start.parse().unwrap(), len.parse().unwrap());
        (if len == 0 { start } else { start - 1 }, len)
    };
    output
        .stdout
        .split(|&b| b == b'\n')
        .filter_map(|line| line.strip_prefix(b"@@ -"))
        .map(|header| {
            let header = std::str::from_utf8(header).unwrap();
            let (old, rest) = header.split_once(" +").unwrap();
            let new = rest.split_once(" @@").unwrap().0;
            let ((base, base_len), (side, side_len)) = (range(old), range(new));
            LineChange {
                base,
                base_len,
                side,
                side_len,
            }
        })
        .collect()
}

/// How [`Zones::edit`] makes a side from base: zones of 1 to `zone` lines
/// where each line has an `edits` percent chance of a move, a removal, a
/// pool line inserted or a new line, and a `lopsided` percent chance that
/// the zone becomes up to `stretch` times longer, or a fraction, in lines
/// drawn from it; between zones, runs of `run` to `run + 2` lines left alone.
struct Zones {
    run: usize,
    zone: usize,
    edits: u64,
    lopsided: u64,
    stretch: usize,
}

impl Zones {
    fn edit(&self, rng: &mut Rng, base: &[Vec<u8>], pool: usize) -> Vec<Vec<u8>> {
        let mut side = Vec::with_capacity(base.len());
        let mut at = 0;
        while at < base.len() {
            let zone_end = (at + 1 + rng.below(self.zone)).min(base.len());
            let mut moved = base[at..zone_end].to_vec();
            for _ in 0..moved.len() {
                if moved.is_empty() || !rng.chance(self.edits) {
                    continue;
                }
                let i = rng.below(moved.len());
                match rng.below(4) {
                    0 => {
                        let j = rng.below(moved.len());
                        moved.swap(i, j);
                    }
                    1 => {
                        moved.remove(i);
                    }
                    2 => moved.insert(i, format!("pool {}", rng.below(pool)).into_bytes()),
                    _ => moved[i] = format!("new {}", rng.next()).into_bytes(),
                }
            }
            // A lopsided zone: far more lines on one side than on the
            // other, all of them from the zone, so the search runs past the
            // box's edge on the short side before the two directions meet.
            if rng.chance(self.lopsided) {
                let zone = &base[at..zone_end];
                let len = if rng.chance(50) {
                    zone.len() * (2 + rng.below(self.stretch))
                } else {
                    zone.len() / (2 + rng.below(8))
                };
                moved = (0..len)
                    .map(|_| zone[rng.below(zone.len())].clone())
                    .collect();
            }
            side.extend(moved);
            let run_end = (zone_end + self.run + rng.below(3)).min(base.len());
            side.extend_from_slice(&base[zone_end..run_end]);
            at = run_end;
        }
        side
    }
}

/// The two files' bytes, each with a last line of its own, so that
/// `git diff -U0` has no common tail to trim (see [`git_diff_u0`]).
fn ends_apart(base: &[Vec<u8>], side: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let write = |lines: &[Vec<u8>], last: &[u8]| {
        let mut bytes = lines.join(&b"\n"[..]);
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(last);
        bytes
    };
    (write(base, b"end of base\n"), write(side, b"end of side\n"))
}

/// `lines` numbered lines, each with a `pooled` percent chance of being
/// one of `pool` lines that recur instead.
fn pooled_base(rng: &mut Rng, lines: usize, pool: usize, pooled: u64) -> Vec<Vec<u8>> {
    (0..lines)
        .map(|i| {
            if rng.chance(pooled) {
                format!("pool {}", rng.below(pool)).into_bytes()
            } else {
                format!("line {i}").into_bytes()
            }
        })
        .collect()
}

/// Pairs of files whose diff is expensive in many different ways, so that
/// each of git's bounds on the search decides somewhere, and near its edges:
/// lines moved a few places (every move costs the search), lines from a
/// small pool that recur all over both files, stretches with many more
/// lines on one side than on the other, matching runs just shorter and
/// just longer than the 20 lines git's "good snake" needs, from a few
/// hundred lines to over 60,000.
fn expensive_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(seed ^ 0xD1FF);
    // Past 32,000 lines a side, git's cost limit grows with the input.
    let lines = if seed % 12 == 0 {
        32_000 + rng.below(30_000)
    } else {
        300 + rng.below(4_000)
    };
    let pool = 5 + rng.below(60);
    let pooled = rng.below(40) as u64;
    let base = pooled_base(&mut rng, lines, pool, pooled);
    let zones = Zones {
        run: [3, 18, 19, 20, 21, 22, 40][rng.below(7)],
        zone: 2 + rng.below(40),
        edits: 1 + rng.below(100) as u64,
        lopsided: [0, 0, 5, 30][rng.below(4)],
        stretch: 8,
    };
    let side = zones.edit(&mut rng, &base, pool);
    ends_apart(&base, &side)
}

/// A prefix both files share, then a stretch of a few lines against one of
/// many lines drawn from those few, then a shared suffix: the search runs
/// to the edge of the short side long before it can meet, inside a box
/// that does not start at the first line.
fn lopsided_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(seed ^ 0x10F5);
    let top = if rng.chance(50) { 20 } else { 400 };
    let short_len = 1 + rng.below(top);
    let long_len = short_len * (1 + rng.below(40));
    let numbered = |rng: &mut Rng, tag: &str| -> Vec<String> {
        (0..rng.below(30)).map(|i| format!("{tag} {i}\n")).collect()
    };
    let (prefix, suffix) = (numbered(&mut rng, "prefix"), numbered(&mut rng, "suffix"));
    let short: Vec<String> = (0..short_len)
        .map(|i| {
            let n = if rng.chance(70) {
                i
            } else {
                rng.below(short_len)
            };
            format!("x{n}\n")
        })
        .collect();
    let long: Vec<String> = (0..long_len)
        .map(|_| short[rng.below(short_len)].clone())
        .collect();
    let (base, side) = if rng.chance(50) {
        (short, long)
    } else {
        (long, short)
    };
    let file = |middle: Vec<String>, last: &str| {
        [
            prefix.concat(),
            middle.concat(),
            suffix.concat(),
            last.to_owned(),
        ]
        .concat()
        .into_bytes()
    };
    (file(base, "end of base\n"), file(side, "end of side\n"))
}

/// Pairs large enough for git's "good snake" shortcut to run at all: it is
/// tried past cost 256, and the cost limit only rises above 256 once the
/// two files keep over 65,536 lines between them. Zones of moves, edits and
/// lopsided stretches with runs between them, as in [`expensive_pair`], but
/// drawn from a wider range. `LARGE_SEEDS` were picked from thousands of
/// these for telling apart git's tests of a good snake's worth (`v > 4 *
/// cost`, forward and backward) from off-by-one versions of them, which
/// one large pair in eight does.
fn large_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = large_rng(seed);
    let lines = 33_000 + rng.below(6_000);
    large_pair_of(&mut rng, lines, 3)
}

/// Like [`large_pair`], from 30,000 to 70,000 lines a file, and lopsided
/// zones up to 31 times longer. The stream's first draw is passed over: the
/// seeds were found where it chose between these and smaller pairs.
/// `WIDE_SEEDS` tells apart git's test that a backward good snake starts
/// inside the box (`off_a < i`) from `off_a <= i`.
fn wide_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = large_rng(seed);
    rng.next();
    let lines = 30_000 + rng.below(40_000);
    large_pair_of(&mut rng, lines, 30)
}

/// See [`wide_pair`].
const WIDE_SEEDS: [u64; 1] = [104_589];

/// A large base with one line in ten from a small pool, and a side made
/// from it by [`large_zones`].
fn large_pair_of(rng: &mut Rng, lines: usize, stretch: usize) -> (Vec<u8>, Vec<u8>) {
    let pool = 3 + rng.below(60);
    let base = pooled_base(rng, lines, pool, 10);
    let side = large_zones(rng, stretch).edit(rng, &base, pool);
    ends_apart(&base, &side)
}

/// The random stream of the large pairs, the one their seeds were chosen in.
fn large_rng(seed: u64) -> Rng {
    Rng::from_state(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xF00D)
}

/// How the large pairs' sides are edited.
fn large_zones(rng: &mut Rng, stretch: usize) -> Zones {
    Zones {
        run: [0, 1, 3, 18, 19, 20, 21, 22, 40][rng.below(9)],
        zone: 1 + rng.below(60),
        edits: rng.below(101) as u64,
        lopsided: [0, 5, 30, 80][rng.below(4)],
        stretch,
    }
}

/// See [`large_pair`].
const LARGE_SEEDS: [u64; 2] = [1006, 1337];

/// Large pairs where base repeats short cycles of lines (`x y x y`, or of
/// up to five lines) for a few dozen lines at a time. Inside a cycle two
/// diagonals two lines apart both end in a run of matching lines and are
/// worth the same to the good-snake shortcut: git takes the first it finds,
/// forward and backward, and these pairs show it when a later one is taken.
fn cyclic_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = large_rng(seed);
    let lines = 33_000 + rng.below(6_000);
    let mut base: Vec<Vec<u8>> = Vec::with_capacity(lines + 64);
    let mut cycles = 0;
    while base.len() < lines {
        if rng.chance(3) {
            cycles += 1;
            let period = 2 + rng.below(4);
            for k in 0..24 + rng.below(40) {
                base.push(format!("cycle {cycles} line {}", k % period).into_bytes());
            }
        } else {
            base.push(format!("line {}", base.len()).into_bytes());
        }
    }
    let pool = 3 + rng.below(60);
    let side = large_zones(&mut rng, 3).edit(&mut rng, &base, pool);
    ends_apart(&base, &side)
}

/// See [`cyclic_pair`].
const CYCLIC_SEEDS: [u64; 2] = [34, 36];

/// Pairs built, not drawn, for the edge of the box in git's good-snake
/// shortcut: git takes a run there only if it lies strictly inside the box,
/// and passes over one that ends on the last line of either file or starts
/// on the first. Random pairs almost never decide on such a run, so these
/// make one decide. One file, `short`, is 6,000 numbered lines; the other
/// is `head`, then `filler`, then `tail`:
/// - `head` is short's first `head_end` lines with every tenth line from the
///   top left out, `head_cost` times. The forward search pays one for each
///   gap and meanwhile finds only runs of nine lines, too short to count,
///   until after the last gap one run goes on to the end of `head`.
/// - `tail` is short from `tail_start` with every tenth line from the
///   bottom left out, `tail_cost` times: the same for the backward search,
///   whose last run goes back to the start of `tail`.
/// - `filler` is short's lines in a scrambled order. It brings the two
///   files over 65,536 kept lines between them, below which the shortcut
///   never runs. It also puts every line of short in the long file, since
///   a line with no match is dropped before the search.
///
/// Both costs lie between 256, where the shortcut starts, and this size's
/// cost limit of 512, and both runs are worth far more than four times
/// their cost. Cases 0 and 1: head is all of short, so the forward run ends
/// on short's last line, at the cost where the backward run ends inside;
/// git takes the backward one. Cases 2 and 3: tail is all of short, so the
/// backward run starts on short's first line at cost 300; git goes on to
/// the forward run, which ends inside at cost 350. Each comes with short as
/// base and as side, for each file's edge.
fn edge_pair(case: u64) -> (Vec<u8>, Vec<u8>) {
    const SHORT: usize = 6_000;
    const BOTH: usize = 66_000;
    // A stride prime to SHORT visits every line, never two in a row.
    const STRIDE: usize = 7_919;
    // head_end, tail_start, head_cost, tail_cost, and whether short is base,
    // for the edge each case puts the deciding run on.
    let (head_end, tail_start, head_cost, tail_cost, short_is_base) = [
        (SHORT, 1, 300, 300, true),  // base's last line
        (SHORT, 1, 300, 300, false), // side's last line
        (4_000, 0, 350, 300, false), // side's first line
        (4_000, 0, 350, 300, true),  // base's first line
    ][case as usize];
    let short: Vec<Vec<u8>> = (0..SHORT)
        .map(|i| format!("line {i}").into_bytes())
        .collect();
    let gap_from_top = |i: usize| i % 10 == 0 && i < 10 * head_cost;
    let gap_from_bottom = |i: usize| (SHORT - 1 - i) % 10 == 0 && SHORT - 1 - i < 10 * tail_cost;
    let head: Vec<Vec<u8>> = (0..head_end)
        .filter(|&i| !gap_from_top(i))
        .map(|i| short[i].clone())
        .collect();
    let tail: Vec<Vec<u8>> = (tail_start..SHORT)
        .filter(|&i| !gap_from_bottom(i))
        .map(|i| short[i].clone())
        .collect();
    let filler: Vec<Vec<u8>> = (0..BOTH - SHORT - head.len() - tail.len())
        .map(|i| short[(SHORT / 2 + i * STRIDE) % SHORT].clone())
        .collect();
    // Each run must stop where its part of the long file stops.
    assert_ne!(
        filler.first(),
        short.get(head_end),
        "filler extends head's run"
    );
    assert!(
        tail_start == 0 || filler.last() != Some(&short[tail_start - 1]),
        "filler extends tail's run"
    );
    let long = [head, filler, tail].concat();
    if short_is_base {
        ends_apart(&short, &long)
    } else {
        ends_apart(&long, &short)
    }
}

/// The line diff the merge aligns with, held against `git diff` itself on
/// expensive inputs: every hunk where git has it. A merge's result only
/// shows the alignment where the two sides' changes meet; this shows all of
/// it, and reaches each of the search's bounds many times over.
#[test]
fn line_diff_agrees_with_git_diff_on_expensive_searches() {
    type Pair = fn(u64) -> (Vec<u8>, Vec<u8>);
    let mut cases: Vec<(&str, Pair, u64)> = Vec::new();
    for seed in 0..120 {
        cases.push(("expensive", expensive_pair, seed));
        cases.push(("lopsided", lopsided_pair, seed));
    }
    for seed in LARGE_SEEDS {
        cases.push(("large", large_pair, seed));
    }
    for seed in WIDE_SEEDS {
        cases.push(("wide", wide_pair, seed));
    }
    for seed in CYCLIC_SEEDS {
        cases.push(("cyclic", cyclic_pair, seed));
    }
    for case in 0..4 {
        cases.push(("edge", edge_pair, case));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for &(kind, pair, seed) in &cases {
        let (base, side) = pair(seed);
        let git = git_diff_u0(dir.path(), &base, &side);
        let ours = line_changes(&base, &side);
        if ours != git {
            let first = ours.iter().zip(&git).position(|(o, g)| o != g);
            failures.push(format!(
                "{kind} seed {seed}: {} hunks, git {}; first difference at hunk {first:?}: ours {:?}, git {:?}",
                ours.len(),
                git.len(),
                first.map(|i| ours[i]),
                first.map(|i| git[i]),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pairs diff differently from git:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
