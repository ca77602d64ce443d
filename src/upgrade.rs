#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "reads the project's .env and appends the secrets it lacks"
)]
//! `quickscale upgrade`: take the current starter into a project with a
//! three-way merge against the exact starter it was made from, then move the
//! manifest forward to the new base.

use std::fs;
use std::path::Path;

use crate::apply;
use crate::compare::{Content, Plan, Reason, Yours};
use crate::env_file;
use crate::error::{Error, Result};
use crate::git;
use crate::manifest::{self, Manifest};
use crate::project;
use crate::random;
use crate::sources::{self, Sources};

/// What `upgrade` did or, with `--dry-run`, would do.
#[derive(Debug)]
pub struct Upgrade {
    pub plan: Plan,
    /// `quickscale 0.1.0`: where the project came from.
    pub from: String,
    /// Lines about per-project values generated, and writes skipped for safety.
    pub notes: Vec<String>,
    pub applied: bool,
}

impl Upgrade {
    /// Whether conflicts are left for the owner to resolve.
    pub fn has_conflicts(&self) -> bool {
        self.plan.conflicts().next().is_some()
    }
}

pub fn upgrade(dir: &Path, dry_run: bool, allow_dirty: bool) -> Result<Upgrade> {
    let manifest = sources::open(dir)?.ok_or_else(|| {
        Error::new(format!(
            "'{}' has no {}, so upgrade cannot tell your changes from the starter's; restore it \
             from version control (git checkout -- {}), or preview by hand with \
             `quickscale diff --name <project name>`",
            dir.display(),
            manifest::FILE_NAME,
            manifest::FILE_NAME
        ))
    })?;
    let mut sources = sources::gather(dir, Some(manifest), None)?;
    let plan = sources.plan();
    let from = sources.base_label();
    refuse_over_unresolved(&plan)?;

    let env_path = dir.join(env_file::FILE);
    let env_text = read_env(dir)?;
    let (env_lines, env_keys) =
        env_file::missing(env_text.as_deref().unwrap_or(""), &random::bytes()?);
    let mut notes: Vec<String> = sources
        .new_variables
        .iter()
        .map(|var| {
            format!(
                "Recorded the new variable {var} in {}, derived from the project name.",
                manifest::FILE_NAME
            )
        })
        .collect();
    if !env_keys.is_empty() {
        notes.push(format!(
            "Generated {} in {}, as init would.",
            env_keys.join(", "),
            env_file::FILE
        ));
    }
    let new_manifest = next_manifest(&sources, &plan);
    if dry_run || (!plan.has_new_changes() && env_keys.is_empty()) {
        return Ok(Upgrade {
            plan,
            from,
            notes,
            applied: false,
        });
    }
    if !allow_dirty {
        refuse_dirty(dir, &plan)?;
    }
    notes.extend(apply::apply(dir, &plan)?);
    if !env_lines.is_empty() {
        append_env(&env_path, env_text.is_none(), &env_lines)?;
    }
    let manifest_content = Content {
        bytes: new_manifest.to_toml().into_bytes(),
        executable: false,
    };
    apply::write_file(dir, manifest::FILE_NAME, &manifest_content)?;
    Ok(Upgrade {
        plan,
        from,
        notes,
        applied: true,
    })
}

/// The manifest after the upgrade: this binary's version and starter, the
/// hashes of the new render (the base of the next upgrade), and the files
/// left with conflict markers.
fn next_manifest(sources: &Sources, plan: &Plan) -> Manifest {
    let conflicts = plan
        .conflicts()
        .filter(|(_, conflict)| matches!(conflict.reason, Reason::Lines(_) | Reason::Unresolved))
        .map(|(entry, _)| entry.path.clone())
        .collect();
    Manifest::for_render(&sources.values, &sources.theirs, conflicts)
}

/// Markers left by the last upgrade must be resolved before a newer starter
/// is merged into the same files, or its changes there would be lost.
fn refuse_over_unresolved(plan: &Plan) -> Result<()> {
    let unresolved: Vec<&str> = plan
        .entries
        .iter()
        .filter(|e| e.is_unresolved())
        .map(|e| e.path.as_str())
        .collect();
    if unresolved.is_empty() || !plan.has_new_changes() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} still hold{} conflict markers from the last upgrade; resolve them and commit, then run upgrade again",
        unresolved.join(", "),
        if unresolved.len() == 1 { "s" } else { "" }
    )))
}

/// Refuses when git has uncommitted changes in any file the upgrade writes.
fn refuse_dirty(dir: &Path, plan: &Plan) -> Result<()> {
    let mut touched: Vec<String> = plan
        .entries
        .iter()
        .filter(|e| e.written().is_some())
        .map(|e| e.path.clone())
        .collect();
    touched.push(manifest::FILE_NAME.to_owned());
    let dirty = git::uncommitted(dir, &touched)?;
    if dirty.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = dirty.iter().take(5).cloned().collect();
    let more = if dirty.len() > 5 {
        format!(" and {} more", dirty.len() - 5)
    } else {
        String::new()
    };
    Err(Error::new(format!(
        "uncommitted changes in files the upgrade would write ({}{more}); commit or stash them \
         first, so that `git diff` shows exactly what the upgrade did, or pass --allow-dirty",
        listed.join(", ")
    )))
}

/// The project's `.env`, read as safely as any project file; None when absent.
fn read_env(dir: &Path) -> Result<Option<String>> {
    match project::inspect(dir, env_file::FILE)? {
        Yours::Absent => Ok(None),
        Yours::File(content) => Ok(Some(String::from_utf8_lossy(&content.bytes).into_owned())),
        Yours::Other(what) => Err(Error::new(format!(
            "'{}' is {what}, not a regular file; quickscale keeps its secrets there: move it away \
             and run upgrade again",
            dir.join(env_file::FILE).display()
        ))),
    }
}

/// Appends to `.env` (creating it 0600 if it was missing): the owner's lines
/// are never rewritten.
fn append_env(path: &Path, create: bool, lines: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.append(true).custom_flags(libc::O_NOFOLLOW);
    if create {
        options.create_new(true).mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("write", path, &e))?;
    let text = if create {
        lines.trim_start_matches('\n')
    } else {
        lines
    };
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io("write", path, &e))
}
