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
use std::path::{Component, Path, PathBuf};

use crate::compare::{self, Base, Content, PathSources, Plan, Yours};
use crate::conflict::{has_conflict_markers, MarkerLabels};
use crate::deadline::TimeLimit;
use crate::env_file;
use crate::error::{escape_controls, Error, Result};
use crate::manifest::{self, Manifest};
use crate::names;
use crate::project;
use crate::render::{self, RenderedFile, Values};
use crate::starter::{self, Starter, Var};
use crate::text::content_hash;

/// Everything the comparison needs to know about one project.
#[derive(Debug)]
pub struct Sources {
    /// The project's root: the directory given, or the nearest one above it
    /// holding the manifest.
    pub root: PathBuf,
    pub project_name: String,
    pub manifest: Option<Manifest>,
    pub values: Values,
    /// The starter the project was made from, when this binary's history has it.
    pub base: Option<&'static Starter>,
    /// The base starter rendered for the project with its modules, when this
    /// binary's history has it: what git's stage 1 of a conflict holds.
    pub base_files: Option<Vec<RenderedFile>>,
    /// This binary's starter, rendered for the project (with the modules it
    /// will have).
    pub theirs: Vec<RenderedFile>,
    pub paths: Vec<PathSources>,
    /// Variables the manifest lacked (added to the starter since), derived
    /// from the project name as init would.
    pub new_variables: Vec<&'static str>,
    /// What the manifest claimed that the exact base render contradicts, one
    /// line each: reported, and never acted on.
    pub notes: Vec<String>,
    /// The modules theirs was rendered with: the project's, and the one
    /// `add` adds.
    pub modules: Vec<String>,
}

impl Sources {
    /// How conflict markers name the sides: the base by the version that
    /// shipped it (from the history, else as the manifest records it).
    fn marker_labels(&self) -> MarkerLabels {
        MarkerLabels::new(match (self.base, &self.manifest) {
            (Some(base), _) => Some(base.version),
            (None, Some(manifest)) => Some(&manifest.quickscale_version),
            (None, None) => None,
        })
    }

    /// How conflict markers name the base: `quickscale 0.1.0`.
    pub fn base_label(&self) -> String {
        self.marker_labels().base().to_owned()
    }

    /// Decides every path; the per-path sources are used up.
    pub fn plan(&mut self) -> Plan {
        let labels = self.marker_labels();
        Plan {
            project_name: self.project_name.clone(),
            made_with: self.manifest.as_ref().map(|m| m.quickscale_version.clone()),
            base_digest: self.manifest.as_ref().map(|m| m.starter_digest.clone()),
            base_version: self.base.map(|b| b.version),
            entries: compare::plan(
                std::mem::take(&mut self.paths),
                &labels.labels(),
                TimeLimit::MERGE,
            ),
        }
    }
}

/// Which command is looking for the project, for the advice its errors give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Diff,
    Upgrade,
    Add,
}

impl Verb {
    fn name(self) -> &'static str {
        match self {
            Verb::Diff => "diff",
            Verb::Upgrade => "upgrade",
            Verb::Add => "add",
        }
    }
}

/// The project `dir` is in, found as git finds its top level: `dir` itself
/// or the nearest directory above it that holds the manifest. The walk stops
/// at a directory holding `.git` (a repository's top level: a project never
/// spans repositories) and at the filesystem root. Returns the project's root
/// (`dir` as given when the manifest is there) and its manifest.
///
/// Without a manifest anywhere, `dir` itself is compared when `name` is
/// given (`diff --name`); otherwise the error says whether `dir` is a project
/// that lost its manifest or no project at all, with only the advice that can
/// help.
fn find_project(
    dir: &Path,
    name: Option<&str>,
    command: Verb,
) -> Result<(PathBuf, Option<Manifest>)> {
    match locate(dir, command)? {
        Ok((root, manifest)) => Ok((root, Some(manifest))),
        Err(_) if name.is_some() => Ok((dir.to_owned(), None)),
        Err(missing) => Err(missing),
    }
}

