#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "stages the new project on disk and moves it into place"
)]
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
use crate::error::{escape_controls, Error, Result};
use crate::interrupt::{self, Catch};
use crate::manifest::{self, Manifest};
use crate::names::{self, ProjectNames};
use crate::random;
use crate::render::{self, RenderedFile, Values};
use crate::starter;

/// What init made, for the summary it prints.
#[derive(Debug)]
pub struct Created {
    pub root: PathBuf,
    pub names: ProjectNames,
    /// Starter files written, not counting `.env` and the manifest.
    pub file_count: usize,
    /// Whether the project is the current directory (`init .`): no `cd` then.
    pub is_current_dir: bool,
    /// Whether the project directory holds `.git` (`git init && quickscale
    /// init .`): no `git init` then.
    pub has_git: bool,
    /// Staging directories of other inits found beside the new project: left
    /// by a `kill -9`, or by an init still running.
    pub leftovers: Vec<PathBuf>,
}

/// Where the project goes.
enum Target {
    /// Nothing there yet; the parent exists.
    New { parent: PathBuf },
    /// An existing directory that is empty or holds only `.git`.
    Existing,
}

/// Creates the project at `path`, with the starter's `modules` enabled.
pub fn init(path: &Path, name: Option<&str>, modules: &[String]) -> Result<Created> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => names::name_from_path(path)?,
    };
    let names = names::project_names(&name, &starter::top_level_modules())?;
    let target = check_target(path)?;
    let modules = starter::head_modules(modules)?;
    let values = Values::for_names(&names);
    let files = render::render_with(&starter::HEAD, &values, &modules);
    let manifest = Manifest::for_render(&values, &modules, &files, Vec::new());
    let env_text = env_file::new_file(&random::bytes()?);

    // From here on files are written. SIGINT and SIGTERM stop the work at the
    // next file instead of killing it mid-write; `catch` is declared before
    // each staging directory so that the directory is gone (dropped first)
    // before the handlers are.
    let catch = interrupt::catch();
    let leftovers = match &target {
        Target::New { parent } => leftover_staging(parent).unwrap_or_default(),
        Target::Existing => Vec::new(),
    };
    match target {
        Target::New { parent } => {
            let staging = staging_dir(&parent)?;
            let project = staging.path().join("project");
            fs::create_dir(&project).map_err(|e| Error::io("create", &project, &e))?;
            write_project(&project, path, &files, &manifest, &env_text, &catch)?;
            catch.uninterrupted(|| {
                stop_if_interrupted(&catch, path)?;
                fs::rename(&project, path).map_err(|e| Error::io("create", path, &e))
            })?;
        }
        Target::Existing => {
            let staging = staging_dir(path)?;
            write_project(staging.path(), path, &files, &manifest, &env_text, &catch)?;
            // Held back for the whole move, a signal can never leave some
            // entries moved and others not.
            catch.uninterrupted(|| {
                stop_if_interrupted(&catch, path)?;
                move_entries(staging.path(), path)
            })?;
        }
    }
    if let Some(signal) = catch.received() {
        return Err(Error::interrupted(
            signal,
            format!(
                "{} arrived as init finished; the project in '{}' is complete",
                interrupt::signal_name(signal),
                path.display()
            ),
        ));
    }
    let same = |a: &Path, b: &Path| matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b);
    Ok(Created {
        root: clean_path(path),
        names,
        file_count: files.len(),
        is_current_dir: same(path, Path::new(".")),
        has_git: fs::symlink_metadata(path.join(".git")).is_ok(),
        leftovers,
    })
}

/// `path` as the summary prints it: no trailing slash, no `.` components
/// (`./e5/` is `e5`), `.` for the current directory.
fn clean_path(path: &Path) -> PathBuf {
    let clean: PathBuf = path
        .components()
        .filter(|part| !matches!(part, std::path::Component::CurDir))
        .collect();
    if clean.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        clean
    }
}

