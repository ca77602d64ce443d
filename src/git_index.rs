//! Pure: what git's index and `git ls-tree` say about a few paths, and git's
//! object names, so that the dirty check proves starter paths clean from
//! their bytes.
//!
//! Why not simply ask git: every git command that answers "is this path
//! uncommitted" reads the whole index and matches each of its entries
//! against every pathspec. In a project with 100,000 committed files that
//! is a 10 MB index and 100,000 × 60 pathspec matches, hundreds of
//! milliseconds, for the 60 paths an upgrade writes. Here the index is
//! scanned once for exactly those paths, and a path is clean when its bytes
//! hash to the blob the index holds and the index holds what HEAD holds. No
//! stat information is used, so a file that was only touched, copied with
//! `cp -a` or restored from a tarball is clean.
//!
//! Only "clean" and "dirty" that are certain are decided here. Everything
//! else (a file whose bytes differ from the index, which a clean filter, an
//! end-of-line conversion or `core.fileMode` may explain; a file the index
//! does not track, which may be ignored; a symbolic link, a submodule, a
//! sparse entry; an index this reader does not read exactly) is left to git
//! itself, asked about those paths alone.

use std::collections::{BTreeMap, BTreeSet};

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The repository's object format (`extensions.objectFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sha1,
    Sha256,
}

impl Format {
    /// The format `git rev-parse --show-object-format` names; None for
    /// anything else (an older git prints the option back).
    pub(crate) fn parse(name: &str) -> Option<Format> {
        match name {
            "sha1" => Some(Format::Sha1),
            "sha256" => Some(Format::Sha256),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Format::Sha1 => 20,
            Format::Sha256 => 32,
        }
    }
}

/// One index entry of a wanted path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub mode: u32,
    pub oid: Vec<u8>,
    /// 0 when merged; 1, 2, 3 for an unmerged path's base, ours, theirs.
    pub stage: u8,
    pub intent_to_add: bool,
    pub skip_worktree: bool,
}

/// What HEAD's tree holds at a path (`git ls-tree`): its mode, type and
/// object name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tracked {
    pub(crate) mode: u32,
    pub(crate) blob: bool,
    pub(crate) oid: Vec<u8>,
}

impl Tracked {
    /// HEAD's entry, read from an index entry known to be HEAD's.
    pub(crate) fn of(entry: &Entry) -> Tracked {
        Tracked {
            mode: entry.mode,
            // Only a submodule's entry (a gitlink) names a commit.
            blob: entry.mode & 0o170000 != 0o160000,
            oid: entry.oid.clone(),
        }
    }
}

/// What the work tree holds at a path, as the project reader saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Worktree<'a> {
    Absent,
    File {
        bytes: &'a [u8],
        executable: bool,
    },
    /// A directory, a symbolic link, a path under one, anything else.
    Other,
}

/// The answer for one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The work tree, the index and HEAD agree, byte for byte.
    Clean,
    /// Certainly uncommitted: staged, unmerged, added, or deleted.
    Dirty,
    /// Only git can say (filters, ignore rules, file modes, links).
    AskGit,
}

const MODE_FILE: u32 = 0o100644;
const MODE_EXECUTABLE: u32 = 0o100755;

/// Decides one path from HEAD's entry, the index's entries and the work
/// tree's bytes.
pub(crate) fn verdict(
    format: Format,
    head: Option<&Tracked>,
    index: &[Entry],
    worktree: Worktree,
) -> Verdict {
    if worktree == Worktree::Other {
        return Verdict::AskGit;
    }
    if index.iter().any(|e| e.stage != 0) {
        return Verdict::Dirty;
    }
    let staged = index.iter().find(|e| e.stage == 0);
    if let Some(entry) = staged {
        if entry.skip_worktree {
            return Verdict::AskGit;
        }
        if entry.intent_to_add {
            return Verdict::Dirty;
        }
        if entry.mode != MODE_FILE && entry.mode != MODE_EXECUTABLE {
            return Verdict::AskGit;
        }
    }
    if let Some(tracked) = head {
        if !tracked.blob || (tracked.mode != MODE_FILE && tracked.mode != MODE_EXECUTABLE) {
            return Verdict::AskGit;
        }
    }
    // Staged: the index differs from HEAD.
    match (head, staged) {
        (None, None) => {}
        (Some(tracked), Some(entry)) if tracked.mode == entry.mode && tracked.oid == entry.oid => {}
        _ => return Verdict::Dirty,
    }
    match (worktree, staged) {
        (Worktree::Absent, None) => Verdict::Clean,
        (Worktree::Absent, Some(_)) => Verdict::Dirty,
        (Worktree::File { bytes, executable }, Some(entry)) => {
            if executable == (entry.mode == MODE_EXECUTABLE) && blob_id(format, bytes) == entry.oid
            {
                Verdict::Clean
            } else {
                Verdict::AskGit
            }
        }
        // Untracked, unless an ignore rule says otherwise.
        (Worktree::File { .. }, None) | (Worktree::Other, _) => Verdict::AskGit,
    }
}

