//! Rendering: the concatenation of a file's segments with the project's
//! variable values. No I/O: everything comes from the embedded table. The
//! values every command renders with are derived here, from the project's
//! names, and nowhere else.

use crate::names::ProjectNames;
use crate::starter::{Body, Segment, Starter, Var};

/// The value of each variable for one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    values: [String; Var::ALL.len()],
}

impl Values {
    pub(crate) fn new(get: impl Fn(Var) -> String) -> Self {
        Values {
            values: Var::ALL.map(get),
        }
    }

    /// The value of every variable for a project with these names.
    pub fn for_names(names: &ProjectNames) -> Self {
        Values::new(|var| match var {
            Var::ProjectName => names.project.clone(),
            Var::PackageName => names.package.clone(),
            Var::ProjectSlug => names.slug.clone(),
        })
    }

    pub(crate) fn get(&self, var: Var) -> &str {
        &self.values[var as usize]
    }

    /// `(placeholder name, value)` pairs in declaration order, for the manifest.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        Var::ALL
            .iter()
            .map(|var| (var.placeholder(), self.get(*var)))
    }
}

/// One file of the generated project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Relative, `/`-separated path in the generated project.
    pub path: String,
    pub executable: bool,
    pub bytes: Vec<u8>,
    /// True for files embedded verbatim; diff never prints their content.
    pub binary: bool,
}

/// A path's segments (or a text's, all its modules disabled) with `values`.
pub(crate) fn render_segments(segments: &[Segment], values: &Values) -> String {
    render_text(segments, values, &[])
}

/// Text segments with `values`, keeping what the conditions allow for the
/// enabled `modules`.
fn render_text(segments: &[Segment], values: &Values, modules: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = Skipping::default();
    for segment in segments {
        match segment {
            Segment::When(terms, _) => skipping.open(holds(terms, modules)),
            Segment::End(_) => skipping.close(),
            _ if skipping.active() => {}
            Segment::Lit(text) => out.push_str(text),
            Segment::Var(var) => out.push_str(values.get(*var)),
        }
    }
    out
}

/// Whether every `(module, enabled)` term holds for the enabled `modules`.
fn holds<T: AsRef<str>>(terms: &[(T, bool)], modules: &[&str]) -> bool {
    terms
        .iter()
        .all(|(name, on)| modules.contains(&name.as_ref()) == *on)
}

/// How deep inside conditions that do not hold the renderer is: what it meets
/// there is left out, and conditions nested in them hold no matter what.
#[derive(Default)]
struct Skipping(usize);

impl Skipping {
    fn open(&mut self, holds: bool) {
        if self.0 > 0 || !holds {
            self.0 += 1;
        }
    }

    fn close(&mut self) {
        self.0 = self.0.saturating_sub(1);
    }

    fn active(&self) -> bool {
        self.0 > 0
    }
}

/// The bytes of a body deflated at build time (macros/src/emit.rs).
fn inflate(packed: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec(packed)
        .expect("a body deflated when quickscale was built inflates")
}

/// Renders inflated [`Body::DeflatedText`]: literal bytes, at each NUL the
/// value of the variable whose index follows it, and only what the
/// conditions allow for the enabled `modules`.
fn render_packed(text: &[u8], values: &Values, modules: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut skipping = Skipping::default();
    for piece in packed_pieces(text) {
        match piece {
            Packed::When(terms, _) => skipping.open(holds(&terms, modules)),
            Packed::End(_) => skipping.close(),
            _ if skipping.active() => {}
            Packed::Lit(bytes) => out.extend_from_slice(bytes),
            Packed::Var(var) => out.extend_from_slice(values.get(var).as_bytes()),
        }
    }
    out
}

