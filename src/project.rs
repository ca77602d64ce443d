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
/// one byte past the size bound (a file that grew past it still reads as past it).
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn inspected(root: &Path, rel: &str) -> String {
        match inspect(root, rel).unwrap() {
            Yours::Absent => "absent".to_owned(),
            Yours::File(c) => format!("{} bytes, executable {}", c.bytes.len(), c.executable),
            Yours::Other(what) => what,
        }
    }

    #[test]
    fn inspect_tells_files_from_everything_else_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("d/e")).unwrap();
        fs::write(root.join("d/e/f"), b"abc").unwrap();
        fs::write(root.join("x"), b"#!/bin/sh\n").unwrap();
        fs::set_permissions(root.join("x"), fs::Permissions::from_mode(0o744)).unwrap();
        fs::write(root.join("plain"), b"").unwrap();
        fs::set_permissions(root.join("plain"), fs::Permissions::from_mode(0o666)).unwrap();
        symlink("d", root.join("link")).unwrap();
        symlink("d/e/f", root.join("flink")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
        let fifo = std::ffi::CString::new(root.join("fifo").into_os_string().into_encoded_bytes())
            .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        assert_eq!(inspected(root, "d/e/f"), "3 bytes, executable false");
        assert_eq!(inspected(root, "x"), "10 bytes, executable true");
        assert_eq!(inspected(root, "plain"), "0 bytes, executable false");
        assert_eq!(inspected(root, "none"), "absent");
        assert_eq!(inspected(root, "none/deeper/f"), "absent");
        assert_eq!(inspected(root, "d/none/f"), "absent");
        assert_eq!(inspected(root, "d"), "a directory");
        assert_eq!(inspected(root, "flink"), "a symbolic link");
        assert_eq!(
            inspected(root, "link/e/f"),
            "inside 'link', a symbolic link"
        );
        assert_eq!(
            inspected(root, "d/e/f/g"),
            "under 'd/e/f', which is not a directory"
        );
        assert_eq!(inspected(root, "sock"), "a socket");
        assert_eq!(inspected(root, "fifo"), "a FIFO");
        assert_eq!(inspected(Path::new("/dev"), "null"), "a device");
        // Any failure but "not found" is an error, above the path or at it.
        let long = "n".repeat(300);
        assert!(inspect(root, &format!("{long}/f")).is_err());
        assert!(inspect(root, &format!("d/{long}")).is_err());
    }

    #[test]
    fn reading_never_follows_a_link_nor_waits_on_a_fifo_swapped_in() {
        // What read_regular meets when the path changed after inspect's lstat.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f"), b"abc").unwrap();
        symlink("f", root.join("link")).unwrap();
        let fifo = std::ffi::CString::new(root.join("fifo").into_os_string().into_encoded_bytes())
            .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        assert_eq!(read_regular(&root.join("f")).unwrap(), b"abc");
        assert!(
            read_regular(&root.join("link")).is_err(),
            "a link is not followed"
        );
        let err = read_regular(&root.join("fifo")).unwrap_err().to_string();
        assert!(
            err.contains("changed while quickscale was reading it"),
            "{err}"
        );
    }

    #[test]
    fn a_file_past_the_size_bound_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let sized = |name: &str, len: u64| {
            fs::File::create(root.join(name))
                .unwrap()
                .set_len(len)
                .unwrap();
        };
        sized("at", MAX_FILE_BYTES);
        sized("past", MAX_FILE_BYTES + 1);
        assert_eq!(
            inspected(root, "at"),
            format!("{MAX_FILE_BYTES} bytes, executable false")
        );
        assert_eq!(
            inspected(root, "past"),
            "a file of 32 MiB, too large to compare"
        );
        // A file that grew past the bound after the lstat reads one byte
        // past it, never the bound exactly: it still differs from every side.
        sized("grown", MAX_FILE_BYTES + 5);
        let read = read_regular(&root.join("grown")).unwrap();
        assert_eq!(read.len() as u64, MAX_FILE_BYTES + 1);
    }

    #[test]
    fn the_manifest_is_read_or_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(read_manifest(root).unwrap(), None);
        let mut manifest = Manifest {
            quickscale_version: crate::text::QUICKSCALE_VERSION.to_owned(),
            starter_digest: crate::starter::HEAD.digest.to_owned(),
            variables: Vec::new(),
            modules: Vec::new(),
            files: Vec::new(),
            conflicts: Vec::new(),
        };
        let path = root.join(manifest::FILE_NAME);
        fs::write(&path, manifest.to_toml()).unwrap();
        assert_eq!(read_manifest(root).unwrap(), Some(manifest.clone()));
        manifest.quickscale_version = "999.0.0".into();
        fs::write(&path, manifest.to_toml()).unwrap();
        assert!(read_manifest(root)
            .unwrap_err()
            .to_string()
            .contains("newer"));
        fs::write(&path, b"\xff\n").unwrap();
        assert!(read_manifest(root)
            .unwrap_err()
            .to_string()
            .contains("is not UTF-8 text"));
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(read_manifest(root)
            .unwrap_err()
            .to_string()
            .contains("is a directory, not a file"));
    }
}
