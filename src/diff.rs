//! `quickscale diff`: preview what `upgrade` would do, reading only the
//! starter's paths of the project (and its manifest) and writing nothing.

use std::path::{Path, PathBuf};

use crate::compare::Plan;
use crate::error::Result;
use crate::sources::{self, Verb};

/// What `diff` found.
#[derive(Debug)]
pub struct Diff {
    /// The project's root: the directory given, or the nearest one above it
    /// holding the manifest.
    pub root: PathBuf,
    pub plan: Plan,
    /// How many entries with something to take `--safe-only` left out, so
    /// that no view calls a filtered plan up to date.
    pub hidden: usize,
}

impl Diff {
    /// Whether the starter has anything the project has not taken, shown or
    /// left out: the same answer with or without `--safe-only`.
    pub fn has_changes_to_take(&self) -> bool {
        self.plan.has_changes_to_take() || self.hidden > 0
    }
}

/// The plan for the project `dir` is in.
pub fn diff(dir: &Path, name: Option<&str>, safe_only: bool) -> Result<Diff> {
    // An interrupted upgrade may have left the project without its manifest.
    if let Some(root) = crate::journal::unfinished_root(dir) {
        crate::journal::refuse_while_unfinished(&root)?;
    }
    let mut sources = sources::open(dir, name, Verb::Diff, None)?;
    let mut plan = sources.plan();
    let total = plan.entries.iter().filter(|e| e.to_take()).count();
    if safe_only {
        plan.keep_safe_only();
    }
    let shown = plan.entries.iter().filter(|e| e.to_take()).count();
    Ok(Diff {
        root: sources.root,
        plan,
        hidden: total - shown,
    })
}
