//! The manifest, `.quickscale.toml`: what init wrote, so that diff can tell a
//! file the user changed from a file the starter changed.
//!
//! A small, strict subset of TOML that this module both writes and reads, so
//! the binary needs no TOML library: top-level `key = "string"` pairs, then
//! `[variables]` and `[files]` tables of quoted keys and string values.

use crate::error::{Error, Result};
use crate::render::{RenderedFile, Values};
use crate::starter;
use crate::text::{content_hash, parse_version, quote, QUICKSCALE_VERSION};

pub(crate) const FILE_NAME: &str = ".quickscale.toml";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub quickscale_version: String,
    pub starter_digest: String,
    /// `(placeholder name, value)`, e.g. `("PACKAGE_NAME", "my_app")`. Never secrets.
    pub variables: Vec<(String, String)>,
    /// The starter's modules the project has enabled, sorted: both the base
    /// and the new starter are rendered with them.
    pub modules: Vec<String>,
    /// `(path, "sha256:<hex>")` of each starter file as written, sorted by path.
    pub files: Vec<(String, String)>,
    /// Paths an upgrade left with conflict markers, sorted: until the markers
    /// are gone, `diff` and `upgrade` report them as unresolved instead of
    /// taking them for the owner's own edits.
    pub conflicts: Vec<String>,
}

impl Manifest {
    /// The manifest of a project rendered from the head starter with `values`:
    /// what `init` writes, and what `upgrade` moves a project forward to.
    pub(crate) fn for_render(
        values: &Values,
        modules: &[&str],
        files: &[RenderedFile],
        conflicts: Vec<String>,
    ) -> Self {
        let mut modules: Vec<String> = modules.iter().map(|m| (*m).to_owned()).collect();
        modules.sort();
        modules.dedup();
        Manifest {
            quickscale_version: QUICKSCALE_VERSION.to_owned(),
            starter_digest: starter::head_digest().to_owned(),
            variables: values
                .pairs()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            modules,
            files: files
                .iter()
                .map(|f| (f.path.clone(), content_hash(&f.bytes)))
                .collect(),
            conflicts,
        }
    }

    pub(crate) fn variable(&self, name: &str) -> Option<&str> {
        self.variables
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn file_hash(&self, path: &str) -> Option<&str> {
        self.files
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()
            .map(|index| self.files[index].1.as_str())
    }

    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("# Written by quickscale. Commit this file: `quickscale diff` and `quickscale upgrade`\n");
        out.push_str(
            "# read it to tell your changes from starter changes. Edit nothing here by hand.\n",
        );
        out.push_str(&format!(
            "quickscale_version = {}\n",
            quote(&self.quickscale_version)
        ));
        out.push_str(&format!(
            "starter_digest = {}\n",
            quote(&self.starter_digest)
        ));
        out.push_str("\n[variables]\n");
        for (key, value) in &self.variables {
            out.push_str(&format!("{key} = {}\n", quote(value)));
        }
        // Only projects with modules say so, so that a project without any
        // has the manifest it always had.
        if !self.modules.is_empty() {
            out.push_str("\n[modules]\n");
            for module in &self.modules {
                out.push_str(&format!("{module} = \"enabled\"\n"));
            }
        }
        out.push_str("\n[files]\n");
        for (path, hash) in &self.files {
            out.push_str(&format!("{} = {}\n", quote(path), quote(hash)));
        }
        if !self.conflicts.is_empty() {
            out.push_str(
                "\n# Left with conflict markers by `quickscale upgrade`; resolve, then commit.\n",
            );
            out.push_str("[conflicts]\n");
            for path in &self.conflicts {
                out.push_str(&format!("{} = \"unresolved\"\n", quote(path)));
            }
        }
        out
    }

