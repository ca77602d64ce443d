//! Line-based three-way merge, the way `git merge-file --diff3` does it.
//!
//! `upgrade` merges the user's file (yours) and this binary's render (theirs)
//! against the old render (base). Users resolve the result with git and their
//! editor, so the result is git's, byte for byte, at the level git uses for
//! the diff3 style ("eager"):
//!
//! - both sides are diffed against base with git's own line diff
//!   (`line_diff`: which lines changed, including where an ambiguous change
//!   sits, decides what touches what);
//! - changes of the two sides that overlap or merely touch in base (no
//!   unchanged base line between them) form one region; a region is a conflict
//!   unless it is one identical change made by both sides;
//! - the output is built from yours, with theirs' lines where only theirs
//!   changed, and diff3 markers around each conflict.
//!
//! Content is handled as bytes: a line is everything up to and including
//! `\n` (the last may lack one), compared byte for byte, so CRLF and a
//! missing final newline survive. Conflict markers end in CRLF when the
//! surrounding lines do, and a side whose last line lacks a newline gets one
//! inside a conflict, so every marker starts a line (as git does).

use crate::deadline::Deadline;

mod line_diff;

use line_diff::{diff, Hunk};

/// The names written after the conflict markers.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    pub yours: &'a str,
    pub base: &'a str,
    pub theirs: &'a str,
}

/// The merged bytes and how many conflict regions they contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub bytes: Vec<u8>,
    /// 0 means the merge is clean.
    pub conflicts: usize,
}

/// Length of `<<<<<<<`, `|||||||`, `=======` and `>>>>>>>` (git's default).
const MARKER_SIZE: usize = 7;

/// Merges `yours` and `theirs`, both derived from `base`, with no time limit.
pub fn merge3(base: &[u8], yours: &[u8], theirs: &[u8], labels: &Labels<'_>) -> Merged {
    merge3_with_deadline(base, yours, theirs, labels, Deadline::NEVER)
}

/// Like [`merge3`], but the line diffs stop searching for the best alignment
/// at `deadline`. Past it they fall back to a coarser diff: still correct
/// (every line accounted for), with larger hunks, so more lines in conflict
/// (possibly in fewer, bigger hunks), never a wrong clean merge.
pub(crate) fn merge3_with_deadline(
    base: &[u8],
    yours: &[u8],
    theirs: &[u8],
    labels: &Labels<'_>,
    deadline: Deadline,
) -> Merged {
    // Same shortcuts as git: a side without changes means the other side wins
    // as it is, and identical sides cannot conflict.
    if base == yours || yours == theirs {
        return clean(theirs);
    }
    if base == theirs {
        return clean(yours);
    }
    let base = split_lines(base);
    let yours = split_lines(yours);
    let theirs = split_lines(theirs);
    let ours_hunks = diff(&base, &yours, deadline);
    let their_hunks = diff(&base, &theirs, deadline);
    let regions = regions(&ours_hunks, &their_hunks, &yours, &theirs, base.len());
    let sides = Sides {
        base: &base,
        yours: &yours,
        theirs: &theirs,
    };
    render(&sides, &regions, labels)
}

fn clean(bytes: &[u8]) -> Merged {
    Merged {
        bytes: bytes.to_vec(),
        conflicts: 0,
    }
}

/// One change the line diff found: base lines `base..base + base_len`
/// became side lines `side..side + side_len` (0-based), as in the hunk
/// headers of `git diff -U0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineChange {
    pub base: usize,
    pub base_len: usize,
    pub side: usize,
    pub side_len: usize,
}

/// The changes from `base` to `side` that the merge lines the two up with:
/// git's line diff with the options `git merge-file` uses. Public so that
/// tests can hold the diff itself against `git diff`, which shows more than
/// a merge's result does.
pub fn line_changes(base: &[u8], side: &[u8]) -> Vec<LineChange> {
    let unsigned = |n: isize| usize::try_from(n).expect("a diff's line numbers are not negative");
    diff(&split_lines(base), &split_lines(side), Deadline::NEVER)
        .into_iter()
        .map(|hunk| LineChange {
            base: unsigned(hunk.base),
            base_len: unsigned(hunk.base_len),
            side: unsigned(hunk.side),
            side_len: unsigned(hunk.side_len),
        })
        .collect()
}

