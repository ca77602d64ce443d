#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "checks that the project directory exists before project.rs reads it"
)]
//! Gathers the three sources of every starter path for `diff` and `upgrade`:
//! the base (the starter the manifest names, re-rendered and checked against
//! the manifest's hashes), yours (the project, read safely) and theirs (this
//! binary's starter rendered with the project's values).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::compare::{self, has_conflict_markers, Base, Content, PathSources, Plan, Yours};
use crate::deadline::TimeLimit;
use crate::env_file;
use crate::error::{Error, Result};
use crate::manifest::{self, Manifest};
use crate::merge::Labels;
use crate::names;
use crate::project;
use crate::render::{self, RenderedFile, Values};
use crate::starter::{self, Starter, Var};
use crate::text::{content_hash, QUICKSCALE_VERSION};

/// Everything the comparison needs to know about one project.
#[derive(Debug)]
pub struct Sources {
    pub project_name: String,
    pub manifest: Option<Manifest>,
    pub values: Values,
    /// The starter the project was made from, when this binary's history has it.
    pub base: Option<&'static Starter>,
    /// This binary's starter, rendered for the project.
    pub theirs: Vec<RenderedFile>,
    pub paths: Vec<PathSources>,
    /// Variables the manifest lacked (added to the starter since), derived
    /// from the project name as init would.
    pub new_variables: Vec<&'static str>,
}

impl Sources {
    /// How conflict markers name the base: `quickscale 0.1.0`.
    pub fn base_label(&self) -> String {
        match (self.base, &self.manifest) {
            (Some(base), _) => format!("quickscale {}", base.version),
            (None, Some(manifest)) => format!("quickscale {}", manifest.quickscale_version),
            (None, None) => "base".to_owned(),
        }
    }

    /// How conflict markers name this binary's starter: `quickscale 0.2.0`.
    pub fn theirs_label() -> String {
        format!("quickscale {QUICKSCALE_VERSION}")
    }

    /// Decides every path; the per-path sources are used up.
    pub fn plan(&mut self) -> Plan {
        let base = self.base_label();
        let theirs = Self::theirs_label();
        let labels = Labels {
            yours: "yours",
            base: &base,
            theirs: &theirs,
        };
        Plan {
            project_name: self.project_name.clone(),
            made_with: self.manifest.as_ref().map(|m| m.quickscale_version.clone()),
            base_digest: self.manifest.as_ref().map(|m| m.starter_digest.clone()),
            base_version: self.base.map(|b| b.version),
            entries: compare::plan(std::mem::take(&mut self.paths), &labels, TimeLimit::MERGE),
        }
    }
}

/// The manifest of the project in `dir`, after checking that `dir` is a
/// directory; None when the project has none.
pub fn open(dir: &Path) -> Result<Option<Manifest>> {
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
    project::read_manifest(dir)
}

/// Reads the project in `dir`, whose manifest [`open`] returned. Without a
/// manifest, `name` gives the values and nothing is known of the base.
pub fn gather(dir: &Path, manifest: Option<Manifest>, name: Option<&str>) -> Result<Sources> {
    let (values, new_variables) = match (&manifest, name) {
        (Some(manifest), name) => {
            let (values, new_variables) = values_from_manifest(manifest, dir)?;
            let recorded = values.get(Var::ProjectName);
            if let Some(name) = name.filter(|n| n != &recorded) {
                return Err(Error::new(format!(
                    "--name '{}' contradicts the manifest, which records '{}'; drop --name",
                    name,
                    recorded
                )));
            }
            (values, new_variables)
        }
        (None, Some(name)) => {
            let names = names::project_names(name, &starter::top_level_modules())?;
            (Values::for_names(&names), Vec::new())
        }
        (None, None) => {
            return Err(Error::new(format!(
                "'{}' has no {} and no --name was given; pass --name <project name> to compare without it",
                dir.display(),
                manifest::FILE_NAME
            )))
        }
    };
    let base = manifest
        .as_ref()
        .and_then(|m| starter::by_digest(&m.starter_digest));
    let base_files = base.map(|base| render::render(base, &values));
    let theirs = render::render(&starter::HEAD, &values);

    let mut paths: BTreeSet<&str> = theirs.iter().map(|f| f.path.as_str()).collect();
    if let Some(manifest) = &manifest {
        paths.extend(manifest.files.iter().map(|(path, _)| path.as_str()));
    }
    // Per-project files are never compared, whatever a manifest lists: the
    // secrets in .env must never reach a report.
    paths.retain(|path| !is_per_project(path));
    if let Some(files) = &base_files {
        paths.extend(files.iter().map(|f| f.path.as_str()));
    }
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let yours = project::inspect(dir, path)?;
        let theirs_file = find(&theirs, path);
        let unresolved = manifest.as_ref().is_some_and(|m| {
            m.conflicts.iter().any(|c| c == path)
                && matches!(&yours, Yours::File(c) if has_conflict_markers(&c.bytes))
        });
        sources.push(PathSources {
            path: path.to_owned(),
            base: base_of(path, manifest.as_ref(), base_files.as_deref()),
            yours,
            theirs: theirs_file.map(content_of),
            starter_binary: theirs_file.is_some_and(|f| f.binary),
            unresolved,
        });
    }
    let project_name = values.get(Var::ProjectName).to_owned();
    Ok(Sources {
        project_name,
        manifest,
        values,
        base,
        theirs,
        paths: sources,
        new_variables,
    })
}

/// `.env` and the manifest belong to the project alone.
pub fn is_per_project(path: &str) -> bool {
    path == env_file::FILE || path == manifest::FILE_NAME
}

fn find<'a>(files: &'a [RenderedFile], path: &str) -> Option<&'a RenderedFile> {
    files
        .binary_search_by(|f| f.path.as_str().cmp(path))
        .ok()
        .map(|index| &files[index])
}

fn content_of(file: &RenderedFile) -> Content {
    Content {
        bytes: file.bytes.clone(),
        executable: file.executable,
    }
}

/// The base of one path. The re-rendered base is trusted only where it
/// matches what the manifest says init wrote; elsewhere the manifest's hash
/// is all there is.
fn base_of(path: &str, manifest: Option<&Manifest>, base_files: Option<&[RenderedFile]>) -> Base {
    let Some(manifest) = manifest else {
        return Base::Unknown;
    };
    let recorded = manifest.file_hash(path);
    match (base_files.and_then(|files| find(files, path)), recorded) {
        (Some(file), Some(hash)) if content_hash(&file.bytes) != hash => {
            Base::Hash(hash.to_owned())
        }
        (Some(file), _) => Base::File(content_of(file)),
        (None, Some(hash)) => Base::Hash(hash.to_owned()),
        (None, None) => Base::Absent,
    }
}

/// The variables recorded in the manifest, which must be exactly what init
/// derives from the recorded project name: anything else (a hand edit, a
/// package name like `../x`) would render paths outside the project. A
/// variable the manifest lacks (new in this starter) is derived the same way
/// and returned in the second value.
fn values_from_manifest(manifest: &Manifest, dir: &Path) -> Result<(Values, Vec<&'static str>)> {
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
    let mut new_variables = Vec::new();
    for var in Var::ALL {
        match manifest.variable(var.placeholder()) {
            Some(recorded) if recorded == values.get(var) => {}
            Some(recorded) => {
                return Err(corrupt(format!(
                    "records {} = '{}', but the project name '{}' gives '{}'",
                    var.placeholder(),
                    recorded,
                    name,
                    values.get(var)
                )))
            }
            None => new_variables.push(var.placeholder()),
        }
    }
    Ok((values, new_variables))
}