/// Where staging directories go, and how init recognises one left behind.
const STAGING_PREFIX: &str = ".quickscale-init-";

fn check_target(path: &Path) -> Result<Target> {
    // The path without a trailing slash: `lstat("L/")` follows a symlink `L`,
    // and `L` and `L/` must get the same answer.
    let bare: PathBuf = path.components().collect();
    match fs::symlink_metadata(&bare) {
        // Following the link would write the project outside the directory
        // the user named (and a relative link may point anywhere).
        Ok(meta) if meta.file_type().is_symlink() => {
            let to = fs::read_link(&bare)
                .map(|to| to.display().to_string())
                .unwrap_or_else(|_| "somewhere unreadable".to_owned());
            Err(Error::new(format!(
                "'{}' is a symbolic link to '{to}'; init does not follow links, so that the project \
                 lands exactly where you name it: give the real directory ('{to}') or a new path",
                bare.display()
            )))
        }
        Ok(meta) if meta.is_dir() => {
            let read_error = |e| Error::io("read", path, &e);
            if let Some(leftover) = leftover_staging(path).map_err(read_error)?.first() {
                return Err(Error::new(format!(
                    "'{}' holds {}; then run init again",
                    path.display(),
                    leftover_advice(leftover)
                )));
            }
            for entry in fs::read_dir(path).map_err(read_error)? {
                let name = entry.map_err(read_error)?.file_name();
                if name != ".git" {
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

/// The staging directories of other inits in `dir`.
fn leftover_staging(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        if name.to_string_lossy().starts_with(STAGING_PREFIX) {
            found.push(dir.join(name));
        }
    }
    found.sort();
    Ok(found)
}

/// What a leftover staging directory is and how to remove it. Init never
/// removes one itself: nothing proves it is not another init's, still running.
fn leftover_advice(leftover: &Path) -> String {
    format!(
        "'{}', a staging directory of an init that was killed or is still running; \
         if none is running, remove it (rm -r '{}')",
        leftover.file_name().unwrap_or_default().to_string_lossy(),
        leftover.display()
    )
}

/// Notes to print beside the summary: leftover staging directories found.
pub fn notes(created: &Created) -> Vec<String> {
    created
        .leftovers
        .iter()
        .map(|leftover| {
            let advice = leftover_advice(leftover);
            escape_controls(&format!("found {advice}")).into_owned()
        })
        .collect()
}

fn staging_dir(parent: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
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
    catch: &Catch,
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
        stop_if_interrupted(catch, shown_root)?;
        let mode = if file.executable { 0o755 } else { 0o644 };
        write_new(root, shown_root, &file.path, &file.bytes, mode)?;
    }
    stop_if_interrupted(catch, shown_root)?;
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

/// The error that stops init when SIGINT or SIGTERM has arrived; returning it
/// drops, and so removes, the staging directory.
fn stop_if_interrupted(catch: &Catch, target: &Path) -> Result<()> {
    match catch.received() {
        None => Ok(()),
        Some(signal) => Err(Error::interrupted(
            signal,
            format!(
                "{} arrived before init finished; nothing was created at '{}'",
                interrupt::signal_name(signal),
                target.display()
            ),
        )),
    }
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
    if !created.is_current_dir {
        out.push_str(&format!("  cd {}\n", created.root.display()));
    }
    if !created.has_git {
        out.push_str(
            "  git init                                 # pre-commit's hooks need a repository\n",
        );
    }
    out.push_str(
        "  uv sync                                  # .venv with the locked dependencies\n\
         \x20 uv run pre-commit install\n\
         \x20 uv run python manage.py migrate\n\
         \x20 uv run python manage.py createsuperuser\n\
         \x20 uv run python manage.py runserver        # then open http://127.0.0.1:8000/\n\
         \x20 uv run pytest --cov                      # the tests, with the coverage floor\n\
         \n\
         With pip instead of uv, replace `uv sync` with\n\
         \x20 python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]'\n\
         and drop `uv run` from the other commands.\n",
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
