//! The line diff git uses, reimplemented so that a merge lines up exactly
//! as `git merge-file` lines it up: which lines changed decides whether two
//! changes touch (a conflict) or are apart (a clean merge).
//!
//! Two steps, both as in git's xdiff with default options: a Myers diff with
//! git's preparation of the input, tie-breaking and bounds on expensive
//! searches ([`mark_changes`]), then git's compaction of ambiguous hunks
//! ([`compact`]) without the indent heuristic, which `git merge-file` does
//! not use.

use std::collections::HashMap;

use super::signed;
use crate::deadline::Deadline;

/// One change of a side against base: base lines `base..base + base_len`
/// became side lines `side..side + side_len` (xdiff's `xdchange`). Line
/// numbers are signed because the region arithmetic of the merge, like
/// xdiff's, passes through negative intermediate values when regions fold
/// together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hunk {
    pub(crate) base: isize,
    pub(crate) base_len: isize,
    pub(crate) side: isize,
    pub(crate) side_len: isize,
}

/// The changes from `base` to `side`, normalised like xdiff normalises them
/// before merging, so that "touching" and "apart" mean what they mean to git.
pub(super) fn diff(base: &[&[u8]], side: &[&[u8]], deadline: Deadline) -> Vec<Hunk> {
    let (mut base_changed, mut side_changed) = mark_changes(base, side, deadline);
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
        // Both files have as many unchanged lines, so a hunk always moves on;
        // if that ever broke, fail rather than loop forever.
        assert!(
            hunk_start != (b, s),
            "unchanged lines out of step at {b}, {s}"
        );
        hunks.push(Hunk {
            base: signed(hunk_start.0),
            base_len: signed(b - hunk_start.0),
            side: signed(hunk_start.1),
            side_len: signed(s - hunk_start.1),
        });
    }
    hunks
}

/// Marks the lines of `a` and `b` that git's diff does not match, the way
/// git's Myers diff does it, so that merges line up exactly as git's do.
///
/// Git first drops the common prefix and suffix, then leaves out of the
/// search lines that cannot match (absent from the other file) and lines
/// that match too often (common lines amid unmatched ones); both count as
/// changed. The search itself is Myers' middle-snake divide and conquer, with
/// git's tie-breaking and its bounds on expensive searches. Past `deadline`
/// every box still to be searched is marked changed as a whole: coarser,
/// never wrong.
fn mark_changes(a: &[&[u8]], b: &[&[u8]], deadline: Deadline) -> (Changed, Changed) {
    let mut changed_a = Changed::new(a.len());
    let mut changed_b = Changed::new(b.len());
    let (class_a, class_b, counts) = classify(a, b);
    let prefix = class_a
        .iter()
        .zip(&class_b)
        .take_while(|(x, y)| x == y)
        .count();
    let suffix = class_a[prefix..]
        .iter()
        .rev()
        .zip(class_b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let kept_a = kept_lines(&class_a, prefix, suffix, |c| counts[c].1, &mut changed_a);
    let kept_b = kept_lines(&class_b, prefix, suffix, |c| counts[c].0, &mut changed_b);
    let mut search = Search::new(&kept_a, &kept_b, deadline);
    search.run(&mut changed_a, &mut changed_b);
    (changed_a, changed_b)
}

/// Numbers each distinct line (equal bytes, equal class) and counts each
/// class's lines in `a` and in `b`.
fn classify<'a>(a: &[&'a [u8]], b: &[&'a [u8]]) -> (Vec<usize>, Vec<usize>, Vec<(usize, usize)>) {
    let mut ids: HashMap<&'a [u8], usize> = HashMap::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut number = |line: &'a [u8], in_a: bool| {
        let next = ids.len();
        let id = *ids.entry(line).or_insert(next);
        if id == counts.len() {
            counts.push((0, 0));
        }
        if in_a {
            counts[id].0 += 1;
        } else {
            counts[id].1 += 1;
        }
        id
    };
    let class_a = a.iter().map(|line| number(line, true)).collect();
    let class_b = b.iter().map(|line| number(line, false)).collect();
    (class_a, class_b, counts)
}

/// A power of two near the square root of `n`, as git computes it for its
/// bounds.
fn rough_sqrt(mut n: usize) -> usize {
    let mut root = 1;
    while n > 0 {
        root <<= 1;
        n >>= 2;
    }
    root
}

