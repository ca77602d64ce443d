//! How a diff comparison is shown: summary, `--stat`, `--name-only`,
//! `--patch` and `--format json`. Pure functions from a comparison to text.

use similar::TextDiff;

use crate::diff::{Comparison, Difference, Status};
use crate::manifest::{quote, QUICKSCALE_VERSION};

/// ANSI colours, or none: only on a terminal and never with NO_COLOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Headings of the summary, in the order they are shown.
const GROUPS: &[(Status, &str)] = &[
    (
        Status::Upstream,
        "Safe to take (changed in the starter, untouched by you)",
    ),
    (Status::Added, "Safe to take (new in the starter)"),
    (
        Status::Removed,
        "Safe to delete (removed from the starter, untouched by you)",
    ),
    (
        Status::Conflict,
        "Merge by hand (changed by you and in the starter)",
    ),
    (Status::Local, "Changed by you only (nothing to take)"),
    (Status::Missing, "Missing in your project"),
    (Status::Differs, "Differs from the starter"),
];

pub fn summary(comparison: &Comparison, style: Style) -> String {
    let name = &comparison.project_name;
    if comparison.differences.is_empty() {
        return format!(
            "{name} is up to date with the starter of quickscale {QUICKSCALE_VERSION}.\n"
        );
    }
    let count = comparison.differences.len();
    let mut out = format!(
        "{name}: {count} file{} differ{} from the starter of quickscale {QUICKSCALE_VERSION}",
        if count == 1 { "" } else { "s" },
        if count == 1 { "s" } else { "" },
    );
    match &comparison.made_with {
        Some(version) => out.push_str(&format!(" (project made with {version}).\n")),
        None => out.push_str(
            ".\nNo .quickscale.toml: quickscale cannot tell which side changed each file.\n",
        ),
    }
    for (status, heading) in GROUPS {
        let paths: Vec<&Difference> = comparison
            .differences
            .iter()
            .filter(|d| d.status == *status)
            .collect();
        if paths.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&style.paint("1", &format!("{heading}:")));
        out.push('\n');
        for difference in paths {
            let binary = if difference.binary { " (binary)" } else { "" };
            out.push_str(&format!(
                "  {}{binary}\n",
                style.paint(color_of(*status), &difference.path)
            ));
        }
    }
    out.push_str(
        "\nSee every change with `quickscale diff --patch`; take the safe ones with\n\
         `quickscale diff --patch --safe-only | git apply`.\n",
    );
    out
}

fn color_of(status: Status) -> &'static str {
    match status {
        Status::Upstream | Status::Added | Status::Removed => "32",
        Status::Conflict => "31",
        _ => "33",
    }
}

pub fn name_only(comparison: &Comparison) -> String {
    comparison
        .differences
        .iter()
        .map(|d| format!("{}\n", d.path))
        .collect()
}

/// `(insertions, deletions)` turning the project's file into the starter's.
fn line_counts(difference: &Difference) -> Option<(usize, usize)> {
    if difference.binary {
        return None;
    }
    let old = text(difference.project.as_deref());
    let new = text(difference.starter.as_deref());
    let diff = TextDiff::from_lines(old.as_str(), new.as_str());
    let mut counts = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => counts.0 += 1,
            similar::ChangeTag::Delete => counts.1 += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    Some(counts)
}

pub fn stat(comparison: &Comparison, style: Style) -> String {
    let width = comparison
        .differences
        .iter()
        .map(|d| d.path.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let (mut insertions, mut deletions) = (0, 0);
    for difference in &comparison.differences {
        let detail = match line_counts(difference) {
            Some((add, del)) => {
                insertions += add;
                deletions += del;
                format!(
                    "{} {}",
                    style.paint("32", &format!("+{add}")),
                    style.paint("31", &format!("-{del}"))
                )
            }
            None => "binary".to_owned(),
        };
        out.push_str(&format!(
            " {:<width$} | {:<8} {detail}\n",
            difference.path,
            difference.status.key()
        ));
    }
    let files = comparison.differences.len();
    out.push_str(&format!(
        " {files} file{} differ, {insertions} insertion{}(+), {deletions} deletion{}(-)\n",
        if files == 1 { "" } else { "s" },
        if insertions == 1 { "" } else { "s" },
        if deletions == 1 { "" } else { "s" },
    ));
    out
}

/// A unified diff with git headers that `git apply` and `patch -p1` accept,
/// turning the project into the current starter. Binary files cannot be
/// expressed for both tools, so they are left out and named in the second
/// value for the caller to report.
pub fn patch(comparison: &Comparison, style: Style) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut skipped = Vec::new();
    for difference in &comparison.differences {
        if difference.binary {
            skipped.push(difference.path.clone());
            continue;
        }
        let path = &difference.path;
        let old = text(difference.project.as_deref());
        let new = text(difference.starter.as_deref());
        let mut header = format!("diff --git a/{path} b/{path}\n");
        let (old_name, new_name) = match (&difference.project, &difference.starter) {
            (None, _) => {
                header.push_str(&format!("new file mode {}\n", mode(difference.executable)));
                ("/dev/null".to_owned(), format!("b/{path}"))
            }
            (_, None) => {
                header.push_str(&format!(
                    "deleted file mode {}\n",
                    mode(difference.project_executable)
                ));
                (format!("a/{path}"), "/dev/null".to_owned())
            }
            _ => (format!("a/{path}"), format!("b/{path}")),
        };
        out.push_str(&style.paint("1", header.trim_end()));
        out.push('\n');
        if old.is_empty() && new.is_empty() {
            continue; // An empty file created or deleted: the header says it all.
        }
        let diff = TextDiff::from_lines(old.as_str(), new.as_str());
        let body = diff
            .unified_diff()
            .context_radius(3)
            .header(&old_name, &new_name)
            .to_string();
        for line in body.lines() {
            let painted = match line.as_bytes().first() {
                _ if line.starts_with("---") || line.starts_with("+++") => style.paint("1", line),
                Some(b'+') => style.paint("32", line),
                Some(b'-') => style.paint("31", line),
                Some(b'@') => style.paint("36", line),
                _ => line.to_owned(),
            };
            out.push_str(&painted);
            out.push('\n');
        }
    }
    (out, skipped)
}

