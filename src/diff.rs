//! `quickscale diff`: compare a project with what the current starter would
//! generate for it, and classify each difference with the manifest.
//!
//! Only the starter's own paths are read from the project (plus the
//! manifest), so the cost grows with the starter, never with the project: a
//! `.venv` or 100,000 user files are never visited. Nothing is written.

use std::fs;
use std::io;
use std::path::Path;

use crate::error::{Error, Result};
use crate::manifest::{self, Manifest};
use crate::names;
use crate::render::{self, RenderedFile, Values};
use crate::starter::{self, Var};

/// How one starter file relates to the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The starter changed it since init, the user did not: safe to take.
    Upstream,
    /// New in the starter since init: safe to take.
    Added,
    /// The starter no longer ships it and the user never changed it: safe to delete.
    Removed,
    /// Changed by the user only: nothing to take.
    Local,
    /// Changed by both (or the user has a file where the starter now adds one): merge by hand.
    Conflict,
    /// Shipped by init, deleted by the user.
    Missing,
    /// Differs, but without a manifest nobody can tell who changed it.
    Differs,
}

impl Status {
    /// The name used by `--format json` and `--stat`.
    pub fn key(self) -> &'static str {
        match self {
            Status::Upstream => "upstream",
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Local => "local",
            Status::Conflict => "conflict",
            Status::Missing => "missing",
            Status::Differs => "differs",
        }
    }

    /// Changes a user can take without losing any of their own work.
    pub fn is_safe(self) -> bool {
        matches!(self, Status::Upstream | Status::Added | Status::Removed)
    }
}

/// One differing file: its bytes on each side (None when absent).
#[derive(Debug, Clone)]
pub struct Difference {
    pub path: String,
    pub status: Status,
    pub project: Option<Vec<u8>>,
    pub starter: Option<Vec<u8>>,
    /// The starter's execute bit, for files the patch creates.
    pub executable: bool,
    /// The project file's execute bit, for files the patch deletes.
    pub project_executable: bool,
    pub binary: bool,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub project_name: String,
    /// The quickscale version recorded in the manifest; None without one.
    pub made_with: Option<String>,
    pub differences: Vec<Difference>,
}

impl Comparison {
    pub fn classified(&self) -> bool {
        self.made_with.is_some()
    }

    pub fn keep_safe_only(&mut self) {
        self.differences.retain(|d| d.status.is_safe());
    }
}

/// Classifies a starter path from three content hashes: as init wrote it
/// (`base`, from the manifest), as the project has it (`current`) and as the
/// starter renders it now (`new`). None means absent; the result None means
/// no difference.
pub fn classify(base: Option<&str>, current: Option<&str>, new: Option<&str>) -> Option<Status> {
    match (new, current) {
        (Some(new), Some(current)) if new == current => None,
        (Some(_), None) if base.is_some() => Some(Status::Missing),
        (Some(_), None) => Some(Status::Added),
        (Some(new), Some(current)) => Some(match base {
            Some(base) if base == current => Status::Upstream,
            Some(base) if base == new => Status::Local,
            _ => Status::Conflict,
        }),
        (None, None) => None,
        (None, Some(current)) => Some(if base == Some(current) {
            Status::Removed
        } else {
            Status::Conflict
        }),
    }
}

/// Compares the project in `dir` with the current starter. Without a
/// manifest `name` is required and differences are not classified.
pub fn compare(dir: &Path, name: Option<&str>) -> Result<Comparison> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::new(format!(
            "'{}' is not a directory; give the project's directory, e.g. `quickscale diff ./myapp`",
            dir.display()
        )))
        }
        Err(e) => return Err(Error::io("open", dir, &e)),
    }
    let manifest = read_manifest(dir)?;
    let (values, project_name) = match (&manifest, name) {
        (Some(manifest), name) => {
            let values = values_from_manifest(manifest, dir)?;
            let recorded = values.get(Var::ProjectName).to_owned();
            if let Some(name) = name.filter(|n| *n != recorded) {
                return Err(Error::new(format!(
                    "--name '{name}' contradicts the manifest, which records '{recorded}'; drop --name"
                )));
            }
            (values, recorded)
        }
        (None, Some(name)) => {
            let names = names::project_names(name, &starter::top_level_modules())?;
            (Values::for_names(&names), names.project)
        }
        (None, None) => {
            return Err(Error::new(format!(
                "'{}' has no {} and no --name was given; pass --name <project name> to compare without it",
                dir.display(),
                manifest::FILE_NAME
            )))
        }
    };

    let rendered = render::render(&starter::HEAD, &values);
    let mut differences = Vec::new();
    for file in &rendered {
        let base = manifest.as_ref().and_then(|m| m.file_hash(&file.path));
        if let Some(difference) =
            compare_file(dir, &file.path, Some(file), base, manifest.is_some())?
        {
            differences.push(difference);
        }
    }
    // Files init wrote that the current starter no longer ships.
    if let Some(manifest) = &manifest {
        for (path, base) in &manifest.files {
            if rendered
                .binary_search_by(|f| f.path.as_str().cmp(path))
                .is_err()
            {
                if let Some(difference) = compare_file(dir, path, None, Some(base), true)? {
                    differences.push(difference);
                }
            }
        }
    }
    differences.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Comparison {
        project_name,
        made_with: manifest.map(|m| m.quickscale_version),
        differences,
    })
}

