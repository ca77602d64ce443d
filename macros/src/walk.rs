//! Lists the files under starter/, in one deterministic order.
//!
//! Plain std only: build.rs includes this file with `#[path]` so that the
//! digest it exports and the table the macro emits see exactly the same files.

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
/// Errors name the offending path as `starter/<path>` so that a build failure
/// points at the file to fix.
pub fn walk_starter(root: &Path) -> Result<Vec<StarterEntry>, String> {
    let mut entries = Vec::new();
    walk_dir(root, root, &mut entries)?;
    entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(entries)
}

fn walk_dir(root: &Path, dir: &Path, out: &mut Vec<StarterEntry>) -> Result<(), String> {
    let read = fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot list directory: {e}", shown(root, dir)))?;
    for item in read {
        let item = item.map_err(|e| format!("{}: cannot list directory: {e}", shown(root, dir)))?;
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            return Err(format!(
                "{}:1:1: file name is not valid UTF-8; rename it",
                shown(root, &path)
            ));
        };
        if IGNORED_NAMES.contains(&name.as_str()) || name.ends_with(".pyc") {
            continue;
        }
        let meta =
            fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", shown(root, &path)))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "{}:1:1: symbolic links are not supported in the starter; copy the file instead",
                shown(root, &path)
            ));
        } else if meta.is_dir() {
            walk_dir(root, &path, out)?;
        } else if meta.is_file() {
            let rel = relative(root, &path);
            out.push(StarterEntry {
                rel,
                abs: fs::canonicalize(&path).map_err(|e| format!("{}: {e}", shown(root, &path)))?,
                executable: is_executable(&meta),
            });
        } else {
            return Err(format!(
                "{}:1:1: not a regular file or directory; remove it",
                shown(root, &path)
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

/// `starter/<relative path>`, the form every build error uses.
fn shown(root: &Path, path: &Path) -> String {
    let rel = relative(root, path);
    if rel.is_empty() {
        "starter".to_owned()
    } else {
        format!("starter/{rel}")
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