/// The index's entries for the `wanted` paths (named from the work tree's
/// top), every stage of each. None when the index is not one this reader
/// reads exactly: another version, a split or sparse index, an extension
/// git requires readers to understand, entries out of git's order, or
/// anything malformed.
pub fn entries(
    index: &[u8],
    format: Format,
    wanted: &BTreeSet<&str>,
) -> Option<BTreeMap<String, Vec<Entry>>> {
    read(index, format, wanted).map(|read| read.entries)
}

/// What one read of the index gives the dirty check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    /// The wanted paths' entries, as [`entries`] gives them.
    pub(crate) entries: BTreeMap<String, Vec<Entry>>,
    /// The tree the whole index would be written as, when git's cache of it
    /// (the `TREE` extension) is valid at the root. When it is HEAD's tree,
    /// every entry of the index is HEAD's: `git ls-tree` need not be asked.
    pub(crate) tree: Option<Vec<u8>>,
}

/// [`entries`], and the index's tree where git cached it.
///
/// One pass over the entries, in step with the sorted `wanted`: git keeps
/// the entries sorted by name, and an index that is not is refused, so no
/// wanted entry can hide out of place.
pub(crate) fn read(index: &[u8], format: Format, wanted: &BTreeSet<&str>) -> Option<Read> {
    let hash = format.len();
    if index.len() < 12 + hash || &index[..4] != b"DIRC" {
        return None;
    }
    let version = u32::from_be_bytes(index[4..8].try_into().ok()?);
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32::from_be_bytes(index[8..12].try_into().ok()?) as usize;
    let wanted: Vec<&[u8]> = wanted.iter().map(|w| w.as_bytes()).collect();
    let mut next = 0;
    let end = index.len() - hash;
    let mut at = 12;
    // Version 4 names are the previous name, shortened, plus a suffix.
    let mut name: Vec<u8> = Vec::new();
    let mut previous = 0..0;
    let mut found: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for _ in 0..count {
        let start = at;
        let fixed = 40 + hash + 2;
        if at + fixed > end {
            return None;
        }
        let mode = u32::from_be_bytes(index[at + 24..at + 28].try_into().ok()?);
        let oid = &index[at + 40..at + 40 + hash];
        let flags = u16::from_be_bytes(index[at + 40 + hash..at + fixed].try_into().ok()?);
        at += fixed;
        let mut extended = 0u16;
        if flags & 0x4000 != 0 {
            if version < 3 || at + 2 > end {
                return None;
            }
            extended = u16::from_be_bytes(index[at..at + 2].try_into().ok()?);
            at += 2;
        }
        let this: &[u8] = if version == 4 {
            let (strip, used) = varint(&index[at..end])?;
            at += used;
            let length = index[at..end].iter().position(|b| *b == 0)?;
            let suffix = &index[at..at + length];
            at += length + 1;
            let kept = name.len().checked_sub(strip)?;
            // In order: the new tail sorts at or after the one it replaces.
            if suffix < &name[kept..] {
                return None;
            }
            name.truncate(kept);
            name.extend_from_slice(suffix);
            &name
        } else {
            // The flags hold the name's length up to 0xFFF; a longer name
            // ends at its NUL. Checking for that NUL rather than searching
            // for it is what keeps a scan of 100,000 entries cheap.
            let length = match usize::from(flags & 0x0FFF) {
                0x0FFF => index[at..end].iter().position(|b| *b == 0)?,
                length if at + length < end && index[at + length] == 0 => length,
                _ => return None,
            };
            let this = at..at + length;
            at += length + 1;
            // Padded with NULs to a multiple of eight, counting the one
            // that ends the name.
            at = start + (at - start).div_ceil(8) * 8;
            if at > end || index[this.clone()] < index[previous.clone()] {
                return None;
            }
            previous = this.clone();
            &index[this]
        };
        // A sparse index's directory entries stand for many paths.
        if mode & 0o170000 == 0o040000 {
            return None;
        }
        while next < wanted.len() && wanted[next] < this {
            next += 1;
        }
        if next < wanted.len() && wanted[next] == this {
            found
                .entry(String::from_utf8_lossy(this).into_owned())
                .or_default()
                .push(Entry {
                    mode,
                    oid: oid.to_vec(),
                    stage: ((flags >> 12) & 3) as u8,
                    intent_to_add: extended & 0x2000 != 0,
                    skip_worktree: extended & 0x4000 != 0,
                });
        }
    }
    // Extensions: a split index ("link") keeps entries in another file, a
    // sparse one ("sdir") folds directories; any extension whose name does
    // not start with a capital letter must be understood to read the index.
    let mut tree = None;
    while at < end {
        if at + 8 > end {
            return None;
        }
        let signature = &index[at..at + 4];
        let size = u32::from_be_bytes(index[at + 4..at + 8].try_into().ok()?) as usize;
        if !signature[0].is_ascii_uppercase() {
            return None;
        }
        let data = index.get(at + 8..(at + 8).checked_add(size)?)?;
        if signature == b"TREE" {
            tree = cached_root_tree(data, format, count);
        }
        at = at.checked_add(8 + size)?;
    }
    (at == end).then_some(Read {
        entries: found,
        tree,
    })
}