    /// Parses manifest text; `shown` names the file in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Manifest> {
        let corrupt = |line: usize, what: &str| {
            Error::new(format!(
                "{shown}:{line}: {what}; the manifest is corrupt: restore it from version control \
                 (git checkout -- {FILE_NAME}) or run diff with --name to compare without it"
            ))
        };
        let mut version = None;
        let mut digest = None;
        let mut variables = Vec::new();
        let mut modules = Vec::new();
        let mut files: Vec<(String, String)> = Vec::new();
        let mut conflicts = Vec::new();
        let mut section = "";
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match name.trim() {
                    "variables" => "variables",
                    "modules" => "modules",
                    "files" => "files",
                    "conflicts" => "conflicts",
                    other => return Err(corrupt(number, &format!("unknown table [{other}]"))),
                };
                continue;
            }
            let (key, rest) =
                parse_key(line).ok_or_else(|| corrupt(number, "expected `key = \"value\"`"))?;
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix('=')
                .ok_or_else(|| corrupt(number, "expected `=` after the key"))?;
            let (value, tail) = parse_string(rest.trim_start())
                .ok_or_else(|| corrupt(number, "expected a quoted string value"))?;
            let tail = tail.trim();
            if !(tail.is_empty() || tail.starts_with('#')) {
                return Err(corrupt(number, "unexpected text after the value"));
            }
            match (section, key.as_str()) {
                ("", "quickscale_version") => version = Some(value),
                ("", "starter_digest") => digest = Some(value),
                ("", _) => {} // A key from another version; nothing here depends on it.
                ("variables", _) => variables.push((key, value)),
                ("modules", _) => {
                    let well_formed = key.starts_with(|c: char| c.is_ascii_lowercase())
                        && key
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                    if !well_formed || value != "enabled" {
                        return Err(corrupt(
                            number,
                            &format!("'{key}' is not a module entry (`name = \"enabled\"`)"),
                        ));
                    }
                    modules.push(key);
                }
                ("conflicts", _) => {
                    check_path(&key).map_err(|what| corrupt(number, &what))?;
                    conflicts.push(key);
                }
                _ => {
                    check_path(&key).map_err(|what| corrupt(number, &what))?;
                    if !is_sha256(&value) {
                        return Err(corrupt(
                            number,
                            &format!("'{key}' has no valid sha256 hash"),
                        ));
                    }
                    files.push((key, value));
                }
            }
        }
        let quickscale_version = version.ok_or_else(|| corrupt(1, "no quickscale_version"))?;
        let starter_digest = digest.ok_or_else(|| corrupt(1, "no starter_digest"))?;
        if parse_version(&quickscale_version).is_none() {
            return Err(corrupt(
                1,
                &format!("quickscale_version '{quickscale_version}' is not a version"),
            ));
        }
        files.sort();
        if files.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(corrupt(1, "a file is listed twice"));
        }
        conflicts.sort();
        conflicts.dedup();
        modules.sort();
        modules.dedup();
        Ok(Manifest {
            quickscale_version,
            starter_digest,
            variables,
            modules,
            files,
            conflicts,
        })
    }

    /// Refuses a manifest written by a newer quickscale, whose starter this
    /// binary does not know.
    pub(crate) fn check_not_newer(&self, shown: &str) -> Result<()> {
        let ours = parse_version(QUICKSCALE_VERSION).expect("the crate version is valid");
        match parse_version(&self.quickscale_version) {
            Some(theirs) if theirs > ours => Err(Error::new(format!(
                "{shown} was written by quickscale {}, newer than this quickscale {QUICKSCALE_VERSION}; \
                 install quickscale {} or later",
                self.quickscale_version, self.quickscale_version
            ))),
            _ => Ok(()),
        }
    }
}

