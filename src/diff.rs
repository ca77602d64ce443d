//! `quickscale diff`: preview what `upgrade` would do, reading only the
//! starter's paths of the project (and its manifest) and writing nothing.

use std::path::Path;

use crate::compare::Plan;
use crate::error::Result;
use crate::sources;

/// The plan for the project in `dir`, and how many entries `safe_only` left
/// out (so the report never calls a filtered plan up to date).
pub fn diff(dir: &Path, name: Option<&str>, safe_only: bool) -> Result<(Plan, usize)> {
    let manifest = sources::open(dir)?;
    crate::journal::refuse_while_unfinished(dir)?;
    let mut plan = sources::gather(dir, manifest, name)?.plan();
    let total = plan.entries.iter().filter(|e| e.to_take()).count();
    if safe_only {
        plan.keep_safe_only();
    }
    let shown = plan.entries.iter().filter(|e| e.to_take()).count();
    Ok((plan, total - shown))
}
