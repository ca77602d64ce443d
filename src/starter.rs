//! The starter project compiled into the binary.
//!
//! `#[starter("starter")]` (macros/) reads starter/ at compile time, checks
//! every `@NAME@` placeholder against the variants of [`Var`] and emits
//! [`FILES`], a static phf table of pre-parsed files, plus [`SORTED_PATHS`].
//! The variants below are the single list of variables: adding one here makes
//! `@NEW_NAME@` legal in starter files.

/// A run of text in a starter file or path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Lit(&'static str),
    Var(Var),
}

/// File content: text to render, or bytes to copy verbatim.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    Text(&'static [Segment]),
    Binary(&'static [u8]),
}

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct File {
    /// The path relative to the project root, itself possibly holding variables.
    pub path: &'static [Segment],
    /// Whether the starter file had an execute bit (written as 0755, else 0644).
    pub executable: bool,
    pub body: Body,
}

/// The variables a starter file may use, spelled `@PROJECT_NAME@` and so on.
#[quickscale_macros::starter("starter")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    /// The name as the user gave it, e.g. `my-app`.
    ProjectName,
    /// The Python package: lower-case, `-` becomes `_`, e.g. `my_app`.
    PackageName,
    /// The distribution and container name: lower-case, `_` becomes `-`.
    ProjectSlug,
}

/// Digest of every path, mode and byte under starter/, computed by build.rs.
pub const DIGEST: &str = env!("QUICKSCALE_STARTER_DIGEST");

/// The embedded files in a stable order (sorted by starter path).
pub fn files() -> impl Iterator<Item = (&'static str, &'static File)> {
    SORTED_PATHS.iter().map(|path| (*path, &FILES[*path]))
}

/// Lower-case names of the generated project's own top-level modules and
/// packages (`config`, `manage`, ...): a project package named like one of
/// them would shadow it. Entries named by a variable are the package itself.
pub fn top_level_modules() -> Vec<String> {
    let mut names: Vec<String> = SORTED_PATHS
        .iter()
        .filter_map(|path| {
            let (first, rest) = match path.split_once('/') {
                Some((first, rest)) => (first, Some(rest)),
                None => (*path, None),
            };
            if first.contains('@') || first.starts_with('.') {
                return None;
            }
            match rest {
                Some(_) => Some(first.to_ascii_lowercase()),
                None => first.strip_suffix(".py").map(|stem| {
                    // `gunicorn.conf.py` would be imported as `gunicorn`.
                    stem.split('.').next().unwrap_or(stem).to_ascii_lowercase()
                }),
            }
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