/// Git's bound on how often a line may occur in the other file before it
/// counts as matching too often.
fn too_many(lines: usize) -> usize {
    rough_sqrt(lines).min(1024)
}

/// How a line takes part in the search.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    /// Absent from the other file: changed, whatever the search finds.
    None,
    Some,
    /// Occurs in the other file at least `too_many` times.
    Many,
}

/// The lines of one file that the search considers: (class, line number),
/// between the common prefix and suffix, without the lines that cannot
/// match or that match too often amid unmatched lines (those are marked
/// changed here).
fn kept_lines(
    classes: &[usize],
    prefix: usize,
    suffix: usize,
    in_other: impl Fn(usize) -> usize,
    changed: &mut Changed,
) -> Vec<(usize, usize)> {
    let limit = too_many(classes.len());
    let middle = prefix..classes.len() - suffix;
    let kinds: Vec<Match> = classes[middle.clone()]
        .iter()
        .map(|&class| match in_other(class) {
            0 => Match::None,
            n if n >= limit => Match::Many,
            _ => Match::Some,
        })
        .collect();
    let mut kept = Vec::new();
    for (i, &kind) in kinds.iter().enumerate() {
        let keep = match kind {
            Match::Some => true,
            Match::Many => !amid_unmatched(&kinds, i),
            Match::None => false,
        };
        if keep {
            kept.push((classes[prefix + i], prefix + i));
        } else {
            changed.set(prefix + i, true);
        }
    }
    kept
}

/// Whether the too-often-matching line `i` sits in a run of unmatched and
/// too-often-matching lines (looking up to 100 lines each way) that has
/// unmatched lines on both sides and is mostly unmatched: then it is noise
/// that would only mislead the search.
fn amid_unmatched(kinds: &[Match], i: usize) -> bool {
    const WINDOW: usize = 100;
    let run = |lines: &mut dyn Iterator<Item = &Match>| {
        let (mut unmatched, mut many) = (0, 0);
        for kind in lines {
            match kind {
                Match::None => unmatched += 1,
                Match::Many => many += 1,
                Match::Some => break,
            }
        }
        (unmatched, many)
    };
    let before = run(&mut kinds[i.saturating_sub(WINDOW)..i].iter().rev());
    if before.0 == 0 {
        return false;
    }
    let after = run(&mut kinds[i + 1..(i + 1 + WINDOW).min(kinds.len())].iter());
    if after.0 == 0 {
        return false;
    }
    // Git counts line `i` once on each side of it.
    let unmatched = before.0 + after.0;
    let many = 2 + before.1 + after.1;
    many * 4 < many + unmatched
}

/// Git's constants for bounding the search on expensive inputs.
const SNAKE: isize = 20;
const HEURISTIC_MIN_COST: isize = 256;
const HEURISTIC_FACTOR: isize = 4;

/// A box of the edit graph still to be searched: kept lines `a.0..a.1` of
/// `a` against `b.0..b.1` of `b`, and whether it must be searched for a
/// shortest edit script (no heuristics).
struct Box {
    a: (isize, isize),
    b: (isize, isize),
    minimal: bool,
}

/// Where a box splits in two, and how each half must be searched.
struct Split {
    a: isize,
    b: isize,
    minimal_before: bool,
    minimal_after: bool,
}

/// The divide-and-conquer search over the kept lines.
struct Search<'a> {
    a: &'a [(usize, usize)],
    b: &'a [(usize, usize)],
    /// Furthest reaching forward and backward paths by diagonal (`a - b`),
    /// stored at `diagonal + offset`.
    forward: Vec<isize>,
    backward: Vec<isize>,
    offset: isize,
    max_cost: isize,
    deadline: Deadline,
}

impl<'a> Search<'a> {
    fn new(a: &'a [(usize, usize)], b: &'a [(usize, usize)], deadline: Deadline) -> Self {
        let diagonals = a.len() + b.len() + 3;
        Search {
            a,
            b,
            forward: vec![0; diagonals],
            backward: vec![0; diagonals],
            offset: signed(b.len()) + 1,
            max_cost: signed(rough_sqrt(diagonals)).max(256),
            deadline,
        }
    }

    fn same(&self, i: isize, j: isize) -> bool {
        self.a[i as usize].0 == self.b[j as usize].0
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_past()
    }

