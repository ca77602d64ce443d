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

use crate::error::{Error, Result};
use crate::manifest::{self, Manifest};
use crate::names::{self, ProjectNames};
use crate::render::{self, RenderedFile, Values};
use crate::starter;

/// The git-ignored file with the project's local secrets.
pub const ENV_FILE: &str = ".env";

/// The variables init writes into `.env`, each with a fresh random value: the
/// one list of them. `DJANGO_SECRET_KEY` lets local settings start at once;
/// `POSTGRES_PASSWORD` is docker compose's database password, read by compose
/// from `.env`. A project made before a key was added here lacks it, and
/// [`env_assignment`] writes the missing line.
pub const GENERATED_ENV_KEYS: &[&str] = &["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"];

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
    let manifest = manifest_for(&values, &files);
    let env_text = env_file()?;

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

pub fn manifest_for(values: &Values, files: &[RenderedFile]) -> Manifest {
    Manifest {
        quickscale_version: manifest::QUICKSCALE_VERSION.to_owned(),
        starter_digest: starter::head_digest().to_owned(),
        variables: values
            .pairs()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        files: files
            .iter()
            .map(|f| (f.path.clone(), manifest::content_hash(&f.bytes)))
            .collect(),
    }
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
    write_new(root, shown_root, ENV_FILE, env.as_bytes(), 0o600)?;
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

/// 64 characters from the OS random number generator. The 64-symbol alphabet
/// makes `byte & 63` uniform, and holds nothing a `.env` parser would treat
/// specially (`$`, `#`, quotes, spaces) or a URL would need escaped (the
/// database password is part of compose's `DATABASE_URL`).
fn random_value() -> Result<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(format!(
            "the operating system's random number generator failed: {e}; try again"
        ))
    })?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect())
}

/// `KEY=<fresh random value>` and a newline: a line of `.env` for one of
/// [`GENERATED_ENV_KEYS`].
pub fn env_assignment(key: &str) -> Result<String> {
    Ok(format!("{key}={}\n", random_value()?))
}

fn env_file() -> Result<String> {
    let mut text = String::from(
        "# Local development settings written by quickscale init. Never commit this file.\n",
    );
    for key in GENERATED_ENV_KEYS {
        text.push_str(&env_assignment(key)?);
    }
    Ok(text)
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
        "  git init                                 # pre-commit's hooks need a repository\n\
         \x20 uv sync                                  # .venv with the locked dependencies\n\
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
    fn random_values_are_long_random_and_env_safe() {
        let first = random_value().unwrap();
        let second = random_value().unwrap();
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert!(first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn env_file_holds_a_different_random_value_for_each_generated_key() {
        let text = env_file().unwrap();
        let values: Vec<&str> = GENERATED_ENV_KEYS
            .iter()
            .map(|key| {
                let line = text
                    .lines()
                    .find(|line| line.starts_with(&format!("{key}=")))
                    .unwrap_or_else(|| panic!("{key} in {text}"));
                &line[key.len() + 1..]
            })
            .collect();
        assert!(values.iter().all(|value| value.len() == 64), "{text}");
        assert_ne!(values[0], values[1]);
    }

    #[test]
    fn starter_never_ships_files_init_writes_itself() {
        for file in starter::HEAD.files {
            assert_ne!(file.starter_path, ENV_FILE);
            assert_ne!(file.starter_path, manifest::FILE_NAME);
        }
    }
}