/// A piece of inflated packed text. The markers' text is read only to give
/// a file's source back (the tests do, to check every body).
#[cfg_attr(not(test), allow(dead_code))]
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Packed<'a> {
    Lit(&'a [u8]),
    Var(Var),
    /// The condition's terms and the marker's text.
    When(Vec<(&'a str, bool)>, &'a [u8]),
    End(&'a [u8]),
}

/// After a NUL in packed text: a condition follows.
const PACKED_WHEN: u8 = 0xFE;
/// After a NUL in packed text: the end of the innermost condition.
const PACKED_END: u8 = 0xFF;

/// Splits inflated packed text: literal bytes; a NUL and a variable's index
/// in [`Var::ALL`]; a NUL, 0xFE, a condition's spelling (`billing,!teams`),
/// a NUL, its marker's text and a NUL; a NUL, 0xFF, the end's marker text and
/// a NUL (macros/src/emit.rs writes it).
fn packed_pieces(text: &[u8]) -> Vec<Packed<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    // Up to the next NUL, and what follows it.
    let field = |bytes: &'_ [u8]| -> (usize, usize) {
        let end = bytes
            .iter()
            .position(|&b| b == 0)
            .expect("a packed field ends");
        (end, end + 1)
    };
    while let Some(at) = rest.iter().position(|&byte| byte == 0) {
        if at > 0 {
            pieces.push(Packed::Lit(&rest[..at]));
        }
        let tail = &rest[at + 2..];
        rest = match rest[at + 1] {
            PACKED_WHEN => {
                let (spelled_end, marker_start) = field(tail);
                let spelled =
                    std::str::from_utf8(&tail[..spelled_end]).expect("a packed condition is UTF-8");
                let terms = spelled
                    .split(',')
                    .map(|term| match term.strip_prefix('!') {
                        Some(name) => (name, false),
                        None => (term, true),
                    })
                    .collect();
                let marker = &tail[marker_start..];
                let (marker_end, next) = field(marker);
                pieces.push(Packed::When(terms, &marker[..marker_end]));
                &marker[next..]
            }
            PACKED_END => {
                let (marker_end, next) = field(tail);
                pieces.push(Packed::End(&tail[..marker_end]));
                &tail[next..]
            }
            index => {
                pieces.push(Packed::Var(Var::ALL[usize::from(index)]));
                tail
            }
        };
    }
    if !rest.is_empty() {
        pieces.push(Packed::Lit(rest));
    }
    pieces
}

/// Renders every file of `starter` for a project without modules, sorted by
/// the generated path.
pub fn render(starter: &Starter, values: &Values) -> Vec<RenderedFile> {
    render_with(starter, values, &[])
}

