//! Line-based three-way merge, the way `git merge-file --diff3` does it.
//!
//! `upgrade` merges the user's file (yours) and this binary's render (theirs)
//! against the old render (base). Users resolve the result with git and their
//! editor, so the semantics follow git's xdiff merge at the level git uses for
//! the diff3 style ("eager"):
//!
//! - both sides are diffed against base (Myers, from `similar`), then each diff
//!   is normalised the way xdiff does it: an ambiguous hunk slides as far down
//!   as it can, unless it can line up with a change on the other side;
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

use std::time::Instant;

use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};

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
    merge3_with_deadline(base, yours, theirs, labels, None)
}

/// Like [`merge3`], but the line diffs stop searching for the best alignment
/// at `deadline`. Past it they fall back to a coarser diff: still correct
/// (every line accounted for), with larger hunks, so more conflicts, never a
/// wrong clean merge.
pub fn merge3_with_deadline(
    base: &[u8],
    yours: &[u8],
    theirs: &[u8],
    labels: &Labels<'_>,
    deadline: Option<Instant>,
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

/// Splits into lines that keep their terminator; concatenating them gives
/// back the input exactly. An empty input has no lines.
pub fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// One change of a side against base: base lines `base..base + base_len`
/// became side lines `side..side + side_len` (xdiff's `xdchange`). Line
/// numbers are signed because the region arithmetic below, like xdiff's,
/// passes through negative intermediate values when regions fold together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hunk {
    base: isize,
    base_len: isize,
    side: isize,
    side_len: isize,
}

/// The changes from `base` to `side`, normalised like xdiff normalises them
/// before merging, so that "touching" and "apart" mean what they mean to git.
fn diff(base: &[&[u8]], side: &[&[u8]], deadline: Option<Instant>) -> Vec<Hunk> {
    let ops = capture_diff_slices_deadline(Algorithm::Myers, base, side, deadline);
    let mut base_changed = Changed::new(base.len());
    let mut side_changed = Changed::new(side.len());
    for op in &ops {
        if !matches!(op, DiffOp::Equal { .. }) {
            base_changed.mark(op.old_range());
            side_changed.mark(op.new_range());
        }
    }
    compact(base, &mut base_changed, &mut side_changed);
    compact(side, &mut side_changed, &mut base_changed);
    hunks(&base_changed, &side_changed)
}

/// Which lines of one file a diff changed (xdiff's `rchg`). Index 0 and
/// `len + 1` are unchanged sentinels, so line `i` is at `i + 1`.
struct Changed(Vec<bool>);

impl Changed {
    fn new(lines: usize) -> Self {
        Changed(vec![false; lines + 2])
    }

    fn lines(&self) -> usize {
        self.0.len() - 2
    }

    fn get(&self, line: usize) -> bool {
        self.0[line + 1]
    }

    /// Line `line - 1`, where `line == 0` reads the leading sentinel.
    fn before(&self, line: usize) -> bool {
        self.0[line]
    }

    fn set(&mut self, line: usize, changed: bool) {
        self.0[line + 1] = changed;
    }

    fn mark(&mut self, lines: std::ops::Range<usize>) {
        for line in lines {
            self.set(line, true);
        }
    }
}

/// A run of changed lines `start..end` in one file; empty where the other
/// file has a change and this one has none at that point.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn first(changed: &Changed) -> Group {
        let mut end = 0;
        while changed.get(end) {
            end += 1;
        }
        Group { start: 0, end }
    }

    fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Moves to the next group; false at the end of the file.
    fn next(&mut self, changed: &Changed) -> bool {
        if self.end == changed.lines() {
            return false;
        }
        self.start = self.end + 1;
        self.end = self.start;
        while changed.get(self.end) {
            self.end += 1;
        }
        true
    }

    /// Moves to the previous group; false at the start of the file.
    fn previous(&mut self, changed: &Changed) -> bool {
        if self.start == 0 {
            return false;
        }
        self.end = self.start - 1;
        self.start = self.end;
        while changed.before(self.start) {
            self.start -= 1;
        }
        true
    }

    /// Slides the group one line down when the line after it equals its first
    /// line, absorbing a group it runs into.
    fn slide_down(&mut self, lines: &[&[u8]], changed: &mut Changed) -> bool {
        if self.end < lines.len() && lines[self.start] == lines[self.end] {
            changed.set(self.start, false);
            changed.set(self.end, true);
            self.start += 1;
            self.end += 1;
            while changed.get(self.end) {
                self.end += 1;
            }
            true
        } else {
            false
        }
    }

    /// Slides the group one line up when the line before it equals its last
    /// line, absorbing a group it runs into.
    fn slide_up(&mut self, lines: &[&[u8]], changed: &mut Changed) -> bool {
        if self.start > 0 && lines[self.start - 1] == lines[self.end - 1] {
            self.start -= 1;
            self.end -= 1;
            changed.set(self.start, true);
            changed.set(self.end, false);
            while changed.before(self.start) {
                self.start -= 1;
            }
            true
        } else {
            false
        }
    }
}

/// xdiff's change compaction without the indent heuristic (which
/// `git merge-file` does not use): each run of changed lines whose position
/// is ambiguous is moved as far down as it goes, merging with runs it meets,
/// unless on the way it lined up with a change in the other file, in which
/// case it goes back to the last such place.
fn compact(lines: &[&[u8]], changed: &mut Changed, other: &mut Changed) {
    let mut group = Group::first(changed);
    let mut other_group = Group::first(other);
    loop {
        if !group.is_empty() {
            let earliest_end;
            let mut end_matching_other;
            loop {
                let size = group.end - group.start;
                while group.slide_up(lines, changed) {
                    let moved = other_group.previous(other);
                    debug_assert!(moved, "groups out of step sliding up");
                }
                let top_end = group.end;
                end_matching_other = (!other_group.is_empty()).then_some(group.end);
                while group.slide_down(lines, changed) {
                    let moved = other_group.next(other);
                    debug_assert!(moved, "groups out of step sliding down");
                    if !other_group.is_empty() {
                        end_matching_other = Some(group.end);
                    }
                }
                if size == group.end - group.start {
                    earliest_end = top_end;
                    break;
                }
            }
            if group.end != earliest_end && end_matching_other.is_some() {
                while other_group.is_empty() {
                    let slid = group.slide_up(lines, changed);
                    let moved = other_group.previous(other);
                    debug_assert!(slid && moved, "lost the matching group");
                }
            }
        }
        if !group.next(changed) {
            break;
        }
        let moved = other_group.next(other);
        debug_assert!(moved, "groups out of step moving on");
    }
}

/// Pairs the runs of changed lines of base and side into hunks: unchanged
/// lines correspond one to one, in order.
fn hunks(base: &Changed, side: &Changed) -> Vec<Hunk> {
    let (base_lines, side_lines) = (base.lines(), side.lines());
    let mut hunks = Vec::new();
    let (mut b, mut s) = (0, 0);
    while b < base_lines || s < side_lines {
        if b < base_lines && s < side_lines && !base.get(b) && !side.get(s) {
            b += 1;
            s += 1;
            continue;
        }
        let hunk_start = (b, s);
        while b < base_lines && base.get(b) {
            b += 1;
        }
        while s < side_lines && side.get(s) {
            s += 1;
        }
        hunks.push(Hunk {
            base: signed(hunk_start.0),
            base_len: signed(b - hunk_start.0),
            side: signed(hunk_start.1),
            side_len: signed(s - hunk_start.1),
        });
    }
    hunks
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
