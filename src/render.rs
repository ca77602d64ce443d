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
    pub fn new(get: impl Fn(Var) -> String) -> Self {
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

    pub fn get(&self, var: Var) -> &str {
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

pub fn render_segments(segments: &[Segment], values: &Values) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Lit(text) => out.push_str(text),
            Segment::Var(var) => out.push_str(values.get(*var)),
        }
    }
    out
}

/// The bytes of a body deflated at build time (macros/src/emit.rs).
fn inflate(packed: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec(packed)
        .expect("a body deflated when quickscale was built inflates")
}

/// Renders inflated [`Body::DeflatedText`]: literal bytes, and at each NUL the
/// value of the variable whose index follows it.
fn render_packed(text: &[u8], values: &Values) -> Vec<u8> {
    expand_packed(text, |var| values.get(var).as_bytes().to_vec())
}

/// Inflated packed text with each variable (a NUL and its index in
/// [`Var::ALL`]) replaced by `value(var)`.
fn expand_packed(text: &[u8], value: impl Fn(Var) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.iter().position(|&byte| byte == 0) {
        out.extend_from_slice(&rest[..at]);
        out.extend(value(Var::ALL[usize::from(rest[at + 1])]));
        rest = &rest[at + 2..];
    }
    out.extend_from_slice(rest);
    out
}

/// Renders every file of `starter`, sorted by the generated path.
pub fn render(starter: &Starter, values: &Values) -> Vec<RenderedFile> {
    let mut files: Vec<RenderedFile> = starter
        .files
        .iter()
        .map(|file| {
            let (bytes, binary) = match *file.body() {
                Body::Text(segments) => (render_segments(segments, values).into_bytes(), false),
                Body::Binary(bytes) => (bytes.to_vec(), true),
                Body::DeflatedText(packed) => (render_packed(&inflate(packed), values), false),
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
            render_packed(packed, &values()),
            b"import my_app.users  # my-app\nmy-app"
        );
        assert_eq!(render_packed(b"no variable", &values()), b"no variable");
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
                })
                .collect(),
            Body::Binary(bytes) => bytes.to_vec(),
            Body::DeflatedText(packed) => expand_packed(&inflate(packed), spelled),
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
            check_fully_rendered(&render(&starter, &values()), starter.files.len());
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