/// Splits into lines that keep their terminator; concatenating them gives
/// back the input exactly. An empty input has no lines.
pub(crate) fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// Who decides a region of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    Yours,
    Theirs,
    Conflict,
}

/// A region of base (`base..base + base_len`) with the matching line ranges
/// of yours and theirs (xdiff's `xdmerge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    take: Take,
    base: isize,
    base_len: isize,
    yours: isize,
    yours_len: isize,
    theirs: isize,
    theirs_len: isize,
}

impl Region {
    /// Adds a region after the last one, or folds it into the last one when
    /// they touch in yours or theirs; folding two different kinds of region
    /// makes a conflict.
    fn push(regions: &mut Vec<Region>, next: Region) {
        if let Some(last) = regions.last_mut() {
            if next.yours <= last.yours + last.yours_len
                || next.theirs <= last.theirs + last.theirs_len
            {
                if next.take != last.take {
                    last.take = Take::Conflict;
                }
                last.base_len = next.base + next.base_len - last.base;
                last.yours_len = next.yours + next.yours_len - last.yours;
                last.theirs_len = next.theirs + next.theirs_len - last.theirs;
                return;
            }
        }
        regions.push(next);
    }
}

/// Walks both hunk lists in base order (xdiff's `xdl_do_merge` at the eager
/// level). A hunk that ends strictly before the other side's next hunk starts
/// is one side's alone; otherwise the two overlap or touch and conflict,
/// unless they are the same change.
fn regions(
    ours: &[Hunk],
    theirs: &[Hunk],
    yours_lines: &[&[u8]],
    theirs_lines: &[&[u8]],
    base_len: usize,
) -> Vec<Region> {
    let mut regions = Vec::new();
    let (mut o, mut t) = (0, 0);
    while o < ours.len() && t < theirs.len() {
        let (a, b) = (ours[o], theirs[t]);
        if a.base + a.base_len < b.base {
            Region::push(&mut regions, yours_only(a, b.side - b.base));
            o += 1;
            continue;
        }
        if b.base + b.base_len < a.base {
            Region::push(&mut regions, theirs_only(b, a.side - a.base));
            t += 1;
            continue;
        }
        let same_change = a.base == b.base
            && a.base_len == b.base_len
            && a.side_len == b.side_len
            && yours_lines[lines(a.side, a.side_len)] == theirs_lines[lines(b.side, b.side_len)];
        if !same_change {
            Region::push(&mut regions, conflict(a, b));
        }
        let (a_end, b_end) = (a.base + a.base_len, b.base + b.base_len);
        if a_end >= b_end {
            t += 1;
        }
        if b_end >= a_end {
            o += 1;
        }
    }
    // Past the other side's last hunk, its lines are offset by its total
    // growth.
    let theirs_shift = signed(theirs_lines.len()) - signed(base_len);
    for &a in &ours[o..] {
        Region::push(&mut regions, yours_only(a, theirs_shift));
    }
    let yours_shift = signed(yours_lines.len()) - signed(base_len);
    for &b in &theirs[t..] {
        Region::push(&mut regions, theirs_only(b, yours_shift));
    }
    regions
}

/// A change of yours alone; theirs has base's lines there, at `shift` lines
/// from their base position.
fn yours_only(a: Hunk, shift: isize) -> Region {
    Region {
        take: Take::Yours,
        base: a.base,
        base_len: a.base_len,
        yours: a.side,
        yours_len: a.side_len,
        theirs: a.base + shift,
        theirs_len: a.base_len,
    }
}

/// A change of theirs alone; yours has base's lines there, at `shift` lines
/// from their base position.
fn theirs_only(b: Hunk, shift: isize) -> Region {
    Region {
        take: Take::Theirs,
        base: b.base,
        base_len: b.base_len,
        yours: b.base + shift,
        yours_len: b.base_len,
        theirs: b.side,
        theirs_len: b.side_len,
    }
}