fn compare_file(
    dir: &Path,
    path: &str,
    starter_file: Option<&RenderedFile>,
    base: Option<&str>,
    classified: bool,
) -> Result<Option<Difference>> {
    let on_disk = dir.join(path);
    let (project, project_executable) = match fs::read(&on_disk) {
        Ok(bytes) => (Some(bytes), is_executable(&on_disk)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (None, false),
        Err(e) => return Err(Error::io("read", &on_disk, &e)),
    };
    let new_hash = starter_file.map(|f| manifest::content_hash(&f.bytes));
    let current_hash = project.as_deref().map(manifest::content_hash);
    let status = if classified {
        classify(base, current_hash.as_deref(), new_hash.as_deref())
    } else if new_hash == current_hash {
        None
    } else if project.is_none() {
        Some(Status::Missing)
    } else {
        Some(Status::Differs)
    };
    Ok(status.map(|status| {
        let binary =
            starter_file.is_some_and(|f| f.binary) || project.as_deref().is_some_and(looks_binary);
        Difference {
            path: path.to_owned(),
            status,
            project,
            starter: starter_file.map(|f| f.bytes.clone()),
            executable: starter_file.is_some_and(|f| f.executable),
            project_executable,
            binary,
        }
    }))
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = dir.join(manifest::FILE_NAME);
    let shown = path.display().to_string();
    let text = match fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Error::new(format!(
                "{shown} is not UTF-8 text; the manifest is corrupt: restore it from version control \
                 (git checkout -- {}) or run diff with --name to compare without it",
                manifest::FILE_NAME
            ))
        })?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", &path, &e)),
    };
    let manifest = Manifest::parse(&text, &shown)?;
    manifest.check_not_newer(&shown)?;
    Ok(Some(manifest))
}

/// The variables recorded in the manifest, which must be exactly what init
/// derives from the recorded project name: anything else (a hand edit, a
/// package name like `../x`) would render paths outside the project.
fn values_from_manifest(manifest: &Manifest, dir: &Path) -> Result<Values> {
    let shown = dir.join(manifest::FILE_NAME);
    let corrupt = |what: String| {
        Error::new(format!(
            "{} {what}; the manifest is corrupt: restore it from version control \
             (git checkout -- {}) or run diff with --name to compare without it",
            shown.display(),
            manifest::FILE_NAME
        ))
    };
    let name = manifest
        .variable(Var::ProjectName.placeholder())
        .ok_or_else(|| {
            corrupt(format!(
                "lacks the variable {}",
                Var::ProjectName.placeholder()
            ))
        })?;
    let names = names::project_names(name, &starter::top_level_modules())
        .map_err(|e| corrupt(format!("records an unusable project name: {e}")))?;
    let values = Values::for_names(&names);
    for var in Var::ALL {
        match manifest.variable(var.placeholder()) {
            Some(recorded) if recorded == values.get(var) => {}
            Some(recorded) => {
                return Err(corrupt(format!(
                    "records {} = '{recorded}', but the project name '{name}' gives '{}'",
                    var.placeholder(),
                    values.get(var)
                )))
            }
            None => return Err(corrupt(format!("lacks the variable {}", var.placeholder()))),
        }
    }
    Ok(values)
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_case() {
        let (a, b, c) = (Some("a"), Some("b"), Some("c"));
        assert_eq!(classify(a, a, a), None, "untouched and unchanged");
        assert_eq!(
            classify(a, b, b),
            None,
            "the user made the starter's change"
        );
        assert_eq!(classify(a, a, b), Some(Status::Upstream));
        assert_eq!(classify(a, b, a), Some(Status::Local));
        assert_eq!(classify(a, b, c), Some(Status::Conflict));
        assert_eq!(classify(a, None, a), Some(Status::Missing));
        assert_eq!(classify(a, None, b), Some(Status::Missing));
        assert_eq!(classify(None, None, a), Some(Status::Added));
        assert_eq!(
            classify(None, b, a),
            Some(Status::Conflict),
            "the user already has a file there"
        );
        assert_eq!(classify(None, a, a), None);
        assert_eq!(classify(a, a, None), Some(Status::Removed));
        assert_eq!(classify(a, b, None), Some(Status::Conflict));
        assert_eq!(classify(a, None, None), None);
    }

    #[test]
    fn only_upstream_added_and_removed_are_safe() {
        let safe: Vec<Status> = [
            Status::Upstream,
            Status::Added,
            Status::Removed,
            Status::Local,
            Status::Conflict,
            Status::Missing,
            Status::Differs,
        ]
        .into_iter()
        .filter(|s| s.is_safe())
        .collect();
        assert_eq!(safe, vec![Status::Upstream, Status::Added, Status::Removed]);
    }
}