/// `sha256:` and 64 lower-case hex digits.
fn is_sha256(value: &str) -> bool {
    value.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A manifest path must name a file inside the project: relative, `/`-separated,
/// no empty, `.` or `..` component and no control character. Anything else
/// would make `diff` read, or `upgrade` write, outside the project.
pub(crate) fn check_path(path: &str) -> std::result::Result<(), String> {
    // Error::new escapes the control characters this rejects.
    let shown = path;
    if path.is_empty() {
        return Err("a file path is empty".to_owned());
    }
    if path.chars().any(char::is_control) {
        return Err(format!("the path '{shown}' holds a control character"));
    }
    if path.starts_with('/') {
        return Err(format!("the path '{shown}' is absolute"));
    }
    if path.contains('\\') {
        return Err(format!("the path '{shown}' holds a backslash"));
    }
    for part in path.split('/') {
        match part {
            "" => return Err(format!("the path '{shown}' has an empty component")),
            "." | ".." => return Err(format!("the path '{shown}' has a '{part}' component")),
            _ => {}
        }
    }
    Ok(())
}

fn parse_key(line: &str) -> Option<(String, &str)> {
    if line.starts_with('"') {
        return parse_string(line);
    }
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    (end > 0).then(|| (line[..end].to_owned(), &line[end..]))
}

/// A TOML basic string at the start of `text`; returns it and what follows.
fn parse_string(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((index, ch)) = chars.next() {
        match ch {
            '"' => return Some((out, &text[1 + index + 1..])),
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                }
            }
            c if c.is_control() => return None,
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn sample() -> Manifest {
        Manifest {
            quickscale_version: "0.1.0".into(),
            starter_digest: "sha256:abc".into(),
            variables: vec![
                ("PROJECT_NAME".into(), "odd \"name\"\\".into()),
                ("PACKAGE_NAME".into(), "odd".into()),
            ],
            modules: vec!["billing".into(), "teams".into()],
            files: vec![
                ("README.md".into(), content_hash(b"readme")),
                ("odd dir/\"quoted\".txt".into(), content_hash(b"")),
            ],
            conflicts: vec!["config/urls.py".into()],
        }
    }

    #[test]
    fn modules_are_written_only_when_a_project_has_some() {
        let mut manifest = sample();
        assert!(manifest
            .to_toml()
            .contains("\n[modules]\nbilling = \"enabled\"\nteams = \"enabled\"\n"));
        manifest.modules.clear();
        assert!(!manifest.to_toml().contains("[modules]"));
        let bad = sample()
            .to_toml()
            .replace("teams = \"enabled\"", "teams = \"on\"");
        assert!(Manifest::parse(&bad, "m").is_err());
        let bad = sample().to_toml().replace("teams = ", "Teams = ");
        assert!(Manifest::parse(&bad, "m").is_err());
    }

    #[test]
    fn a_module_name_starts_with_a_letter_and_has_only_lower_case_digits_and_underscores() {
        let with_module = |name: &str| {
            sample()
                .to_toml()
                .replace("teams = ", &format!("{name} = "))
        };
        for good in ["team_2fa", "t", "t_1_b"] {
            let parsed = Manifest::parse(&with_module(good), "m").unwrap();
            assert_eq!(parsed.modules, ["billing", good]);
        }
        for bad in ["_teams", "2fa", "te-ams", "teAms", "\"te.ams\""] {
            let err = Manifest::parse(&with_module(bad), "m").unwrap_err();
            assert!(
                err.message().contains("is not a module entry"),
                "{bad}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn round_trips() {
        let manifest = sample();
        let parsed = Manifest::parse(&manifest.to_toml(), "m").unwrap();
        assert_eq!(parsed, manifest);
        assert_eq!(
            parsed.file_hash("README.md"),
            Some(content_hash(b"readme").as_str())
        );
        assert_eq!(parsed.file_hash("missing"), None);
        assert_eq!(parsed.variable("PACKAGE_NAME"), Some("odd"));
    }

    #[test]
    fn hashes_are_sha256() {
        assert_eq!(
            content_hash(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn rejects_corrupt_text_with_the_line() {
        for (text, expected) in [
            ("quickscale_version = 0.1.0\n", "m:1: expected a quoted string"),
            ("quickscale_version = \"0.1.0\"\n", "no starter_digest"),
            ("starter_digest = \"x\"\nquickscale_version = \"zero\"\n", "is not a version"),
            ("[nonsense]\n", "unknown table"),
            ("quickscale_version = \"0.1.0\"\nstarter_digest = \"x\"\n[files]\n\"a\" = \"md5:1\"\n", "m:4:"),
            ("quickscale_version = \"0.1.0\" trailing\n", "unexpected text"),
            ("\u{0}\u{1}garbage", "m:1:"),
        ] {
            let err = Manifest::parse(text, "m").unwrap_err();
            assert!(err.message().contains(expected), "{text:?}: {}", err.message());
            assert!(err.message().contains("corrupt"), "{}", err.message());
        }
    }

    #[test]
    fn refuses_paths_that_leave_the_project() {
        let head = "quickscale_version = \"0.1.0\"\nstarter_digest = \"x\"\n[files]\n";
        let hash = content_hash(b"");
        for (path, expected) in [
            ("/etc/passwd", "is absolute"),
            ("../outside", "'..' component"),
            ("a/../../b", "'..' component"),
            ("./a", "'.' component"),
            ("a//b", "empty component"),
            ("a/", "empty component"),
            ("", "empty"),
            ("a\\u001bb", "control character"),
            ("a\\nb", "control character"),
            ("a\\\\b", "backslash"),
        ] {
            for table in ["files", "conflicts"] {
                let text = format!("{head}\n[{table}]\n\"{path}\" = \"{hash}\"\n").replacen(
                    "[files]\n\n[files]",
                    "[files]",
                    1,
                );
                let err = Manifest::parse(&text, "m").unwrap_err();
                assert!(
                    err.message().contains(expected),
                    "{path:?} in [{table}]: {}",
                    err.message()
                );
                assert!(err.message().contains("corrupt"), "{}", err.message());
                assert!(!err.message().contains('\n') && !err.message().contains('\u{1b}'));
            }
        }
    }

    #[test]
    fn hashes_must_be_lower_case_hex_sha256() {
        let head = "quickscale_version = \"0.1.0\"\nstarter_digest = \"x\"\n[files]\n";
        let good = content_hash(b"x");
        assert!(Manifest::parse(&format!("{head}\"a\" = \"{good}\"\n"), "m").is_ok());
        for bad in [
            good.to_uppercase().replace("SHA256", "sha256"),
            good.replace("sha256:", "sha1:"),
            good[..good.len() - 1].to_owned(),
            format!("{good}0"),
            good.replacen('a', "g", 1).replacen('0', "g", 1),
        ] {
            let err = Manifest::parse(&format!("{head}\"a\" = \"{bad}\"\n"), "m").unwrap_err();
            assert!(
                err.message().contains("no valid sha256"),
                "{bad}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn reads_back_every_string_quote_writes() {
        let quoted = quote("x\"\\\n\t\r\u{1}\u{7f}é");
        let parsed = parse_string(&quoted).unwrap();
        assert_eq!(parsed, ("x\"\\\n\t\r\u{1}\u{7f}é".to_owned(), ""));
    }

    #[test]
    fn records_a_render_with_its_values_hashes_and_conflicts() {
        let names = crate::names::ProjectNames {
            project: "My-App".into(),
            package: "my_app".into(),
            slug: "my-app".into(),
        };
        let file = |path: &str, bytes: &[u8]| RenderedFile {
            path: path.into(),
            executable: false,
            bytes: bytes.to_vec(),
            binary: false,
        };
        let manifest = Manifest::for_render(
            &Values::for_names(&names),
            &["teams", "billing", "teams"],
            &[file("README.md", b"readme"), file("x.py", b"")],
            vec!["x.py".into()],
        );
        assert_eq!(
            manifest,
            Manifest {
                quickscale_version: QUICKSCALE_VERSION.into(),
                starter_digest: starter::head_digest().into(),
                variables: vec![
                    ("PROJECT_NAME".into(), "My-App".into()),
                    ("PACKAGE_NAME".into(), "my_app".into()),
                    ("PROJECT_SLUG".into(), "my-app".into()),
                ],
                modules: vec!["billing".into(), "teams".into()],
                files: vec![
                    ("README.md".into(), content_hash(b"readme")),
                    ("x.py".into(), content_hash(b"")),
                ],
                conflicts: vec!["x.py".into()],
            }
        );
    }

    #[test]
    fn top_level_keys_of_other_versions_are_ignored() {
        let text = "quickscale_version = \"0.1.0\"\nfuture-key = \"x\" # note\n\
                    starter_digest = \"d\"\n";
        let parsed = Manifest::parse(text, "m").unwrap();
        assert_eq!(
            (
                parsed.quickscale_version.as_str(),
                parsed.starter_digest.as_str()
            ),
            ("0.1.0", "d")
        );
        assert!(parsed.files.is_empty() && parsed.variables.is_empty());
    }

    #[test]
    fn refuses_what_the_writer_never_writes() {
        let head = "quickscale_version = \"0.1.0\"\nstarter_digest = \"x\"\n";
        let hash = content_hash(b"");
        for (text, expected) in [
            (format!("{head}= \"x\"\n"), "m:3: expected `key"),
            (format!("{head}key \"x\"\n"), "m:3: expected `=`"),
            (
                format!("{head}key = \"a\tb\"\n"),
                "m:3: expected a quoted string",
            ),
            (
                format!("{head}key = \"a\\qb\"\n"),
                "m:3: expected a quoted string",
            ),
            (
                format!("{head}key = \"open\n"),
                "m:3: expected a quoted string",
            ),
            (
                format!("{head}[files]\n\"a\" = \"{hash}\"\n\"a\" = \"{hash}\"\n"),
                "a file is listed twice",
            ),
        ] {
            let err = Manifest::parse(&text, "m").unwrap_err();
            assert!(
                err.message().contains(expected),
                "{text:?}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn refuses_manifests_from_newer_versions() {
        let mut manifest = sample();
        manifest.quickscale_version = "999.0.0".into();
        let err = manifest.check_not_newer("m").unwrap_err();
        assert!(
            err.message().contains("newer than this quickscale"),
            "{}",
            err.message()
        );
        manifest.quickscale_version = "0.0.1".into();
        assert!(manifest.check_not_newer("m").is_ok());
        manifest.quickscale_version = QUICKSCALE_VERSION.into();
        assert!(manifest.check_not_newer("m").is_ok(), "the same version");
    }
}
