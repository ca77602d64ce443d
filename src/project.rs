#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "reads a project's files safely: the one reader of a project"
)]
//! Reading a project safely: what stands at one starter path, and the manifest.
//!
//! A project is untrusted input. Nothing here follows a symbolic link (at the
//! path or at any directory above it inside the project), opens a FIFO, socket
//! or device, or reads a file without a size bound. Only the paths asked for
//! are looked at, so the cost grows with the starter, never with the project.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use crate::compare::{Content, Yours};
use crate::error::{escape_controls, Error, Result};
use crate::manifest::{self, Manifest};

/// Files larger than this are not read: no starter file comes close, so such a
/// file differs from every side, and a line merge of it would be pointless.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// What the project has at `rel` (a validated, relative, `/`-separated path).
pub fn inspect(root: &Path, rel: &str) -> Result<Yours> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    let (name, dirs) = parts.split_last().expect("split yields at least one part");
    for (depth, dir) in dirs.iter().enumerate() {
        at.push(dir);
        let shown = parts[..=depth].join("/");
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if meta.file_type().is_symlink() => {
                return Ok(Yours::Other(format!(
                    "inside '{}', a symbolic link",
                    escape_controls(&shown)
                )))
            }
            Ok(_) => {
                return Ok(Yours::Other(format!(
                    "under '{}', which is not a directory",
                    escape_controls(&shown)
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Yours::Absent),
            Err(e) => return Err(Error::io("inspect", &at, &e)),
        }
    }
    at.push(name);
    let meta = match fs::symlink_metadata(&at) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Yours::Absent),
        Err(e) => return Err(Error::io("inspect", &at, &e)),
    };
    let kind = meta.file_type();
    let other = |what: &str| Ok(Yours::Other(what.to_owned()));
    if kind.is_symlink() {
        return other("a symbolic link");
    } else if kind.is_dir() {
        return other("a directory");
    } else if kind.is_fifo() {
        return other("a FIFO");
    } else if kind.is_socket() {
        return other("a socket");
    } else if kind.is_block_device() || kind.is_char_device() {
        return other("a device");
    } else if meta.len() > MAX_FILE_BYTES {
        return Ok(Yours::Other(format!(
            "a file of {} MiB, too large to compare",
            meta.len() / (1024 * 1024)
        )));
    }
    let bytes = read_regular(&at)?;
    Ok(Yours::File(Content {
        bytes,
        executable: meta.permissions().mode() & 0o111 != 0,
    }))
}

/// Reads a file that `symlink_metadata` just called regular, refusing to
/// follow a link or block on a FIFO swapped in meanwhile, and never more than
/// the size bound.
fn read_regular(path: &Path) -> Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io("read", path, &e))?;
    let meta = file.metadata().map_err(|e| Error::io("read", path, &e))?;
    if !meta.is_file() {
        return Err(Error::new(format!(
            "'{}' changed while quickscale was reading it; run the command again",
            path.display()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, &e))?;
    Ok(bytes)
}

/// The project's manifest, or None when it has none. Errors say how to
/// proceed: restore it, or compare by name.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = dir.join(manifest::FILE_NAME);
    let shown = path.display().to_string();
    let text = match inspect(dir, manifest::FILE_NAME)? {
        Yours::Absent => return Ok(None),
        Yours::File(content) => String::from_utf8(content.bytes).map_err(|_| {
            Error::new(format!(
                "{shown} is not UTF-8 text; the manifest is corrupt: restore it from version control \
                 (git checkout -- {}) or run diff with --name to compare without it",
                manifest::FILE_NAME
            ))
        })?,
        Yours::Other(what) => {
            return Err(Error::new(format!(
                "{shown} is {what}, not a file; restore the manifest from version control \
                 (git checkout -- {})",
                manifest::FILE_NAME
            )))
        }
    };
    let manifest = Manifest::parse(&text, &shown)?;
    manifest.check_not_newer(&shown)?;
    Ok(Some(manifest))
}