/// The smallest region covering two overlapping or touching hunks, in all
/// three files.
fn conflict(a: Hunk, b: Hunk) -> Region {
    let start = a.base.min(b.base);
    let end = (a.base + a.base_len).max(b.base + b.base_len);
    // Each side's range grows by the base lines only the other hunk covers.
    let yours = a.side - (a.base - start);
    let theirs = b.side - (b.base - start);
    Region {
        take: Take::Conflict,
        base: start,
        base_len: end - start,
        yours,
        yours_len: a.side + a.side_len + (end - a.base - a.base_len) - yours,
        theirs,
        theirs_len: b.side + b.side_len + (end - b.base - b.base_len) - theirs,
    }
}

fn signed(n: usize) -> isize {
    isize::try_from(n).expect("a slice has at most isize::MAX lines")
}

/// Lines `start..start + len` as an index range. Regions that reach the
/// output never start before line 0: the folding in `Region::push` only ever
/// widens them to cover lines that exist.
fn lines(start: isize, len: isize) -> std::ops::Range<usize> {
    let start = usize::try_from(start).expect("a region starts at a line");
    let len = usize::try_from(len).expect("a region has a length");
    start..start + len
}

struct Sides<'a> {
    base: &'a [&'a [u8]],
    yours: &'a [&'a [u8]],
    theirs: &'a [&'a [u8]],
}

/// Writes the merge: yours between regions, the deciding side's lines in
/// each clean region, markers around each conflict.
fn render(sides: &Sides<'_>, regions: &[Region], labels: &Labels<'_>) -> Merged {
    let mut out = Vec::new();
    let mut conflicts = 0;
    let mut next_yours = 0;
    for region in regions {
        extend(
            &mut out,
            &sides.yours[lines(next_yours, region.yours - next_yours)],
        );
        let yours = &sides.yours[lines(region.yours, region.yours_len)];
        let theirs = &sides.theirs[lines(region.theirs, region.theirs_len)];
        match region.take {
            Take::Yours => extend(&mut out, yours),
            Take::Theirs => extend(&mut out, theirs),
            Take::Conflict => {
                conflicts += 1;
                let eol: &[u8] = if crlf_markers(sides, region) {
                    b"\r\n"
                } else {
                    b"\n"
                };
                let base = &sides.base[lines(region.base, region.base_len)];
                marker(&mut out, b'<', Some(labels.yours), eol);
                extend_terminated(&mut out, yours, eol);
                marker(&mut out, b'|', Some(labels.base), eol);
                extend_terminated(&mut out, base, eol);
                marker(&mut out, b'=', None, eol);
                extend_terminated(&mut out, theirs, eol);
                marker(&mut out, b'>', Some(labels.theirs), eol);
            }
        }
        next_yours = region.yours + region.yours_len;
    }
    extend(&mut out, &sides.yours[lines(next_yours, 0).start..]);
    Merged {
        bytes: out,
        conflicts,
    }
}

fn extend(out: &mut Vec<u8>, lines: &[&[u8]]) {
    for line in lines {
        out.extend_from_slice(line);
    }
}

/// Copies lines into a conflict, ending the last with `eol` if it has no
/// newline, so the marker after it starts a line.
fn extend_terminated(out: &mut Vec<u8>, lines: &[&[u8]], eol: &[u8]) {
    extend(out, lines);
    if lines.last().is_some_and(|line| !line.ends_with(b"\n")) {
        out.extend_from_slice(eol);
    }
}

