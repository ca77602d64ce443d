#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "reads the project's manifest to mark the modules it has enabled"
)]
//! `quickscale modules`: the starter's modules, each with its one line, and
//! which of them a project has enabled.

use std::path::Path;

use crate::error::Result;
use crate::sources;
use crate::starter::HEAD;

/// The list, marking the modules enabled in the project at `dir`, or, without
/// a `dir`, in the project the current directory is in, if any (as `diff` and
/// `upgrade` find it).
pub fn list(dir: Option<&Path>) -> Result<String> {
    let manifest = match dir {
        Some(dir) => Some(sources::open_with_manifest(dir, sources::Verb::Add)?.1),
        None => sources::project_around(Path::new("."), sources::Verb::Add)?
            .map(|(_, manifest)| manifest),
    };
    Ok(match manifest {
        Some(manifest) => text(&manifest.modules, true),
        None => text(&[], false),
    })
}

/// What `list` prints: pure, for the tests.
fn text(enabled: &[String], for_a_project: bool) -> String {
    if HEAD.modules.is_empty() {
        return format!(
            "The starter of quickscale {} has no modules yet.\n",
            HEAD.version
        );
    }
    let width = HEAD.modules.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for module in HEAD.modules {
        let mark = if !for_a_project {
            "  "
        } else if enabled.iter().any(|e| e == module.name) {
            "* "
        } else {
            "  "
        };
        out.push_str(&format!(
            "{mark}{:<width$}  {}\n",
            module.name, module.description
        ));
    }
    if for_a_project {
        out.push_str("\n* enabled in this project. Add one with `quickscale add MODULE`.\n");
    } else {
        out.push_str("\nStart with some: `quickscale init PATH --with MODULE,...`; add one later: `quickscale add MODULE`.\n");
    }
    out
}
