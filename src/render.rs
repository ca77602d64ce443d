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

/// Renders every file of `starter`, sorted by the generated path.
pub fn render(starter: &Starter, values: &Values) -> Vec<RenderedFile> {
    let mut files: Vec<RenderedFile> = starter
        .files
        .iter()
        .map(|file| {
            let (bytes, binary) = match *file.body() {
                Body::Text(segments) => (render_segments(segments, values).into_bytes(), false),
                Body::Binary(bytes) => (bytes.to_vec(), true),
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