/// One marker line: seven `kind` characters, then a space and the label.
fn marker(out: &mut Vec<u8>, kind: u8, label: Option<&str>, eol: &[u8]) {
    out.extend_from_slice(&[kind; MARKER_SIZE]);
    if let Some(label) = label {
        out.push(b' ');
        // A label must not break the marker line.
        out.extend(
            label
                .bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
    }
    out.extend_from_slice(eol);
}

/// Whether the markers of a conflict end in CRLF, as git decides it: the
/// line before the conflict in yours and in theirs (or their first line)
/// must not end in a bare LF, and base's first line must end in CRLF. A file
/// whose style cannot be told (empty, or one line without a newline) does
/// not object, but when base cannot tell, LF wins.
fn crlf_markers(sides: &Sides<'_>, region: &Region) -> bool {
    let before = |start: isize| lines(start, 0).start.saturating_sub(1);
    eol_is_crlf(sides.yours, before(region.yours)) != Some(false)
        && eol_is_crlf(sides.theirs, before(region.theirs)) != Some(false)
        && eol_is_crlf(sides.base, 0) == Some(true)
}

/// Whether line `at` ends in CRLF; the last line without a newline is judged
/// by the line before it. None when there is nothing to judge by.
fn eol_is_crlf(lines: &[&[u8]], at: usize) -> Option<bool> {
    let line = lines.get(at)?;
    if line.ends_with(b"\n") {
        return Some(line.ends_with(b"\r\n"));
    }
    if at == 0 {
        return None;
    }
    Some(lines[at - 1].ends_with(b"\r\n"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The labels an upgrade from 0.1.0 to 0.2.0 writes; shared with compare's tests.
    pub(crate) const LABELS: Labels<'static> = Labels {
        yours: "yours",
        base: "quickscale 0.1.0",
        theirs: "quickscale 0.2.0",
    };

    fn merge(base: &str, yours: &str, theirs: &str) -> (String, usize) {
        let merged = merge3(
            base.as_bytes(),
            yours.as_bytes(),
            theirs.as_bytes(),
            &LABELS,
        );
        (String::from_utf8(merged.bytes).unwrap(), merged.conflicts)
    }

    /// A conflict hunk as git writes it, with LF markers.
    fn hunk(yours: &str, base: &str, theirs: &str) -> String {
        format!(
            "<<<<<<< yours\n{yours}||||||| quickscale 0.1.0\n{base}=======\n{theirs}>>>>>>> quickscale 0.2.0\n"
        )
    }

    const BASE: &str = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n";

    #[test]
    fn distant_edits_on_both_sides_merge_cleanly() {
        let yours = "one\nTWO\nthree\nfour\nfive\nsix\nseven\n";
        let theirs = "one\ntwo\nthree\nfour\nfive\nSIX\nseven\n";
        assert_eq!(
            merge(BASE, yours, theirs),
            ("one\nTWO\nthree\nfour\nfive\nSIX\nseven\n".to_owned(), 0)
        );
    }

    #[test]
    fn identical_edits_merge_cleanly() {
        let both = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n";
        let theirs = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\n";
        assert_eq!(merge(BASE, both, both), (both.to_owned(), 0));
        assert_eq!(merge(BASE, both, theirs), (theirs.to_owned(), 0));
    }

    #[test]
    fn one_sided_changes_take_that_side_whole() {
        let yours = "one\nTWO\n";
        assert_eq!(merge(BASE, yours, BASE), (yours.to_owned(), 0));
        assert_eq!(merge(BASE, BASE, yours), (yours.to_owned(), 0));
    }

    #[test]
    fn different_edits_of_the_same_line_conflict() {
        let (merged, conflicts) = merge("a\nb\nc\n", "a\nB\nc\n", "a\nX\nc\n");
        assert_eq!(conflicts, 1);
        assert_eq!(merged, format!("a\n{}c\n", hunk("B\n", "b\n", "X\n")));
    }

    #[test]
    fn edits_of_adjacent_lines_conflict_as_one_hunk() {
        let (merged, conflicts) = merge("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n");
        assert_eq!(conflicts, 1);
        assert_eq!(
            merged,
            format!("a\n{}d\n", hunk("B\nc\n", "b\nc\n", "b\nC\n"))
        );
        // One unchanged line between them is enough.
        assert_eq!(
            merge("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nC\nd\n"),
            ("A\nb\nC\nd\n".to_owned(), 0)
        );
    }

    #[test]
    fn two_conflicts_are_counted_apart() {
        let yours = "ONE\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n";
        let theirs = "1\ntwo\nthree\nfour\nfive\nsix\n7\n";
        let (merged, conflicts) = merge(BASE, yours, theirs);
        assert_eq!(conflicts, 2);
        assert_eq!(
            merged,
            format!(
                "{}two\nthree\nfour\nfive\nsix\n{}",
                hunk("ONE\n", "one\n", "1\n"),
                hunk("SEVEN\n", "seven\n", "7\n")
            )
        );
    }

    #[test]
    fn insertions_at_start_and_end_merge_cleanly() {
        let yours = format!("header\n{BASE}");
        let theirs = format!("{BASE}footer\n");
        assert_eq!(
            merge(BASE, &yours, &theirs),
            (format!("header\n{BASE}footer\n"), 0)
        );
    }

    #[test]
    fn different_insertions_at_the_same_place_conflict() {
        let (merged, conflicts) =
            merge(BASE, &format!("{BASE}mine\n"), &format!("{BASE}upstream\n"));
        assert_eq!(conflicts, 1);
        assert_eq!(
            merged,
            format!("{BASE}{}", hunk("mine\n", "", "upstream\n"))
        );
    }

    #[test]
    fn deletions_merge_with_distant_edits_and_conflict_with_overlapping_ones() {
        let yours = "one\nfour\nfive\nsix\nseven\n";
        let theirs = "one\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n";
        assert_eq!(
            merge(BASE, yours, theirs),
            ("one\nfour\nfive\nsix\nSEVEN\n".to_owned(), 0)
        );
        let theirs = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n";
        let (merged, conflicts) = merge(BASE, yours, theirs);
        assert_eq!(conflicts, 1);
        assert_eq!(
            merged,
            format!(
                "one\n{}four\nfive\nsix\nseven\n",
                hunk("", "two\nthree\n", "two\nTHREE\n")
            )
        );
    }

    #[test]
    fn crlf_survives_and_markers_follow_it() {
        let base = "a\r\nb\r\nc\r\nd\r\ne\r\n";
        assert_eq!(
            merge(
                base,
                "A\r\nb\r\nc\r\nd\r\ne\r\n",
                "a\r\nb\r\nc\r\nd\r\nE\r\n"
            ),
            ("A\r\nb\r\nc\r\nd\r\nE\r\n".to_owned(), 0)
        );
        let (merged, conflicts) = merge(
            base,
            "a\r\nB\r\nc\r\nd\r\ne\r\n",
            "a\r\nX\r\nc\r\nd\r\ne\r\n",
        );
        assert_eq!(conflicts, 1);
        assert_eq!(
            merged,
            "a\r\n<<<<<<< yours\r\nB\r\n||||||| quickscale 0.1.0\r\nb\r\n=======\r\nX\r\n\
             >>>>>>> quickscale 0.2.0\r\nc\r\nd\r\ne\r\n"
        );
    }

    #[test]
    fn a_missing_final_newline_survives_a_clean_merge() {
        let base = "a\nb\nc\nd";
        assert_eq!(
            merge(base, "A\nb\nc\nd", "a\nb\nc\nD"),
            ("A\nb\nc\nD".to_owned(), 0)
        );
        // Adding or removing the final newline is an edit of the last line.
        assert_eq!(
            merge(base, "A\nb\nc\nd", "a\nb\nc\nd\n"),
            ("A\nb\nc\nd\n".to_owned(), 0)
        );
    }

    #[test]
    fn a_conflict_ends_each_side_with_a_newline_so_markers_start_lines() {
        let (merged, conflicts) = merge("a\nb\nc", "a\nb\nY", "a\nb\nT");
        assert_eq!(conflicts, 1);
        assert_eq!(merged, format!("a\nb\n{}", hunk("Y\n", "c\n", "T\n")));
        // In a CRLF file the added line end is CRLF too.
        let (merged, _) = merge("a\r\nb\r\nc", "a\r\nb\r\nY", "a\r\nb\r\nT");
        assert!(
            merged.ends_with("T\r\n>>>>>>> quickscale 0.2.0\r\n"),
            "{merged:?}"
        );
    }

    #[test]
    fn empty_files() {
        assert_eq!(merge("", "", "new\n"), ("new\n".to_owned(), 0));
        assert_eq!(merge("", "new\n", ""), ("new\n".to_owned(), 0));
        assert_eq!(merge("", "same\n", "same\n"), ("same\n".to_owned(), 0));
        assert_eq!(merge("", "y\n", "t\n"), (hunk("y\n", "", "t\n"), 1));
        // Deleting everything conflicts with an edit, and wins over none.
        assert_eq!(
            merge("a\nb\n", "", "a\nB\n"),
            (hunk("", "a\nb\n", "a\nB\n"), 1)
        );
        assert_eq!(merge("a\nb\n", "a\nb\n", ""), (String::new(), 0));
    }

    #[test]
    fn bytes_that_are_not_utf8_pass_through() {
        let base: &[u8] = b"\xff\xfe\n\x80\n\x00z\n";
        let yours: &[u8] = b"\xff\xfe!\n\x80\n\x00z\n";
        let theirs: &[u8] = b"\xff\xfe\n\x80\n\x00Z\n";
        let merged = merge3(base, yours, theirs, &LABELS);
        assert_eq!(merged.bytes, b"\xff\xfe!\n\x80\n\x00Z\n");
        assert_eq!(merged.conflicts, 0);
    }

    #[test]
    fn ambiguous_changes_line_up_as_in_git() {
        // Deleting one of two equal lines is placed at the second, as git's
        // diff slides it: it then touches theirs' edit of the next line.
        let (_, conflicts) = merge("a\nx\nx\nb\n", "a\nx\nb\n", "a\nx\nx\nB\n");
        assert_eq!(conflicts, 1);
    }

    #[test]
    fn labels_cannot_break_marker_lines() {
        let labels = Labels {
            yours: "a\nb",
            base: "base",
            theirs: "c\r\nd",
        };
        let merged = merge3(b"x\n", b"y\n", b"z\n", &labels);
        let text = String::from_utf8(merged.bytes).unwrap();
        assert!(text.starts_with("<<<<<<< a b\n"), "{text:?}");
        assert!(text.ends_with(">>>>>>> c  d\n"), "{text:?}");
    }

    #[test]
    fn an_expired_deadline_makes_the_diff_coarser_never_wrong() {
        let base: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let edit = |text: &str, from: &str, to: &str| text.replace(from, to);
        // Yours swaps lines 10 and 11, and 80 and 81 (lines that exist on
        // both sides, so the search has work to do); theirs edits line 45.
        let swap = |text: &str, a: usize| {
            let (x, y) = (format!("line {a}\n"), format!("line {}\n", a + 1));
            text.replace(&format!("{x}{y}"), &format!("{y}{x}"))
        };
        let yours = swap(&swap(&base, 10), 80);
        let theirs = edit(&base, "line 45\n", "forty-five\n");
        let precise = merge3(
            base.as_bytes(),
            yours.as_bytes(),
            theirs.as_bytes(),
            &LABELS,
        );
        assert_eq!(precise.conflicts, 0);
        assert_eq!(
            precise.bytes,
            edit(&yours, "line 45\n", "forty-five\n").as_bytes()
        );
        // Out of time, yours becomes one change from line 10 to 81, which
        // overlaps theirs: a conflict that keeps every line of both.
        let coarse = merge3_with_deadline(
            base.as_bytes(),
            yours.as_bytes(),
            theirs.as_bytes(),
            &LABELS,
            Deadline::PASSED,
        );
        assert_eq!(coarse.conflicts, 1);
        let text = String::from_utf8(coarse.bytes).unwrap();
        assert!(
            text.contains(&yours[yours.find("line 11").unwrap()..yours.find("line 82").unwrap()])
        );
        assert!(text.contains("forty-five\n"));
        assert!(text.starts_with("line 0\n") && text.ends_with("line 99\n"));
    }
}
