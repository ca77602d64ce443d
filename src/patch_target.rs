#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "asks git where the repositories around the project start, for the note on applying a patch"
)]
//! Where `diff --patch` applies. Its paths are relative to the project's
//! root (`a/README.md`), which is what `patch -p1` in the project expects.
//! `git apply` reads them relative to the top of the repository it runs in,
//! and silently skips any path outside the directory it runs from: inside a
//! bigger repository (a monorepo), or from a subdirectory of the project, it
//! would apply nothing and say nothing. Then `diff` says on stderr how to
//! apply the patch from where the user stands.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the user stands and where the project is, all physical paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    pub cwd: PathBuf,
    /// The top level of the git work tree `cwd` is in.
    pub cwd_top: Option<PathBuf>,
    pub root: PathBuf,
    /// The top level of the git work tree the project is in.
    pub root_top: Option<PathBuf>,
}

/// The command that applies the patch from `cwd`, when plain `git apply`
/// would not; `shown_root` is the project's directory as the user gave it.
pub fn apply_command(places: &Places, shown_root: &Path) -> Option<String> {
    let Places {
        cwd,
        cwd_top,
        root,
        root_top,
    } = places;
    let plain_works = cwd == root && cwd_top.as_ref().is_none_or(|top| top == root);
    if plain_works {
        return None;
    }
    // The project's place in its own repository, for --directory.
    let directory = root_top
        .as_ref()
        .and_then(|top| root.strip_prefix(top).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .map(|rel| format!(" --directory={}", shell_word(&rel.to_string_lossy())));
    // From the project's repository, at or above the project: git maps the
    // paths under the top level, and --directory puts them in the project.
    let same_repository = cwd_top.is_some() && cwd_top == root_top;
    if same_repository && root.starts_with(cwd) {
        if let Some(directory) = &directory {
            return Some(format!("git apply{directory}"));
        }
    }
    Some(format!(
        "git -C {} apply{}",
        shell_word(&shown_root.to_string_lossy()),
        directory.unwrap_or_default()
    ))
}

/// The note `diff --patch` prints when plain `git apply` would skip the
/// patch's files, run in the current directory for the project at `root`.
pub fn note(root: &Path) -> Option<String> {
    let physical = |path: &Path| std::fs::canonicalize(path).ok();
    let cwd = physical(Path::new("."))?;
    let project = physical(root)?;
    let places = Places {
        cwd_top: git_top_level(&cwd),
        root_top: git_top_level(&project),
        cwd,
        root: project,
    };
    let command = apply_command(&places, root)?;
    Some(format!(
        "the patch's paths are relative to the project '{}', so plain `git apply` here would \
         skip its files; pipe it to `{command}` instead (or to `patch -p1 -d {}`)",
        root.display(),
        shell_word(&root.to_string_lossy())
    ))
}

/// The top level of the git work tree `dir` is in; None outside one, or
/// without git.
fn git_top_level(dir: &Path) -> Option<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    std::fs::canonicalize(text.trim_end_matches('\n')).ok()
}

/// `word` as one shell word: as it is when it holds nothing a shell would
/// interpret, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-+@%:,=".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(cwd: &str, cwd_top: Option<&str>, root: &str, root_top: Option<&str>) -> Places {
        Places {
            cwd: cwd.into(),
            cwd_top: cwd_top.map(Into::into),
            root: root.into(),
            root_top: root_top.map(Into::into),
        }
    }

    fn command(p: &Places, shown: &str) -> Option<String> {
        apply_command(p, Path::new(shown))
    }

    #[test]
    fn plain_git_apply_works_only_at_the_top_of_the_project() {
        // The project is its own repository, or in none, and the user is in it.
        assert_eq!(
            command(&places("/p", Some("/p"), "/p", Some("/p")), "."),
            None
        );
        assert_eq!(command(&places("/p", None, "/p", None), "."), None);
    }

    #[test]
    fn inside_a_bigger_repository_directory_places_the_paths() {
        let mono = |cwd: &str| places(cwd, Some("/m"), "/m/clients/acme", Some("/m"));
        // At the top, in between, or in the project itself.
        for (cwd, shown) in [
            ("/m", "clients/acme"),
            ("/m/clients", "acme"),
            ("/m/clients/acme", "."),
        ] {
            assert_eq!(
                command(&mono(cwd), shown).as_deref(),
                Some("git apply --directory=clients/acme"),
                "{cwd}"
            );
        }
        // Below the project, or beside it, git would skip paths outside the
        // current directory: run git in the project.
        assert_eq!(
            command(&mono("/m/clients/acme/docs"), "..").as_deref(),
            Some("git -C .. apply --directory=clients/acme")
        );
        assert_eq!(
            command(&mono("/m/other"), "../clients/acme").as_deref(),
            Some("git -C ../clients/acme apply --directory=clients/acme")
        );
    }

    #[test]
    fn elsewhere_git_runs_in_the_project() {
        // A subdirectory of a project that is its own repository.
        assert_eq!(
            command(&places("/p/docs", Some("/p"), "/p", Some("/p")), "..").as_deref(),
            Some("git -C .. apply")
        );
        // Outside any repository, the project given by path.
        assert_eq!(
            command(&places("/w", None, "/w/my app", None), "my app").as_deref(),
            Some("git -C 'my app' apply")
        );
        // In another repository than the project's.
        assert_eq!(
            command(&places("/o", Some("/o"), "/p", Some("/p")), "/p").as_deref(),
            Some("git -C /p apply")
        );
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("clients/acme-1.2"), "clients/acme-1.2");
        assert_eq!(shell_word("it's here"), r"'it'\''s here'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }
}