/// Renders every file of `starter` for a project with the enabled `modules`:
/// their files, and the lines their conditions allow. Sorted by path.
pub fn render_with(starter: &Starter, values: &Values, modules: &[&str]) -> Vec<RenderedFile> {
    let mut files: Vec<RenderedFile> = starter
        .files
        .iter()
        .filter(|file| file.module.is_none_or(|module| modules.contains(&module)))
        .map(|file| {
            let (bytes, binary) = match *file.body() {
                Body::Text(segments) => {
                    (render_text(segments, values, modules).into_bytes(), false)
                }
                Body::Binary(bytes) => (bytes.to_vec(), true),
                Body::DeflatedText(packed) => {
                    (render_packed(&inflate(packed), values, modules), false)
                }
                Body::DeflatedBinary(packed) => (inflate(packed), true),
            };
            RenderedFile {
                path: render_segments(file.path, values),
                executable: file.executable,
                bytes,
                binary,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::starter::{HEAD, HISTORY};

    fn values() -> Values {
        Values::for_names(&ProjectNames {
            project: "my-app".to_owned(),
            package: "my_app".to_owned(),
            slug: "my-app".to_owned(),
        })
    }

    #[test]
    fn concatenates_literals_and_values() {
        let segments = [
            Segment::Lit("import "),
            Segment::Var(Var::PackageName),
            Segment::Lit(".users"),
        ];
        assert_eq!(render_segments(&segments, &values()), "import my_app.users");
    }

    #[test]
    fn packed_text_puts_each_variable_where_its_nul_stands() {
        let packed = b"import \0\x01.users  # \0\x00\n\0\x02";
        assert_eq!(
            render_packed(packed, &values(), &[]),
            b"import my_app.users  # my-app\nmy-app"
        );
        assert_eq!(
            render_packed(b"no variable", &values(), &[]),
            b"no variable"
        );
    }

    #[test]
    fn conditions_keep_what_holds_for_the_enabled_modules() {
        let segments = [
            Segment::Lit("apps = [\n"),
            Segment::When(&[("teams", true)], "@IF(teams)@"),
            Segment::Lit("    \""),
            Segment::Var(Var::PackageName),
            Segment::Lit(".teams\",\n"),
            Segment::End(""),
            Segment::When(
                &[("billing", true), ("teams", false)],
                "@IF(billing,!teams)@",
            ),
            Segment::Lit("    \"solo\",\n"),
            Segment::End(""),
            Segment::When(&[("teams", false)], "@BEGIN(!teams)@\n"),
            Segment::When(&[("billing", true)], "@IF(billing)@"),
            Segment::Lit("    \"nested\",\n"),
            Segment::End(""),
            Segment::End("@END(!teams)@\n"),
            Segment::Lit("]\n"),
        ];
        let rendered = |modules: &[&str]| render_text(&segments, &values(), modules);
        assert_eq!(rendered(&[]), "apps = [\n]\n");
        assert_eq!(rendered(&["teams"]), "apps = [\n    \"my_app.teams\",\n]\n");
        assert_eq!(
            rendered(&["billing"]),
            "apps = [\n    \"solo\",\n    \"nested\",\n]\n"
        );
        assert_eq!(
            rendered(&["billing", "teams"]),
            "apps = [\n    \"my_app.teams\",\n]\n"
        );
        // The same text packed, as older starters store it, renders the same.
        let packed = b"apps = [\n\0\xfeteams\0@IF(teams)@\0    \"\0\x01.teams\",\n\0\xff\0\
            \0\xfebilling,!teams\0@IF(billing,!teams)@\0    \"solo\",\n\0\xff\0\
            \0\xfe!teams\0@BEGIN(!teams)@\n\0\0\xfebilling\0@IF(billing)@\0    \"nested\",\n\0\xff\0\
            \0\xff@END(!teams)@\n\0]\n";
        for modules in [&[][..], &["teams"], &["billing"], &["billing", "teams"]] {
            assert_eq!(
                String::from_utf8(render_packed(packed, &values(), modules)).unwrap(),
                rendered(modules),
                "{modules:?}"
            );
        }
    }

    #[test]
    fn packed_text_splits_into_pieces_with_no_empty_literal() {
        // Markers back to back, at the start and at the end: nothing lies
        // between them, and no empty literal stands for that nothing.
        let packed = b"\0\x01\0\xfeteams\0@IF(teams)@\0\0\x00 and\0\xff\0\0\xff@END@\0";
        assert_eq!(
            packed_pieces(packed),
            [
                Packed::Var(Var::ALL[1]),
                Packed::When(vec![("teams", true)], b"@IF(teams)@"),
                Packed::Var(Var::ALL[0]),
                Packed::Lit(b" and"),
                Packed::End(b""),
                Packed::End(b"@END@"),
            ]
        );
        assert!(packed_pieces(b"").is_empty());
    }

    #[test]
    fn a_condition_that_holds_inside_one_that_does_not_ends_only_itself() {
        // Inside `!teams`, with teams enabled, the `billing` block holds but
        // its end must not end the skipping: "after" is still inside `!teams`.
        let segments = [
            Segment::When(&[("teams", false)], "@BEGIN(!teams)@\n"),
            Segment::When(&[("billing", true)], "@IF(billing)@"),
            Segment::Lit("nested\n"),
            Segment::End(""),
            Segment::Lit("after\n"),
            Segment::End("@END(!teams)@\n"),
            Segment::Lit("last\n"),
        ];
        let rendered = |modules: &[&str]| render_text(&segments, &values(), modules);
        assert_eq!(rendered(&["billing", "teams"]), "last\n");
        assert_eq!(rendered(&["billing"]), "nested\nafter\nlast\n");
        assert_eq!(rendered(&[]), "after\nlast\n");
        let packed =
            b"\0\xfe!teams\0@BEGIN(!teams)@\n\0\0\xfebilling\0@IF(billing)@\0nested\n\0\xff\0\
            after\n\0\xff@END(!teams)@\n\0last\n";
        for modules in [&[][..], &["billing"], &["billing", "teams"]] {
            assert_eq!(
                String::from_utf8(render_packed(packed, &values(), modules)).unwrap(),
                rendered(modules),
                "{modules:?}"
            );
        }
    }

    /// The starter file's own bytes, placeholders unexpanded, from any body.
    fn source_bytes(body: &Body) -> Vec<u8> {
        let spelled = |var: Var| format!("@{}@", var.placeholder()).into_bytes();
        match *body {
            Body::Text(segments) => segments
                .iter()
                .flat_map(|segment| match segment {
                    Segment::Lit(text) => text.as_bytes().to_vec(),
                    Segment::Var(var) => spelled(*var),
                    Segment::When(_, marker) | Segment::End(marker) => marker.as_bytes().to_vec(),
                })
                .collect(),
            Body::Binary(bytes) => bytes.to_vec(),
            Body::DeflatedText(packed) => packed_pieces(&inflate(packed))
                .into_iter()
                .flat_map(|piece| match piece {
                    Packed::Lit(bytes) | Packed::When(_, bytes) | Packed::End(bytes) => {
                        bytes.to_vec()
                    }
                    Packed::Var(var) => spelled(var),
                })
                .collect(),
            Body::DeflatedBinary(packed) => inflate(packed),
        }
    }

    #[test]
    fn every_body_stored_plain_or_deflated_is_its_file_byte_for_byte() {
        for (key, body) in crate::starter::BLOBS.entries() {
            assert_eq!(
                crate::text::content_hash(&source_bytes(body)),
                *key,
                "{body:?}"
            );
        }
    }

    #[test]
    fn the_head_is_stored_plain_and_what_only_older_starters_use_deflated() {
        let head: std::collections::BTreeSet<&str> = HEAD.files.iter().map(|f| f.blob).collect();
        for file in HEAD.files {
            assert!(
                matches!(file.body(), Body::Text(_) | Body::Binary(_)),
                "{}: init renders the head without inflating",
                file.starter_path
            );
        }
        let mut deflated = 0;
        for file in HISTORY.values().flat_map(|starter| starter.files) {
            if !head.contains(file.blob) {
                assert!(
                    matches!(file.body(), Body::DeflatedText(_) | Body::DeflatedBinary(_)),
                    "{} of an older starter is deflated",
                    file.starter_path
                );
                deflated += 1;
            }
        }
        assert!(deflated > 0, "0.1.0 has files the head changed");
    }

    #[test]
    fn pairs_name_every_variable_with_its_value() {
        let values = values();
        let pairs: Vec<(&str, &str)> = values.pairs().collect();
        assert_eq!(
            pairs,
            [
                ("PROJECT_NAME", "my-app"),
                ("PACKAGE_NAME", "my_app"),
                ("PROJECT_SLUG", "my-app")
            ]
        );
    }

    #[test]
    fn renders_every_file_of_every_version_with_no_placeholder_left() {
        let history = HISTORY.values().copied();
        for starter in std::iter::once(HEAD).chain(history) {
            // Without modules: every file but the modules' own.
            let shared = starter.files.iter().filter(|f| f.module.is_none()).count();
            check_fully_rendered(&render(&starter, &values()), shared);
            // With all of them: every file.
            let all: Vec<&str> = starter.modules.iter().map(|m| m.name).collect();
            check_fully_rendered(&render_with(&starter, &values(), &all), starter.files.len());
        }
    }

    fn check_fully_rendered(files: &[RenderedFile], count: usize) {
        assert_eq!(files.len(), count);
        for file in files.iter().filter(|f| !f.binary) {
            let text = String::from_utf8(file.bytes.clone()).unwrap();
            for var in Var::ALL {
                let placeholder = format!("@{}@", var.placeholder());
                assert!(
                    !text.contains(&placeholder),
                    "{} still holds {placeholder}",
                    file.path
                );
                assert!(
                    !file.path.contains(&placeholder),
                    "{} keeps {placeholder}",
                    file.path
                );
            }
        }
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "output order is sorted and so deterministic");
    }
}