    /// Searches every box, marking the lines no path matches. A stack
    /// instead of recursion: boxes are independent, and deep recursion on
    /// a large file could overflow the thread's stack.
    fn run(&mut self, changed_a: &mut Changed, changed_b: &mut Changed) {
        let mut boxes = vec![Box {
            a: (0, signed(self.a.len())),
            b: (0, signed(self.b.len())),
            minimal: false,
        }];
        while let Some(Box { a, b, minimal }) = boxes.pop() {
            let (mut start_a, mut end_a) = a;
            let (mut start_b, mut end_b) = b;
            while start_a < end_a && start_b < end_b && self.same(start_a, start_b) {
                start_a += 1;
                start_b += 1;
            }
            while start_a < end_a && start_b < end_b && self.same(end_a - 1, end_b - 1) {
                end_a -= 1;
                end_b -= 1;
            }
            let split = if start_a == end_a || start_b == end_b || self.past_deadline() {
                None
            } else {
                self.split((start_a, end_a), (start_b, end_b), minimal)
            };
            let Some(split) = split else {
                for i in start_a..end_a {
                    changed_a.set(self.a[i as usize].1, true);
                }
                for j in start_b..end_b {
                    changed_b.set(self.b[j as usize].1, true);
                }
                continue;
            };
            boxes.push(Box {
                a: (split.a, end_a),
                b: (split.b, end_b),
                minimal: split.minimal_after,
            });
            boxes.push(Box {
                a: (start_a, split.a),
                b: (start_b, split.b),
                minimal: split.minimal_before,
            });
        }
    }

    fn f(&self, d: isize) -> isize {
        self.forward[(d + self.offset) as usize]
    }

    fn set_f(&mut self, d: isize, v: isize) {
        self.forward[(d + self.offset) as usize] = v;
    }

    fn bk(&self, d: isize) -> isize {
        self.backward[(d + self.offset) as usize]
    }

    fn set_bk(&mut self, d: isize, v: isize) {
        self.backward[(d + self.offset) as usize] = v;
    }

    /// Finds where the box splits: the middle of a shortest path (forward
    /// and backward searches meet), or, on an expensive non-minimal search,
    /// a good enough point git's heuristics accept. None past the deadline.
    fn split(
        &mut self,
        (off_a, lim_a): (isize, isize),
        (off_b, lim_b): (isize, isize),
        minimal: bool,
    ) -> Option<Split> {
        let (dmin, dmax) = (off_a - lim_b, lim_a - off_b);
        let (fmid, bmid) = (off_a - off_b, lim_a - lim_b);
        let odd = (fmid - bmid) & 1 != 0;
        let (mut fmin, mut fmax, mut bmin, mut bmax) = (fmid, fmid, bmid, bmid);
        self.set_f(fmid, off_a);
        self.set_bk(bmid, lim_a);
        let met = |a: isize, b: isize| Split {
            a,
            b,
            minimal_before: true,
            minimal_after: true,
        };
        let mut cost: isize = 1;
        loop {
            if self.past_deadline() {
                return None;
            }
            let mut got_snake = false;
            if fmin > dmin {
                fmin -= 1;
                self.set_f(fmin - 1, -1);
            } else {
                fmin += 1;
            }
            if fmax < dmax {
                fmax += 1;
                self.set_f(fmax + 1, -1);
            } else {
                fmax -= 1;
            }
            let mut d = fmax;
            while d >= fmin {
                let mut i = if self.f(d - 1) >= self.f(d + 1) {
                    self.f(d - 1) + 1
                } else {
                    self.f(d + 1)
                };
                let start = i;
                let mut j = i - d;
                while i < lim_a && j < lim_b && self.same(i, j) {
                    i += 1;
                    j += 1;
                }
                if i - start > SNAKE {
                    got_snake = true;
                }
                self.set_f(d, i);
                if odd && bmin <= d && d <= bmax && self.bk(d) <= i {
                    return Some(met(i, j));
                }
                d -= 2;
            }
            if bmin > dmin {
                bmin -= 1;
                self.set_bk(bmin - 1, isize::MAX);
            } else {
                bmin += 1;
            }
            if bmax < dmax {
                bmax += 1;
                self.set_bk(bmax + 1, isize::MAX);
            } else {
                bmax -= 1;
            }
            let mut d = bmax;
            while d >= bmin {
                let mut i = if self.bk(d - 1) < self.bk(d + 1) {
                    self.bk(d - 1)
                } else {
                    self.bk(d + 1) - 1
                };
                let start = i;
                let mut j = i - d;
                while i > off_a && j > off_b && self.same(i - 1, j - 1) {
                    i -= 1;
                    j -= 1;
                }
                if start - i > SNAKE {
                    got_snake = true;
                }
                self.set_bk(d, i);
                if !odd && fmin <= d && d <= fmax && i <= self.f(d) {
                    return Some(met(i, j));
                }
                d -= 2;
            }
            if !minimal {
                if got_snake && cost > HEURISTIC_MIN_COST {
                    if let Some(split) = self.good_snake(
                        (off_a, lim_a),
                        (off_b, lim_b),
                        (fmin, fmax, fmid),
                        (bmin, bmax, bmid),
                        cost,
                    ) {
                        return Some(split);
                    }
                }
                if cost >= self.max_cost {
                    return Some(self.furthest(
                        (off_a, lim_a),
                        (off_b, lim_b),
                        (fmin, fmax),
                        (bmin, bmax),
                    ));
                }
            }
            cost += 1;
        }
    }
}