/// Finds the project `dir` is in and gathers its sources, in one call: for
/// `diff`, which may compare a project without a manifest when `name` is
/// given, and for `upgrade` and `add` (`adding` names the module `add`
/// renders theirs with). `diff` refuses a project another quickscale is
/// changing or an interrupted upgrade left unfinished: its files are neither
/// the old nor the new state. (`upgrade` and `add` hold the lock by then, and
/// have recovered any journal.)
pub fn open(
    dir: &Path,
    name: Option<&str>,
    command: Verb,
    adding: Option<&str>,
) -> Result<Sources> {
    let (root, manifest) = find_project(dir, name, command)?;
    if command == Verb::Diff {
        crate::journal::refuse_while_unfinished(&root)?;
    }
    gather(&root, manifest, name, adding)
}

/// The project's root and manifest, for a command that needs the manifest
/// alone (`modules`) or the root before anything else (`upgrade`'s lock).
pub fn open_with_manifest(dir: &Path, command: Verb) -> Result<(PathBuf, Manifest)> {
    locate(dir, command)?
}

/// The project `dir` is in, if it is in one: its root and manifest. None when
/// no manifest is found; any other failure (an unreadable or corrupt
/// manifest) is an error.
pub(crate) fn project_around(dir: &Path, command: Verb) -> Result<Option<(PathBuf, Manifest)>> {
    Ok(locate(dir, command)?.ok())
}

/// The project's root and manifest; the inner error says why there is no
/// manifest to be found, the outer one is any other failure.
fn locate(dir: &Path, command: Verb) -> Result<Result<(PathBuf, Manifest)>> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::new(format!(
            "'{}' is not a directory; give the project's directory, e.g. `quickscale {} ./myapp`",
            dir.display(),
            command.name()
        )))
        }
        Err(e) => return Err(Error::io("open", dir, &e)),
    }
    let (root, stop) = find_root(dir)?;
    let manifest = match &root {
        Some(root) => project::read_manifest(root)?,
        None => None,
    };
    Ok(match (root, manifest) {
        (Some(root), Some(manifest)) => Ok((root, manifest)),
        // Not found, or gone since the walk saw it.
        _ => Err(no_manifest(dir, &stop, command)),
    })
}

/// The nearest of `dir` and its parents holding the manifest, and where the
/// walk stopped. The root is named as the user can use it: `dir` as given
/// when the manifest is there, `..` or `../..` above the current directory,
/// else its absolute path.
fn find_root(dir: &Path) -> Result<(Option<PathBuf>, PathBuf)> {
    let holds = |at: &Path, name: &str| fs::symlink_metadata(at.join(name)).is_ok();
    let is_current = dir.components().all(|c| c == Component::CurDir);
    // Parents are walked on the physical path, as git walks them.
    let absolute = fs::canonicalize(dir).map_err(|e| Error::io("open", dir, &e))?;
    let mut at = absolute.as_path();
    for up in 0.. {
        if holds(at, manifest::FILE_NAME) {
            let shown = if up == 0 {
                dir.to_owned()
            } else if is_current {
                (0..up).map(|_| Component::ParentDir).collect()
            } else {
                at.to_owned()
            };
            return Ok((Some(shown), at.to_owned()));
        }
        match at.parent() {
            Some(parent) if !holds(at, ".git") => at = parent,
            _ => break,
        }
    }
    Ok((None, at.to_owned()))
}

/// Why there is no project to compare at `dir`, and what can help.
fn no_manifest(dir: &Path, stop: &Path, command: Verb) -> Error {
    // A Django project (manage.py at its top) that lost its manifest, or
    // was made without one: restoring or naming it can help.
    if fs::symlink_metadata(dir.join("manage.py")).is_ok() {
        let restore = if git_tracks(dir, manifest::FILE_NAME) {
            format!(
                "restore it from version control (git checkout -- {}), or ",
                manifest::FILE_NAME
            )
        } else {
            String::new()
        };
        return Error::new(match command {
            Verb::Diff => format!(
                "'{}' has no {} and no --name was given; {restore}pass --name <project name> to \
                 compare without it",
                dir.display(),
                manifest::FILE_NAME
            ),
            Verb::Upgrade | Verb::Add => format!(
                "'{}' has no {}, so {} cannot tell your changes from the starter's; \
                 {restore}preview by hand with `quickscale diff --name <project name>`",
                dir.display(),
                manifest::FILE_NAME,
                command.name()
            ),
        });
    }
    Error::new(format!(
        "'{}' is not in a quickscale project: neither it nor a directory above it up to '{}' \
         holds {}; run `quickscale {}` in the project's directory, or give it: \
         `quickscale {} ./myapp`",
        dir.display(),
        stop.display(),
        manifest::FILE_NAME,
        command.name(),
        command.name()
    ))
}

