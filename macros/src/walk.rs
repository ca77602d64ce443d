#![allow(
    clippy::disallowed_methods,
    reason = "lists and inspects the starter trees on disk at compile time"
)]
//! Lists the files of a starter tree (starter/ or a history/<version>/
//! snapshot), in one deterministic order. Plain std only.

use std::fs;
use std::path::{Path, PathBuf};

/// One regular file found under the starter root.
#[derive(Debug, Clone)]
pub struct StarterEntry {
    /// Path relative to the root, `/`-separated, exactly as written on disk.
    pub rel: String,
    /// Absolute path, for reading and for `include_bytes!`.
    pub abs: PathBuf,
    /// Any execute bit set on the source file.
    pub executable: bool,
}

/// Names that tools drop into a working tree and that never belong in a
/// generated project. Skipping them keeps a stray test run from changing the
/// binary.
const IGNORED_NAMES: &[&str] = &["__pycache__", ".pytest_cache", ".ruff_cache", ".DS_Store"];

/// Walks `root` recursively and returns its files sorted by relative path.
///
/// Errors name the offending path as `<label>/<path>` (`label` is how the
/// root is spelled in the repository, e.g. `starter` or `history/0.1.0`) so
/// that a build failure points at the file to fix.
pub fn walk_starter(root: &Path, label: &str) -> Result<Vec<StarterEntry>, String> {
    let mut entries = Vec::new();
    let tree = Tree { root, label };
    walk_dir(&tree, root, &mut entries)?;
    entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(entries)
}

/// The tree being walked: where it is and how errors spell it.
struct Tree<'a> {
    root: &'a Path,
    label: &'a str,
}

fn walk_dir(tree: &Tree<'_>, dir: &Path, out: &mut Vec<StarterEntry>) -> Result<(), String> {
    let read = fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot list directory: {e}", shown(tree, dir)))?;
    for item in read {
        let item = item.map_err(|e| format!("{}: cannot list directory: {e}", shown(tree, dir)))?;
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            return Err(format!(
                "{}:1:1: file name is not valid UTF-8; rename it",
                shown(tree, &path)
            ));
        };
        if IGNORED_NAMES.contains(&name.as_str()) || name.ends_with(".pyc") {
            continue;
        }
        let meta =
            fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", shown(tree, &path)))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "{}:1:1: symbolic links are not supported in the starter; copy the file instead",
                shown(tree, &path)
            ));
        } else if meta.is_dir() {
            walk_dir(tree, &path, out)?;
        } else if meta.is_file() {
            let rel = relative(tree.root, &path);
            out.push(StarterEntry {
                rel,
                abs: fs::canonicalize(&path).map_err(|e| format!("{}: {e}", shown(tree, &path)))?,
                executable: is_executable(&meta),
            });
        } else {
            return Err(format!(
                "{}:1:1: not a regular file or directory; remove it",
                shown(tree, &path)
            ));
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// `<label>/<relative path>`, the form every build error uses.
fn shown(tree: &Tree<'_>, path: &Path) -> String {
    let rel = relative(tree.root, path);
    if rel.is_empty() {
        tree.label.to_owned()
    } else {
        format!("{}/{rel}", tree.label)
    }
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}
