//! The starter project compiled into the binary: the current one (the head)
//! and every released one (the history), which upgrades merge against.
//!
//! `#[starter(...)]` (macros/) reads `starter/` and `history/<version>/` at
//! compile time, checks every `@NAME@` placeholder against the variants of
//! [`Var`] and emits [`HEAD`], [`HISTORY`] (keyed by starter digest) and
//! [`BLOBS`] (file bodies keyed by content hash, each stored once however many
//! versions share it). The variants below are the single list of variables:
//! adding one here makes `@NEW_NAME@` legal in starter files. Variables are
//! only ever added, since released snapshots keep using the old ones.

/// A run of text in a starter file or path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Lit(&'static str),
    Var(Var),
    /// What follows, up to the matching [`Segment::End`], is rendered only
    /// when every `(module, enabled)` term holds: `@IF(billing,!teams)@`.
    /// The marker's own text (never rendered) gives the source back exactly.
    When(&'static [(&'static str, bool)], &'static str),
    /// The innermost condition ends; its marker's text (`@END(teams)@` and
    /// its line end, or nothing for a one-line condition).
    End(&'static str),
}

/// File content: text to render, or bytes to copy verbatim. Bodies that only
/// older starters use are stored deflated (raw deflate, RFC 1951), since only
/// `diff` and `upgrade` read them and they would otherwise dominate the
/// binary's size; the head's are stored as they are, for `init`.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    Text(&'static [Segment]),
    Binary(&'static [u8]),
    /// Deflated text: the literal text with each variable as a NUL byte
    /// followed by its index in [`Var::ALL`], each condition as a NUL, 0xFE,
    /// its spelling, a NUL, its marker's text and a NUL, each end of one as a
    /// NUL, 0xFF, its marker's text and a NUL (starter text never holds a NUL).
    DeflatedText(&'static [u8]),
    /// Deflated bytes to copy verbatim.
    DeflatedBinary(&'static [u8]),
}

/// One file of a starter.
#[derive(Debug, Clone, Copy)]
pub struct StarterFile {
    /// The path in the starter tree, placeholders unexpanded (`@PACKAGE_NAME@/urls.py`).
    pub starter_path: &'static str,
    /// The same path as segments to render.
    pub path: &'static [Segment],
    /// Whether the starter file had an execute bit (written as 0755, else 0644).
    pub executable: bool,
    /// The key of its body in [`BLOBS`].
    pub blob: &'static str,
    /// The module the file belongs to (it is under `+<module>/` in the
    /// starter tree), or None for a file every project gets.
    pub module: Option<&'static str>,
}

impl StarterFile {
    pub fn body(&self) -> &'static Body {
        &BLOBS[self.blob]
    }
}

/// One version of the starter.
#[derive(Debug, Clone, Copy)]
pub struct Starter {
    /// The quickscale version that shipped it (the crate version for the head).
    pub version: &'static str,
    /// `sha256:<hex>` over every path, execute bit and byte: what manifests record.
    pub digest: &'static str,
    /// Sorted by starter path.
    pub files: &'static [StarterFile],
    /// The modules a project of this starter may enable, sorted by name.
    pub modules: &'static [Module],
}

/// A module of a starter (`+<name>/module.toml`): files of its own and lines
/// in shared files that only projects with it get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    pub name: &'static str,
    /// One line, for `quickscale modules`.
    pub description: &'static str,
    /// The environment variables its code reads.
    pub env: &'static [&'static str],
}

/// The variables a starter file may use, spelled `@PROJECT_NAME@` and so on.
#[quickscale_macros::starter(head = "starter", history = "history")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    /// The name as the user gave it, e.g. `my-app`.
    ProjectName,
    /// The Python package: lower-case, `-` becomes `_`, e.g. `my_app`.
    PackageName,
    /// The distribution and container name: lower-case, `_` becomes `-`.
    ProjectSlug,
}

/// The digest of the current starter, which `init` records.
pub fn head_digest() -> &'static str {
    HEAD.digest
}

/// The starter a manifest's digest names: the head or a released one.
pub fn by_digest(digest: &str) -> Option<&'static Starter> {
    if digest == HEAD.digest {
        Some(&HEAD)
    } else {
        HISTORY.get(digest)
    }
}

/// Lower-case names of the generated project's own top-level modules and
/// packages (`config`, `manage`, ...): a project package named like one of
/// them would shadow it. Entries named by a variable are the package itself.
pub fn top_level_modules() -> Vec<String> {
    let mut names: Vec<String> = HEAD
        .files
        .iter()
        .map(|file| file.starter_path)
        .filter_map(|path| {
            let (first, rest) = match path.split_once('/') {
                Some((first, rest)) => (first, Some(rest)),
                None => (path, None),
            };
            if first.contains('@') || first.starts_with('.') || first.starts_with('+') {
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

/// The head starter's module called `name`.
pub(crate) fn head_module(name: &str) -> Option<&'static Module> {
    HEAD.modules.iter().find(|m| m.name == name)
}

/// The head starter's modules named in `names` (a user's `--with` list, or
/// `add`'s one), sorted and without repeats; an unknown name is an error
/// that lists the modules there are.
pub(crate) fn head_modules(names: &[String]) -> crate::error::Result<Vec<&'static str>> {
    let mut found = Vec::new();
    for name in names {
        let name = name.trim();
        match head_module(name) {
            Some(module) => found.push(module.name),
            None => {
                let known: Vec<String> = HEAD
                    .modules
                    .iter()
                    .map(|m| format!("{} ({})", m.name, m.description))
                    .collect();
                return Err(crate::error::Error::new(if known.is_empty() {
                    format!(
                        "unknown module '{name}': the starter of quickscale {} has no modules yet",
                        HEAD.version
                    )
                } else {
                    format!(
                        "unknown module '{name}'; the modules are: {}; see `quickscale modules`",
                        known.join(", ")
                    )
                }));
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