/// Whether git tracks `rel` in the repository `dir` is in (so that `git
/// checkout` can restore it); false without git or a repository.
fn git_tracks(dir: &Path, rel: &str) -> bool {
    std::process::Command::new("git")
        .args(["ls-files", "--error-unmatch", "--", rel])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Reads the project in `dir`, whose manifest [`find_project`] returned. Without a
/// manifest, `name` gives the values and nothing is known of the base.
/// Theirs is rendered with `adding` enabled beside the project's modules
/// (`quickscale add`).
fn gather(
    dir: &Path,
    manifest: Option<Manifest>,
    name: Option<&str>,
    adding: Option<&str>,
) -> Result<Sources> {
    let (values, new_variables) = match (&manifest, name) {
        (Some(manifest), name) => {
            let (values, new_variables) = values_from_manifest(manifest, dir)?;
            let recorded = values.get(Var::ProjectName);
            if let Some(name) = name.filter(|n| n != &recorded) {
                return Err(Error::new(format!(
                    "--name '{}' contradicts the manifest, which records '{}'; drop --name",
                    name, recorded
                )));
            }
            (values, new_variables)
        }
        (None, Some(name)) => {
            let names = names::project_names(name, &starter::top_level_modules())?;
            (Values::for_names(&names), Vec::new())
        }
        (None, None) => return Err(no_manifest(dir, dir, Verb::Diff)),
    };
    let base = manifest
        .as_ref()
        .and_then(|m| starter::by_digest(&m.starter_digest));
    // The project's modules render both sides; `add` puts one more in theirs.
    let base_modules: Vec<String> = manifest
        .as_ref()
        .map(|m| m.modules.clone())
        .unwrap_or_default();
    let mut modules = base_modules.clone();
    modules.extend(adding.map(str::to_owned));
    modules.sort();
    modules.dedup();
    for module in &modules {
        if !starter::HEAD.modules.iter().any(|m| m.name == module) {
            return Err(Error::new(format!(
                "'{}' has the module '{module}', which this quickscale's starter does not have; \
                 use the quickscale that made the project, or a newer one",
                dir.display()
            )));
        }
    }
    let base_names: Vec<&str> = base_modules.iter().map(String::as_str).collect();
    let their_names: Vec<&str> = modules.iter().map(String::as_str).collect();
    let base_files = base.map(|base| render::render_with(base, &values, &base_names));
    let theirs = render::render_with(&starter::HEAD, &values, &their_names);

    let mut paths: BTreeSet<&str> = theirs.iter().map(|f| f.path.as_str()).collect();
    let mut notes = Vec::new();
    match (&manifest, &base_files) {
        // The exact base render is the authority: a path it lacks is none of
        // the starter's business, whatever the manifest lists.
        (Some(manifest), Some(files)) => {
            paths.extend(files.iter().map(|f| f.path.as_str()));
            notes.extend(contradictions(manifest, files));
        }
        // Without the base, the manifest is all there is, but it never
        // reaches into git's own files.
        (Some(manifest), None) => {
            for (path, _) in &manifest.files {
                if is_inside_git(path) {
                    notes.push(format!(
                        "{} lists '{}', inside .git: quickscale never touches git's own files.",
                        manifest::FILE_NAME,
                        escape_controls(path)
                    ));
                } else {
                    paths.insert(path);
                }
            }
        }
        (None, _) => {}
    }
    // Per-project files are never compared, whatever a manifest lists: the
    // secrets in .env must never reach a report.
    paths.retain(|path| !is_per_project(path));
    let unmerged = unmerged_in_git(dir, manifest.as_ref());
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let yours = project::inspect(dir, path)?;
        let theirs_file = find(&theirs, path);
        // Left by the last upgrade, and not resolved: still unmerged in git's
        // index, or still holding the very blocks the upgrade wrote.
        let unresolved = manifest.as_ref().is_some_and(|m| {
            m.conflicts.iter().any(|c| c == path)
                && (unmerged.iter().any(|u| u == path)
                    || matches!(&yours, Yours::File(c) if has_conflict_markers(&c.bytes)))
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
        root: dir.to_owned(),
        project_name,
        manifest,
        values,
        base,
        base_files,
        theirs,
        paths: sources,
        new_variables,
        notes,
        modules,
    })
}

/// Manifest entries the exact base render contradicts: a path it does not
/// contain, or a hash that is not its file's.
fn contradictions(manifest: &Manifest, files: &[RenderedFile]) -> Vec<String> {
    manifest
        .files
        .iter()
        .filter(|(path, _)| !is_per_project(path))
        .filter_map(|(path, hash)| {
            let shown = escape_controls(path);
            match find(files, path) {
                None => Some(format!(
                    "{} lists '{shown}', which the project's base starter does not have: left \
                     alone as yours.",
                    manifest::FILE_NAME
                )),
                Some(file) if content_hash(&file.bytes) != *hash => Some(format!(
                    "{} records a hash for '{shown}' that the project's base starter does not \
                     give: compared against the base starter itself.",
                    manifest::FILE_NAME
                )),
                Some(_) => None,
            }
        })
        .collect()
}

fn is_inside_git(path: &str) -> bool {
    path.split('/').any(|part| part == ".git")
}

/// The paths the last upgrade left in conflict that git's index still holds
/// as unmerged. Asked only when there are such paths; a git that cannot
/// answer leaves the markers to decide.
fn unmerged_in_git(dir: &Path, manifest: Option<&Manifest>) -> Vec<String> {
    let Some(manifest) = manifest.filter(|m| !m.conflicts.is_empty()) else {
        return Vec::new();
    };
    match crate::git::repo(dir) {
        Ok(Some(repo)) => repo.unmerged(&manifest.conflicts).unwrap_or_default(),
        _ => Vec::new(),
    }
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

/// The base of one path. Where the history has the project's starter, its
/// exact re-render is the base, whatever the manifest's hashes say (a
/// manifest is a file anyone can edit); elsewhere the manifest's hash is all
/// there is.
fn base_of(path: &str, manifest: Option<&Manifest>, base_files: Option<&[RenderedFile]>) -> Base {
    let Some(manifest) = manifest else {
        return Base::Unknown;
    };
    match base_files {
        Some(files) => match find(files, path) {
            Some(file) => Base::File(content_of(file)),
            None => Base::Absent,
        },
        None => match manifest.file_hash(path) {
            Some(hash) => Base::Hash(hash.to_owned()),
            None => Base::Absent,
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::tests::git;
    use crate::starter::HEAD;

    fn values() -> Values {
        Values::for_names(&names::project_names("acme", &starter::top_level_modules()).unwrap())
    }

    /// The manifest of the project `acme` made by this quickscale with no
    /// module, and the files it lists.
    fn made(conflicts: Vec<String>) -> (Manifest, Vec<RenderedFile>) {
        let files = render::render_with(&HEAD, &values(), &[]);
        (
            Manifest::for_render(&values(), &[], &files, conflicts),
            files,
        )
    }

    /// Writes `manifest` into `dir`, made first.
    fn write_manifest(dir: &Path, manifest: &Manifest) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join(manifest::FILE_NAME), manifest.to_toml()).unwrap();
    }

    fn write(dir: &Path, rel: &str, bytes: &[u8]) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    #[test]
    fn find_root_walks_up_to_the_manifest_and_stops_at_a_repositorys_top() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        write_manifest(&project, &made(Vec::new()).0);
        fs::create_dir_all(project.join("sub/deeper")).unwrap();
        fs::create_dir_all(project.join("repo/.git")).unwrap();
        fs::create_dir_all(project.join("repo/inner")).unwrap();
        std::os::unix::fs::symlink(&project, tmp.path().join("link")).unwrap();
        let real = fs::canonicalize(&project).unwrap();
        // Found where it is: named as given, not as the walk saw it.
        let link = tmp.path().join("link");
        assert_eq!(
            find_root(&link).unwrap(),
            (Some(link.clone()), real.clone())
        );
        // Found above: named by its absolute path.
        assert_eq!(
            find_root(&link.join("sub/deeper")).unwrap(),
            (Some(real.clone()), real.clone())
        );
        // A repository's top ends the walk.
        assert_eq!(
            find_root(&project.join("repo/inner")).unwrap(),
            (None, real.join("repo"))
        );
    }

    #[test]
    fn locate_finds_the_manifest_and_refuses_what_is_no_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        let manifest = made(Vec::new()).0;
        write_manifest(&project, &manifest);
        write(&project, "manage.py", b"");
        assert_eq!(
            project_around(&project, Verb::Diff).unwrap(),
            Some((project.clone(), manifest.clone()))
        );
        assert_eq!(
            open_with_manifest(&project.join("."), Verb::Diff)
                .unwrap()
                .1,
            manifest
        );
        let err = locate(&project.join("manage.py"), Verb::Upgrade)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a directory"), "{err}");
        assert!(err.contains("`quickscale upgrade ./myapp`"), "{err}");
        assert!(locate(&tmp.path().join("none"), Verb::Diff).is_err());
        assert_eq!(project_around(tmp.path(), Verb::Diff).unwrap(), None);
    }

    #[test]
    fn a_directory_without_a_manifest_is_compared_only_when_named() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, manifest) = find_project(tmp.path(), Some("acme"), Verb::Diff).unwrap();
        assert_eq!((root.as_path(), manifest), (tmp.path(), None));
        let err = find_project(tmp.path(), None, Verb::Add)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not in a quickscale project"), "{err}");
        assert!(err.contains("`quickscale add ./myapp`"), "{err}");
        let project = tmp.path().join("project");
        write_manifest(&project, &made(Vec::new()).0);
        let (root, manifest) = find_project(&project, None, Verb::Diff).unwrap();
        assert_eq!(root, project);
        assert!(manifest.is_some());
    }

    #[test]
    fn a_lost_manifest_is_restored_from_git_only_where_git_tracks_it() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path();
        write(project, "manage.py", b"");
        let err = no_manifest(project, project, Verb::Diff).to_string();
        assert!(err.contains("pass --name <project name>"), "{err}");
        assert!(!err.contains("git checkout"), "{err}");
        git(project, &["init", "-q"]);
        write_manifest(project, &made(Vec::new()).0);
        git(project, &["add", "."]);
        git(project, &["commit", "-q", "-m", "made"]);
        fs::remove_file(project.join(manifest::FILE_NAME)).unwrap();
        let err = no_manifest(project, project, Verb::Upgrade).to_string();
        assert!(
            err.contains("restore it from version control (git checkout -- .quickscale.toml)"),
            "{err}"
        );
        assert!(err.contains("so upgrade cannot tell"), "{err}");
    }

    #[test]
    fn open_gathers_every_starter_path_but_the_projects_own() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        let (manifest, files) = made(Vec::new());
        write_manifest(&project, &manifest);
        write(&project, env_file::FILE, b"SECRET_KEY=x\n");
        let sources = open(&project, None, Verb::Diff, None).unwrap();
        let paths: Vec<&str> = sources.paths.iter().map(|p| p.path.as_str()).collect();
        let expected: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, expected);
        assert!(!paths.contains(&env_file::FILE));
        assert_eq!(sources.project_name, "acme");
        assert_eq!(sources.base_label(), format!("quickscale {}", HEAD.version));
        // --name must agree with the manifest.
        assert!(open(&project, Some("acme"), Verb::Diff, None).is_ok());
        let err = open(&project, Some("other"), Verb::Diff, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("contradicts the manifest"), "{err}");
        // `add` renders theirs with one more module, which must exist.
        let module = HEAD.modules[0].name;
        let added = open(&project, None, Verb::Add, Some(module)).unwrap();
        assert_eq!(added.modules, [module]);
        let err = open(&project, None, Verb::Add, Some("nosuch"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("the module 'nosuch'"), "{err}");
        // Only diff refuses a project an interrupted upgrade left; upgrade
        // finishes it first.
        fs::create_dir(project.join(crate::journal::DIR)).unwrap();
        let err = open(&project, None, Verb::Diff, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("was interrupted"), "{err}");
        assert!(open(&project, None, Verb::Upgrade, None).is_ok());
    }

    #[test]
    fn a_conflict_is_unresolved_while_unmerged_or_still_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path();
        let (_, files) = made(Vec::new());
        let [marked, unmerged, resolved, other] = [0, 1, 2, 3].map(|i| files[i].path.clone());
        let (manifest, _) = made(vec![marked.clone(), unmerged.clone(), resolved.clone()]);
        write_manifest(project, &manifest);
        let markers = b"<<<<<<< yours\na\n=======\nb\n>>>>>>> quickscale 9\n";
        write(project, &marked, markers);
        write(project, &other, markers);
        write(project, &unmerged, b"resolved?\n");
        write(project, &resolved, b"resolved\n");
        git(project, &["init", "-q"]);
        git(project, &["add", "."]);
        git(project, &["commit", "-q", "-m", "upgraded"]);
        let repo = crate::git::repo(project).unwrap().unwrap();
        let blob = repo.store_blob(b"x\n").unwrap();
        let lines = repo.unmerged_lines(&unmerged, &[(2, false, blob.clone()), (3, false, blob)]);
        crate::git::update_index(
            project,
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(
            unmerged_in_git(project, Some(&manifest)),
            [unmerged.as_str()]
        );
        assert_eq!(unmerged_in_git(project, None), [""; 0]);
        let sources = open(project, None, Verb::Diff, None).unwrap();
        let unresolved: Vec<&str> = sources
            .paths
            .iter()
            .filter(|p| p.unresolved)
            .map(|p| p.path.as_str())
            .collect();
        let mut expected = [marked.as_str(), unmerged.as_str()];
        expected.sort_unstable();
        assert_eq!(unresolved, expected);
    }

    #[test]
    fn contradictions_name_what_the_base_render_denies() {
        let (mut manifest, files) = made(Vec::new());
        assert_eq!(contradictions(&manifest, &files), [""; 0]);
        manifest.files[1].1 = "sha256:00".to_owned();
        manifest
            .files
            .push((env_file::FILE.to_owned(), "sha256:00".to_owned()));
        manifest
            .files
            .push(("zz/extra".to_owned(), "sha256:00".to_owned()));
        let notes = contradictions(&manifest, &files);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].contains(&format!("records a hash for '{}'", files[1].path)),
            "{notes:?}"
        );
        assert!(
            notes[1].contains("lists 'zz/extra', which the project's base starter does not have"),
            "{notes:?}"
        );
    }

    #[test]
    fn paths_of_git_and_of_the_project_alone() {
        assert!(is_inside_git(".git/config"));
        assert!(is_inside_git("sub/.git/HEAD"));
        assert!(!is_inside_git(".gitignore"));
        assert!(!is_inside_git("a/b.git"));
        assert!(is_per_project(".env"));
        assert!(is_per_project(".quickscale.toml"));
        assert!(!is_per_project(".env.example"));
        let (_, files) = made(Vec::new());
        let last = files.last().unwrap();
        assert_eq!(find(&files, &last.path).map(|f| &f.path), Some(&last.path));
        assert!(find(&files, "zz/none").is_none());
    }

    #[test]
    fn the_manifests_variables_must_be_what_its_project_name_gives() {
        let dir = Path::new("/p");
        let (mut manifest, _) = made(Vec::new());
        let (values, new) = values_from_manifest(&manifest, dir).unwrap();
        assert_eq!(
            (values.get(Var::PackageName), new),
            ("acme", Vec::<&str>::new())
        );
        let slug = Var::ProjectSlug.placeholder();
        manifest.variables.retain(|(name, _)| name != slug);
        assert_eq!(values_from_manifest(&manifest, dir).unwrap().1, [slug]);
        manifest
            .variables
            .push((slug.to_owned(), "../x".to_owned()));
        let err = values_from_manifest(&manifest, dir)
            .unwrap_err()
            .to_string();
        assert!(err.contains("records PROJECT_SLUG = '../x'"), "{err}");
    }
}