fn mode(executable: bool) -> &'static str {
    if executable {
        "100755"
    } else {
        "100644"
    }
}

fn text(bytes: Option<&[u8]>) -> String {
    bytes
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The `--format json` document; its schema is in docs/diff-json.md.
pub fn json(comparison: &Comparison) -> String {
    let mut out = String::from("{\n");
    out.push_str("  \"schema_version\": 1,\n");
    out.push_str(&format!(
        "  \"project\": {},\n",
        quote(&comparison.project_name)
    ));
    out.push_str(&format!(
        "  \"quickscale_version\": {},\n",
        quote(QUICKSCALE_VERSION)
    ));
    out.push_str(&format!(
        "  \"made_with\": {},\n",
        comparison
            .made_with
            .as_deref()
            .map_or("null".to_owned(), quote)
    ));
    out.push_str(&format!("  \"classified\": {},\n", comparison.classified()));
    out.push_str(&format!(
        "  \"up_to_date\": {},\n",
        comparison.differences.is_empty()
    ));
    out.push_str("  \"files\": [");
    for (index, difference) in comparison.differences.iter().enumerate() {
        out.push_str(if index == 0 { "\n" } else { ",\n" });
        let (insertions, deletions) = match line_counts(difference) {
            Some((add, del)) => (add.to_string(), del.to_string()),
            None => ("null".to_owned(), "null".to_owned()),
        };
        out.push_str(&format!(
            "    {{\"path\": {}, \"status\": \"{}\", \"safe\": {}, \"binary\": {}, \"insertions\": {insertions}, \"deletions\": {deletions}}}",
            quote(&difference.path),
            difference.status.key(),
            difference.status.is_safe(),
            difference.binary,
        ));
    }
    if !comparison.differences.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(differences: Vec<Difference>) -> Comparison {
        Comparison {
            project_name: "acme \"x\"".into(),
            made_with: Some("0.1.0".into()),
            differences,
        }
    }

    fn text_difference(
        path: &str,
        status: Status,
        project: Option<&str>,
        starter: Option<&str>,
    ) -> Difference {
        Difference {
            path: path.into(),
            status,
            project: project.map(|s| s.as_bytes().to_vec()),
            starter: starter.map(|s| s.as_bytes().to_vec()),
            executable: false,
            project_executable: false,
            binary: false,
        }
    }

    #[test]
    fn patch_has_git_headers_and_dev_null_for_added_and_removed() {
        let (patch, skipped) = patch(
            &comparison(vec![
                text_difference(
                    "a.txt",
                    Status::Upstream,
                    Some("one\ntwo\n"),
                    Some("one\n2\n"),
                ),
                text_difference("new.txt", Status::Added, None, Some("fresh\n")),
                text_difference("old.txt", Status::Removed, Some("stale\n"), None),
                text_difference("empty/__init__.py", Status::Added, None, Some("")),
            ]),
            Style { color: false },
        );
        assert!(skipped.is_empty());
        assert!(patch.contains("diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n"), "{patch}");
        assert!(
            patch.contains(
                "new file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+fresh\n"
            ),
            "{patch}"
        );
        assert!(
            patch.contains("deleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n"),
            "{patch}"
        );
        assert!(
            patch.contains(
                "diff --git a/empty/__init__.py b/empty/__init__.py\nnew file mode 100644\n"
            ),
            "{patch}"
        );
        assert!(!patch.contains('\x1b'));
    }

    #[test]
    fn binary_files_are_named_not_printed() {
        let mut binary = text_difference("logo.png", Status::Upstream, Some("x"), Some("y"));
        binary.binary = true;
        let (patch, skipped) = patch(&comparison(vec![binary.clone()]), Style { color: false });
        assert_eq!(patch, "");
        assert_eq!(skipped, vec!["logo.png".to_owned()]);
        assert!(stat(&comparison(vec![binary]), Style { color: false }).contains("binary"));
    }

    #[test]
    fn json_escapes_and_lists_files() {
        let doc = json(&comparison(vec![text_difference(
            "a.txt",
            Status::Local,
            Some("1\n"),
            Some("2\n"),
        )]));
        assert!(doc.contains("\"project\": \"acme \\\"x\\\"\""), "{doc}");
        assert!(
            doc.contains("\"status\": \"local\", \"safe\": false"),
            "{doc}"
        );
        assert!(doc.contains("\"insertions\": 1, \"deletions\": 1"), "{doc}");
        let empty = json(&comparison(vec![]));
        assert!(
            empty.contains("\"up_to_date\": true") && empty.contains("\"files\": []"),
            "{empty}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let c = comparison(vec![text_difference(
            "a.txt",
            Status::Conflict,
            Some("1\n"),
            Some("2\n"),
        )]);
        assert!(summary(&c, Style { color: true }).contains("\x1b[31m"));
        assert!(!summary(&c, Style { color: false }).contains('\x1b'));
    }
}
