//! `quickscale init`: validate everything, render the starter into a hidden
//! staging directory, then move it into place in one step.
//!
//! Nothing is written before every check has passed, and nothing that existed
//! before is overwritten or deleted. A new directory appears by a single
//! rename, so no reader ever sees half a project; a failure removes the
//! staging directory.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::env_file;
use crate::error::{Error, Result};
use crate::manifest::{self, Manifest};
use crate::names::{self, ProjectNames};
use crate::render::{self, RenderedFile, Values};
use crate::starter;

/// What init made, for the summary it prints.
#[derive(Debug)]
pub struct Created {
    pub root: PathBuf,
    pub names: ProjectNames,
    /// Starter files written, not counting `.env` and the manifest.
    pub file_count: usize,
    /// Whether the target directory existed (empty) before: no `cd` needed for `.`.
    pub into_existing: bool,
}

/// Where the project goes.
enum Target {
    /// Nothing there yet; the parent exists.
    New { parent: PathBuf },
    /// An existing directory that is empty or holds only `.git`.
    Existing,
}

pub fn init(path: &Path, name: Option<&str>) -> Result<Created> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => names::name_from_path(path)?,
    };
    let names = names::project_names(&name, &starter::top_level_modules())?;
    let target = check_target(path)?;
    let values = Values::for_names(&names);
    let files = render::render(&starter::HEAD, &values);
    let manifest = Manifest::for_render(&values, &files, Vec::new());
    let env_text = env_file::new_file()?;

    let into_existing = match target {
        Target::New { parent } => {
            let staging = staging_dir(&parent)?;
            let project = staging.path().join("project");
            fs::create_dir(&project).map_err(|e| Error::io("create", &project, &e))?;
            write_project(&project, path, &files, &manifest, &env_text)?;
            fs::rename(&project, path).map_err(|e| Error::io("create", path, &e))?;
            false
        }
        Target::Existing => {
            let staging = staging_dir(path)?;
            write_project(staging.path(), path, &files, &manifest, &env_text)?;
            move_entries(staging.path(), path)?;
            true
        }
    };
    Ok(Created {
        root: path.to_owned(),
        names,
        file_count: files.len(),
        into_existing,
    })
}

fn check_target(path: &Path) -> Result<Target> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let entries = fs::read_dir(path).map_err(|e| Error::io("read", path, &e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io("read", path, &e))?;
                if entry.file_name() != ".git" {
                    return Err(Error::new(format!(
                        "'{}' already exists and is not empty; choose a new directory, \
                         or run init in an empty one (a lone .git is fine)",
                        path.display()
                    )));
                }
            }
            Ok(Target::Existing)
        }
        Ok(_) => Err(Error::new(format!(
            "'{}' already exists and is not a directory; choose a new directory",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                _ => PathBuf::from("."),
            };
            match fs::metadata(&parent) {
                Ok(meta) if meta.is_dir() => Ok(Target::New { parent }),
                Ok(_) => Err(Error::new(format!("'{}' is not a directory; choose another path", parent.display()))),
                Err(_) => Err(Error::new(format!(
                    "the parent directory '{}' does not exist; create it first (mkdir -p {}) or choose another path",
                    parent.display(),
                    parent.display()
                ))),
            }
        }
        Err(e) => Err(Error::io("inspect", path, &e)),
    }
}

fn staging_dir(parent: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(".quickscale-init-")
        .tempdir_in(parent)
        .map_err(|e| Error::io("write in", parent, &e))
}

/// Writes the starter files, `.env` and the manifest under `root`; errors name
/// the file by its final place, `shown_root`.
fn write_project(
    root: &Path,
    shown_root: &Path,
    files: &[RenderedFile],
    manifest: &Manifest,
    env: &str,
) -> Result<()> {
    // Each directory is made once, before its files, instead of once per file.
    let mut dirs: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        fs::create_dir_all(root.join(dir))
            .map_err(|e| Error::io("create", &shown_root.join(dir), &e))?;
    }
    for file in files {
        let mode = if file.executable { 0o755 } else { 0o644 };
        write_new(root, shown_root, &file.path, &file.bytes, mode)?;
    }
    write_new(root, shown_root, env_file::FILE, env.as_bytes(), 0o600)?;
    write_new(
        root,
        shown_root,
        manifest::FILE_NAME,
        manifest.to_toml().as_bytes(),
        0o644,
    )
}

fn write_new(
    root: &Path,
    shown_root: &Path,
    relative: &str,
    bytes: &[u8],
    mode: u32,
) -> Result<()> {
    let dest = root.join(relative);
    let shown = shown_root.join(relative);
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&dest)
        .map_err(|e| Error::io("create", &shown, &e))?;
    out.write_all(bytes)
        .map_err(|e| Error::io("write", &shown, &e))
}

/// Moves each staged top-level entry into an existing directory; on failure,
/// takes back what it moved so the directory is as it was.
fn move_entries(staging: &Path, target: &Path) -> Result<()> {
    let entries: Vec<PathBuf> = fs::read_dir(staging)
        .and_then(|list| list.map(|entry| entry.map(|e| e.path())).collect())
        .map_err(|e| Error::io("read", staging, &e))?;
    let mut moved = Vec::new();
    for from in entries {
        let to = target.join(from.file_name().expect("directory entries have names"));
        let result = if fs::symlink_metadata(&to).is_ok() {
            Err(Error::new(format!(
                "'{}' appeared while init was running; nothing was written",
                to.display()
            )))
        } else {
            fs::rename(&from, &to).map_err(|e| Error::io("create", &to, &e))
        };
        if let Err(error) = result {
            for (to, from) in moved.iter().rev() {
                let _ = fs::rename(to, from);
            }
            return Err(error);
        }
        moved.push((to, from));
    }
    Ok(())
}

/// The lines init prints after success.
pub fn summary(created: &Created) -> String {
    let mut out = format!(
        "Created Django project '{}' in {}/ ({} files, plus .env and {}).\n\nNext steps:\n",
        created.names.project,
        created.root.display(),
        created.file_count,
        manifest::FILE_NAME
    );
    if !created.into_existing {
        out.push_str(&format!("  cd {}\n", created.root.display()));
    }
    out.push_str(
        "  uv sync                               # or: python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'\n\
         \x20 uv run python manage.py migrate\n\
         \x20 uv run python manage.py runserver     # then open http://127.0.0.1:8000/\n\
         \x20 uv run pytest\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_never_ships_files_init_writes_itself() {
        for file in starter::HEAD.files {
            assert_ne!(file.starter_path, env_file::FILE);
            assert_ne!(file.starter_path, manifest::FILE_NAME);
        }
    }
}