/// The root of git's cache tree (the `TREE` extension's first record: an
/// empty name, "ENTRIES SUBTREES\n", then the tree's object name), when it
/// is valid and covers all `count` entries. git marks a root it must
/// recompute with -1 entries: after any change to the index (an added,
/// removed or unmerged entry, an intent-to-add one), until the next
/// `commit`, `reset` or `write-tree`.
fn cached_root_tree(data: &[u8], format: Format, count: usize) -> Option<Vec<u8>> {
    let record = data.strip_prefix(b"\0")?;
    let newline = record.iter().position(|b| *b == b'\n')?;
    let (covered, _subtrees) = std::str::from_utf8(&record[..newline])
        .ok()?
        .split_once(' ')?;
    // "-1" does not parse as a count: an invalid root.
    if covered.parse::<usize>().ok()? != count {
        return None;
    }
    let oid = record.get(newline + 1..newline + 1 + format.len())?;
    Some(oid.to_vec())
}

/// git's offset varint (the index's version 4 name compression).
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    used += 1;
    let mut value = (byte & 0x7f) as usize;
    while byte & 0x80 != 0 {
        value = value.checked_add(1)?.checked_mul(128)?;
        byte = *bytes.get(used)?;
        used += 1;
        value += (byte & 0x7f) as usize;
    }
    Some((value, used))
}

/// `git ls-tree -z` output: `mode type oid\tpath` records.
pub(crate) fn parse_ls_tree(output: &[u8], format: Format) -> Option<BTreeMap<String, Tracked>> {
    let mut tree = BTreeMap::new();
    for record in output.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let tab = record.iter().position(|b| *b == b'\t')?;
        let head = std::str::from_utf8(&record[..tab]).ok()?;
        let path = std::str::from_utf8(&record[tab + 1..]).ok()?;
        let mut fields = head.split(' ');
        let mode = u32::from_str_radix(fields.next()?, 8).ok()?;
        let kind = fields.next()?;
        let oid = hex_decode(fields.next()?)?;
        if oid.len() != format.len() || fields.next().is_some() {
            return None;
        }
        tree.insert(
            path.to_owned(),
            Tracked {
                mode,
                blob: kind == "blob",
                oid,
            },
        );
    }
    Some(tree)
}

pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The object name git gives `bytes` as a blob.
pub(crate) fn blob_id(format: Format, bytes: &[u8]) -> Vec<u8> {
    let header = format!("blob {}\0", bytes.len());
    match format {
        Format::Sha1 => {
            // SHA-1 names git's objects; it protects nothing here.
            let mut hasher = Sha1::new();
            hasher.update(header.as_bytes());
            hasher.update(bytes);
            hasher.finalize().to_vec()
        }
        Format::Sha256 => {
            let mut hasher = Sha256::new();
            hasher.update(header.as_bytes());
            hasher.update(bytes);
            hasher.finalize().to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`, and the empty blob.
        assert_eq!(
            hex(&blob_id(Format::Sha1, b"hello\n")),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            hex(&blob_id(Format::Sha1, b"")),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
        // `git hash-object --object-format=sha256` of the empty blob.
        assert_eq!(
            hex(&blob_id(Format::Sha256, b"")),
            "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813"
        );
    }
}