impl Search<'_> {
    /// Git's heuristic for long searches: a diagonal that got far from the
    /// start (or end) and ends (or starts) in a run of `SNAKE` matching
    /// lines is a good enough split.
    fn good_snake(
        &self,
        (off_a, lim_a): (isize, isize),
        (off_b, lim_b): (isize, isize),
        (fmin, fmax, fmid): (isize, isize, isize),
        (bmin, bmax, bmid): (isize, isize, isize),
        cost: isize,
    ) -> Option<Split> {
        let mut best = 0;
        let mut found = None;
        let mut d = fmax;
        while d >= fmin {
            let i = self.f(d);
            let j = i - d;
            let v = (i - off_a) + (j - off_b) - (d - fmid).abs();
            if v > HEURISTIC_FACTOR * cost
                && v > best
                && off_a + SNAKE <= i
                && i < lim_a
                && off_b + SNAKE <= j
                && j < lim_b
                && (1..=SNAKE).all(|k| self.same(i - k, j - k))
            {
                best = v;
                found = Some((i, j));
            }
            d -= 2;
        }
        if let Some((a, b)) = found {
            return Some(Split {
                a,
                b,
                minimal_before: true,
                minimal_after: false,
            });
        }
        let mut d = bmax;
        while d >= bmin {
            let i = self.bk(d);
            let j = i - d;
            let v = (lim_a - i) + (lim_b - j) - (d - bmid).abs();
            if v > HEURISTIC_FACTOR * cost
                && v > best
                && off_a < i
                && i <= lim_a - SNAKE
                && off_b < j
                && j <= lim_b - SNAKE
                && (0..SNAKE).all(|k| self.same(i + k, j + k))
            {
                best = v;
                found = Some((i, j));
            }
            d -= 2;
        }
        found.map(|(a, b)| Split {
            a,
            b,
            minimal_before: false,
            minimal_after: true,
        })
    }

    /// Git's last resort when a search costs too much: split where the
    /// forward or the backward search got furthest.
    fn furthest(
        &self,
        (off_a, lim_a): (isize, isize),
        (off_b, lim_b): (isize, isize),
        (fmin, fmax): (isize, isize),
        (bmin, bmax): (isize, isize),
    ) -> Split {
        let (mut fbest, mut fbest_a) = (-1, -1);
        let mut d = fmax;
        while d >= fmin {
            let mut i = self.f(d).min(lim_a);
            let mut j = i - d;
            if lim_b < j {
                i = lim_b + d;
                j = lim_b;
            }
            if fbest < i + j {
                fbest = i + j;
                fbest_a = i;
            }
            d -= 2;
        }
        let (mut bbest, mut bbest_a) = (isize::MAX, isize::MAX);
        let mut d = bmax;
        while d >= bmin {
            let mut i = self.bk(d).max(off_a);
            let mut j = i - d;
            if j < off_b {
                i = off_b + d;
                j = off_b;
            }
            if i + j < bbest {
                bbest = i + j;
                bbest_a = i;
            }
            d -= 2;
        }
        if (lim_a + lim_b) - bbest < fbest - (off_a + off_b) {
            Split {
                a: fbest_a,
                b: fbest - fbest_a,
                minimal_before: true,
                minimal_after: false,
            }
        } else {
            Split {
                a: bbest_a,
                b: bbest - bbest_a,
                minimal_before: false,
                minimal_after: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_grow_like_gits_rough_square_root() {
        // git's xdl_bogosqrt: the power of two above the square root's bits.
        for (n, root) in [
            (0, 1),
            (1, 2),
            (3, 2),
            (4, 4),
            (15, 4),
            (16, 8),
            (1000, 32),
            (1_000_000, 1024),
            (5_000_000, 4096),
        ] {
            assert_eq!(rough_sqrt(n), root, "rough_sqrt({n})");
        }
        assert_eq!(too_many(1000), 32);
        assert_eq!(too_many(5_000_000), 1024, "capped as git caps it");
    }

    #[test]
    fn a_too_common_line_is_noise_only_amid_mostly_unmatched_lines() {
        use Match::{Many, None as Unmatched, Some as Matched};
        let kinds = |before: &[Match], after: &[Match]| {
            let mut kinds = before.to_vec();
            kinds.push(Many);
            kinds.extend_from_slice(after);
            (kinds, before.len())
        };
        let noise = |(kinds, i): (Vec<Match>, usize)| amid_unmatched(&kinds, i);
        // Git counts the line itself once on each side: 2 too-common lines
        // against the unmatched ones, noise when 3 * many < unmatched.
        assert!(noise(kinds(&[Unmatched; 4], &[Unmatched; 3])));
        assert!(!noise(kinds(&[Unmatched; 3], &[Unmatched; 3])));
        // Other too-common lines in the run count on their side.
        assert!(noise(kinds(
            &[Unmatched, Unmatched, Unmatched, Unmatched, Unmatched, Many],
            &[Unmatched; 5]
        )));
        assert!(!noise(kinds(
            &[Unmatched, Unmatched, Unmatched, Unmatched, Many],
            &[Unmatched; 4]
        )));
        assert!(!noise(kinds(
            &[Unmatched; 4],
            &[Many, Unmatched, Unmatched, Unmatched]
        )));
        // The run must have unmatched lines on both sides, and ends at a
        // line that matches.
        assert!(!noise(kinds(&[], &[Unmatched; 9])));
        assert!(!noise(kinds(&[Unmatched; 9], &[])));
        assert!(!noise(kinds(&[Unmatched; 9], &[Many, Many])));
        assert!(!noise(kinds(
            &[Unmatched, Unmatched, Unmatched, Unmatched, Matched],
            &[Unmatched; 9]
        )));
        assert!(!noise(kinds(
            &[Unmatched; 9],
            &[Matched, Unmatched, Unmatched, Unmatched, Unmatched]
        )));
        // It looks at most 100 lines each way: too-common lines further away
        // would outweigh the unmatched ones.
        let mut before = vec![Many; 40];
        before.extend([Unmatched; 100]);
        assert!(noise(kinds(&before, &[Unmatched; 3])));
        let mut after = vec![Unmatched; 100];
        after.extend([Many; 40]);
        assert!(noise(kinds(&[Unmatched; 3], &after)));
        assert!(
            !noise(kinds(&[Unmatched; 3], &after[60..])),
            "the window is what hides them"
        );
        // Exactly 100: at 99 lines, 41 too-common ones would weigh less than
        // the 124 unmatched.
        let mut after = vec![Unmatched; 60];
        after.extend([Many; 40]);
        assert!(!noise(kinds(&[Unmatched; 64], &after)));
        after.pop();
        assert!(noise(kinds(&[Unmatched; 64], &after)));
    }

    #[test]
    fn the_search_skips_unmatched_lines_and_too_common_ones_amid_them() {
        // Line kinds by how often each occurs in the other file: never (N),
        // a few times (S), at least the bound's 4 times for 13 lines (M).
        let kinds = "pNNNNMNNNSMSs";
        let in_other = |class: usize| match kinds.as_bytes()[class] {
            b'N' => 0,
            b'S' | b'p' | b's' => 1,
            _ => 100,
        };
        let classes: Vec<usize> = (0..kinds.len()).collect();
        let mut changed = Changed::new(kinds.len());
        // The common prefix and suffix (p, s) are left alone.
        let kept = kept_lines(&classes, 1, 1, in_other, &mut changed);
        assert_eq!(
            kept,
            [(9, 9), (10, 10), (11, 11)],
            "S, the M between S's, S"
        );
        let marked: Vec<usize> = (0..kinds.len()).filter(|&i| changed.get(i)).collect();
        assert_eq!(
            marked,
            [1, 2, 3, 4, 5, 6, 7, 8],
            "the N's and the M amid them"
        );
    }
}
