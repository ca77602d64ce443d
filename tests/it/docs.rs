//! The documentation tells the truth: README.md's file list matches what
//! `quickscale init` writes, its commands print what it shows (an upgrade
//! included, on a project made by 0.1.0), docs/diff-json.md lists what the
//! JSON output holds, every relative link in every Markdown file resolves, and
//! the version agrees everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::markdown::{
    bash, broken_links, expand_braces, file_list, markdown_files, pieces, read, repo_root, section,
    Piece, BIN,
};
use crate::support::starters::project_0_1_0;
use crate::support::{git, Generated};
use pretty_assertions::assert_eq;

/// What the README says of the project its first command writes into the
/// checkout holds: git ignores it, and the next steps' uv can be had.
#[test]
fn the_first_commands_project_is_git_ignored_and_uv_is_explained() {
    let readme = read(&repo_root().join("README.md"));
    let intro = readme.split("\n## Install").next().unwrap();
    assert!(
        intro.contains(
            "`./myapp`, inside this\ncheckout, where this repository's `.gitignore` ignores it"
        ),
        "README.md says where myapp goes and that git ignores it"
    );
    assert!(
        intro.contains("`pip install uv`"),
        "README.md says how to get uv"
    );
    for path in ["myapp/manage.py", "myapp/.env", "myapp/myapp/settings.py"] {
        let ignored = Command::new("git")
            .args(["check-ignore", "--no-index", "-q", path])
            .current_dir(repo_root())
            .status()
            .expect("git runs: apt-get install git");
        assert!(ignored.success(), "{path} is not ignored by .gitignore");
    }
}

/// The project name README.md's examples use.
const README_PROJECT: &str = "myapp";

/// The files README.md's "What you get" table lists: the code spans of each
/// row's first cell, brace-expanded. Each must be listed once, with a purpose.
fn readme_file_list(readme: &str) -> BTreeSet<String> {
    let mut listed = BTreeMap::new();
    for (line, text) in section(readme, "What you get") {
        let Some(row) = text.trim().strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells[0] == "file" || cells[0].starts_with("---") {
            continue;
        }
        assert!(
            cells.len() >= 2 && cells[1].len() > 10,
            "README.md:{line}: a row needs a line on what the file is for"
        );
        let spans: Vec<&str> = cells[0].split('`').skip(1).step_by(2).collect();
        assert!(
            !spans.is_empty(),
            "README.md:{line}: the first cell names files in `code`"
        );
        for path in spans.iter().flat_map(|span| expand_braces(span)) {
            if let Some(first) = listed.insert(path.clone(), line) {
                panic!("README.md:{line}: {path} is already listed at line {first}");
            }
        }
    }
    listed.into_keys().collect()
}

#[test]
fn readme_lists_every_file_init_writes_and_nothing_else() {
    let readme = read(&repo_root().join("README.md"));
    let documented = readme_file_list(&readme);
    let project = Generated::new(README_PROJECT);
    let written = file_list(&project.root);
    assert!(written.contains(".env") && written.contains(".quickscale.toml"));
    let missing: Vec<_> = written.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&written).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README.md's \"What you get\" is out of step with `quickscale init`.\n\
         Written but not listed: {missing:#?}\nListed but not written: {stale:#?}"
    );
}

#[test]
fn the_readme_file_list_parser_sees_rows_and_groups() {
    let readme = "# x\n\n## What you get\n\n| file | what it is for |\n| --- | --- |\n\
                  | `a/{b,c}.py`, `d` | something useful here |\n| `e/{f,g/{h,i}}` | something else too |\n\
                  \n## Next\n\n| `z` | not in the section at all |\n";
    let listed: Vec<String> = readme_file_list(readme).into_iter().collect();
    assert_eq!(listed, ["a/b.py", "a/c.py", "d", "e/f", "e/g/h", "e/g/i"]);
}

/// The project README.md's upgrade example runs on: made by quickscale 0.1.0
/// (the real 0.1.0 manifest is in fixtures/0.1.0/), then given a longer minimum
/// password length by its team, and committed, as the README says.
const README_OLD_PROJECT: &str = "acme";

fn write_old_project(work: &Path) {
    let root = project_0_1_0(work, README_OLD_PROJECT);
    let settings = root.join("config/settings/base.py");
    let text = read(&settings);
    let validator = "\"django.contrib.auth.password_validation.MinimumLengthValidator\"";
    let line = format!("    {{\"NAME\": {validator}}},\n");
    assert!(text.contains(&line));
    let team = format!(
        "    {{\n        \"NAME\": {validator},\n        \"OPTIONS\": {{\"min_length\": 12}},\n    }},\n"
    );
    fs::write(&settings, text.replace(&line, &team)).unwrap();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "Longer passwords"]);
}

/// A `$ command` in a console block, the output shown under it, and where.
struct Shown {
    line: usize,
    command: String,
    output: String,
}

/// Every `$ ` line of the console blocks of `markdown`, in order, grouped by
/// block. A console block right after `<!-- docs: not run: reason -->` is
/// left out (none is today; the escape exists for output that cannot be
/// reproduced, and must say why).
fn console_commands(markdown: &str) -> Vec<Vec<Shown>> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for piece in pieces(markdown) {
        match piece {
            Piece::Prose { text, line } => {
                let text = text.trim();
                if text.starts_with("<!-- docs: not run") {
                    assert!(
                        text.len() > "<!-- docs: not run: -->".len() + 5,
                        "line {line}: say why"
                    );
                    skip_next = true;
                } else if !text.is_empty() {
                    skip_next = false;
                }
            }
            Piece::Fence(block) if block.lang() == "console" => {
                if std::mem::take(&mut skip_next) {
                    continue;
                }
                let mut commands: Vec<Shown> = Vec::new();
                for (offset, text) in block.body.lines().enumerate() {
                    if let Some(command) = text.strip_prefix("$ ") {
                        commands.push(Shown {
                            line: block.line + 1 + offset,
                            command: command.to_owned(),
                            output: String::new(),
                        });
                    } else if let Some(last) = commands.last_mut() {
                        last.output.push_str(text);
                        last.output.push('\n');
                    } else {
                        panic!(
                            "line {}: a console block starts with a `$ ` command",
                            block.line + 1
                        );
                    }
                }
                out.push(commands);
            }
            Piece::Fence(_) => skip_next = false,
        }
    }
    out
}

fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim_end_matches('\n').to_owned()
}

#[test]
fn readme_commands_print_what_the_readme_shows() {
    let readme = read(&repo_root().join("README.md"));
    let blocks = console_commands(&readme);
    let count: usize = blocks.iter().map(Vec::len).sum();
    for needed in [
        "quickscale --version",
        "quickscale --help",
        "quickscale init myapp",
        "quickscale completions bash",
    ] {
        assert!(
            blocks
                .iter()
                .flatten()
                .any(|shown| shown.command.starts_with(needed)),
            "README.md shows no `$ {needed}`"
        );
    }

    let scratch = tempfile::tempdir().unwrap();
    let (home, work) = (scratch.path().join("home"), scratch.path().join("work"));
    fs::create_dir(&home).unwrap();
    fs::create_dir(&work).unwrap();
    write_old_project(&work);
    let mut ran = 0;
    for commands in &blocks {
        // One bash per block, so `cd` and `$?` carry from line to line as in a
        // terminal; every block starts in the same working directory.
        let mut script = String::from("exec 2>&1\n");
        for (index, shown) in commands.iter().enumerate() {
            // The marker keeps `$?` for the next command, as `echo $?` expects.
            script.push_str(&format!(
                "__docs_status=$?; printf '\\n@@docs-cmd {index}@@\\n'; (exit $__docs_status)\n{}\n",
                shown.command
            ));
        }
        let output = bash(&script, &work, &home).output().unwrap();
        let printed = String::from_utf8_lossy(&output.stdout);
        let mut chunks = printed.split("\n@@docs-cmd ").skip(1);
        for (index, shown) in commands.iter().enumerate() {
            let chunk = chunks.next().unwrap_or_default();
            let actual = chunk.strip_prefix(&format!("{index}@@\n")).unwrap_or(chunk);
            assert_eq!(
                tidy(&shown.output),
                tidy(actual),
                "README.md:{}: `$ {}` prints something else (left: shown, right: printed)",
                shown.line,
                shown.command
            );
            ran += 1;
        }
    }
    assert_eq!(ran, count);
    // The completion scripts the README installs are real scripts.
    let bash_completion = read(&home.join(".local/share/bash-completion/completions/quickscale"));
    assert!(
        bash_completion.contains("complete -F _quickscale"),
        "{bash_completion}"
    );
}

/// Every relative link in every Markdown file of the repository resolves:
/// the files git tracks, and new ones it does not ignore. (Not a walk of the
/// directory: a project generated in the checkout, as the README's first
/// command does, would bring its .venv's third-party Markdown along; its own
/// .gitignore keeps that out here.) starter/ is checked as part of a
/// generated project instead, because its links must resolve there.
#[test]
fn every_relative_link_in_the_repository_resolves() {
    let root = repo_root();
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            "*.md",
        ])
        .current_dir(&root)
        .output()
        .expect("git runs");
    let files: Vec<PathBuf> = if output.status.success() {
        String::from_utf8(output.stdout)
            .unwrap()
            .split('\0')
            .filter(|name| !name.is_empty() && !name.starts_with("starter/"))
            .map(|name| root.join(name))
            .filter(|path| path.exists()) // deleted, not yet committed
            .collect()
    } else {
        // Not a git checkout (a source archive): everything but build output.
        markdown_files(&root, &["target", "starter"])
    };
    let expected = [
        "README.md",
        "CHANGELOG.md",
        "docs/ARCHITECTURE.md",
        "docs/git-subtree.md",
    ];
    assert_links_resolve(&root, &files, &expected);
}

#[test]
fn every_relative_link_in_a_generated_project_resolves() {
    let project = Generated::new(README_PROJECT);
    let root = &project.root;
    assert_links_resolve(root, &markdown_files(root, &[]), &["README.md"]);
}

/// Checks the links of `files`, Markdown files in the tree `root`, which must
/// include `expected`.
fn assert_links_resolve(root: &Path, files: &[PathBuf], expected: &[&str]) {
    for name in expected {
        assert!(files.contains(&root.join(name)), "{name} is checked");
    }
    let broken: Vec<String> = files
        .iter()
        .flat_map(|file| broken_links(root, file))
        .collect();
    assert!(
        broken.is_empty(),
        "broken relative links under {}:\n{}",
        root.display(),
        broken.join("\n")
    );
}

#[test]
fn the_link_checker_finds_broken_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("docs")).unwrap();
    fs::write(
        root.join("docs/other.md"),
        "# Other page\n\n## Set-up, step 2\n",
    )
    .unwrap();
    fs::write(
        root.join("README.md"),
        "# Title\n\n\
         [ok](docs/other.md) [ok](docs/other.md#set-up-step-2) [ok](#title) [ok](/docs/)\n\
         [ok](https://example.com/missing) <https://example.com> `[code](nope.md)`\n\
         [bad file](docs/nope.md)\n\
         [bad anchor](docs/other.md#nope)\n\
         [bad self](#nope)\n\
         [escapes](../outside.md)\n\
         [ref]: docs/gone.md\n\
         <img src=\"missing.png\">\n\
         ```sh\ncat [not a link](nowhere.md)\n```\n",
    )
    .unwrap();
    let broken = broken_links(root, &root.join("README.md"));
    let described: Vec<&str> = broken
        .iter()
        .map(|b| b.split(") ").nth(1).unwrap())
        .collect();
    assert_eq!(
        broken
            .iter()
            .map(|b| b.split(' ').next().unwrap())
            .collect::<Vec<_>>(),
        [
            "README.md:5:",
            "README.md:6:",
            "README.md:7:",
            "README.md:8:",
            "README.md:9:",
            "README.md:10:"
        ],
        "{broken:#?}"
    );
    assert_eq!(
        described,
        [
            "does not exist",
            "names no heading or anchor of that file",
            "names no heading or anchor of that file",
            "points outside the tree",
            "does not exist",
            "does not exist"
        ]
    );
}

#[test]
fn anchors_follow_github() {
    let anchors = crate::support::markdown::anchors(
        "# Sharing code\n## 1. Extract an app (split)\n### git: 'subtree' is not a git command\n\
         ## `quickscale init`\n## Repeat\n## Repeat\n## [Linked](x.md) title\n```\n# not a heading\n```\n",
    );
    let expected = [
        "1-extract-an-app-split",
        "git-subtree-is-not-a-git-command",
        "linked-title",
        "quickscale-init",
        "repeat",
        "repeat-1",
        "sharing-code",
    ];
    assert_eq!(anchors.into_iter().collect::<Vec<_>>(), expected);
}

/// `quickscale --version`, the manifest of a generated project and the latest
/// release in CHANGELOG.md name one version, the crate's.
#[test]
fn one_version_everywhere() {
    let version = env!("CARGO_PKG_VERSION");

    let output = Command::new(BIN).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("quickscale {version}")
    );

    let project = Generated::new("acme");
    let manifest = read(&project.path(".quickscale.toml"));
    let recorded: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("quickscale_version = "))
        .collect();
    assert_eq!(recorded, [format!("\"{version}\"")], "{manifest}");

    let changelog = read(&repo_root().join("CHANGELOG.md"));
    let releases = changelog_releases(&changelog);
    assert_eq!(
        releases.first().map(|(v, _)| v.as_str()),
        Some(version),
        "the latest release heading in CHANGELOG.md (`## [X.Y.Z] - YYYY-MM-DD`) names the crate's version"
    );
}

/// `## [1.2.3] - 2026-01-31` headings, newest first, after `## [Unreleased]`.
fn changelog_releases(changelog: &str) -> Vec<(String, String)> {
    let headings: Vec<&str> = changelog.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings.first(),
        Some(&"## [Unreleased]"),
        "Keep a Changelog: Unreleased first"
    );
    let mut releases = Vec::new();
    for heading in &headings[1..] {
        let parsed = heading
            .strip_prefix("## [")
            .and_then(|rest| rest.split_once("] - "))
            .filter(|(version, date)| is_version(version) && is_date(date));
        let (version, date) = parsed.unwrap_or_else(|| {
            panic!("CHANGELOG.md: `{heading}` is not `## [X.Y.Z] - YYYY-MM-DD`")
        });
        releases.push((version.to_owned(), date.to_owned()));
    }
    let numbers: Vec<Vec<u64>> = releases
        .iter()
        .map(|(v, _)| v.split('.').map(|n| n.parse().unwrap()).collect())
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] > w[1]),
        "CHANGELOG.md: newest release first: {releases:?}"
    );
    assert!(
        releases.windows(2).all(|w| w[0].1 >= w[1].1),
        "CHANGELOG.md: dates go back in time"
    );
    releases
}

fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && text
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[test]
fn changelog_headings_are_checked() {
    let good =
        "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-02-01\n\n## [0.1.0] - 2026-01-01\n";
    assert_eq!(
        changelog_releases(good),
        [
            ("0.2.0".to_owned(), "2026-02-01".to_owned()),
            ("0.1.0".to_owned(), "2026-01-01".to_owned())
        ]
    );
    for bad in [
        "## [0.1.0] - 2026-01-01\n",
        "## [Unreleased]\n## [0.1] - 2026-01-01\n",
        "## [Unreleased]\n## [0.1.0] - soon\n",
        "## [Unreleased]\n## [0.1.0] - 2026-01-01\n## [0.2.0] - 2026-02-01\n",
    ] {
        assert!(
            std::panic::catch_unwind(|| changelog_releases(bad)).is_err(),
            "accepted: {bad}"
        );
    }
}

/// The binary's directory is what `crate::support::markdown::bash` puts on PATH.
#[test]
fn documented_commands_run_the_test_build() {
    let dir = tempfile::tempdir().unwrap();
    let output = bash("command -v quickscale", dir.path(), dir.path())
        .output()
        .unwrap();
    assert_eq!(
        Path::new(String::from_utf8_lossy(&output.stdout).trim()),
        Path::new(BIN)
    );
}

/// The code spans of the first cell of each row of the tables in `heading`'s
/// section of `markdown`.
fn table_keys(markdown: &str, heading: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (_, text) in section(markdown, heading) {
        let Some(row) = text.trim().strip_prefix('|') else {
            continue;
        };
        let first = row.split(" | ").next().unwrap();
        keys.extend(first.split('`').skip(1).step_by(2).map(str::to_owned));
    }
    keys
}

fn json_keys(value: &serde_json::Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// docs/diff-json.md lists exactly the fields, outcomes, actions and reasons
/// that `diff` and `upgrade` print, from real output on a project made by
/// 0.1.0 with a conflict.
#[test]
fn the_json_schema_document_matches_real_output() {
    use quickscale::conflict::Reason;
    let doc = read(&repo_root().join("docs/diff-json.md"));
    let tmp = tempfile::tempdir().unwrap();
    let root = project_0_1_0(tmp.path(), README_OLD_PROJECT);
    fs::remove_file(root.join(".github/workflows/ci.yml")).unwrap();
    let mut seen = BTreeSet::new();
    let mut actions = BTreeSet::new();
    let mut counted = BTreeSet::new();
    for args in [
        &["diff", "--format", "json"][..],
        &["upgrade", "--dry-run", "--format", "json"],
    ] {
        let output = crate::support::quickscale(&root, args);
        let plan: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(plan["schema_version"], 2);
        assert_eq!(plan["command"], args[0]);
        seen.extend(json_keys(&plan));
        counted.extend(json_keys(&plan["counts"]));
        for file in plan["files"].as_array().unwrap() {
            seen.extend(json_keys(file).into_iter().map(|k| format!("files[].{k}")));
            actions.extend(file["action"].as_str().map(str::to_owned));
        }
    }
    assert!(seen.contains("files[].reason"), "the example has files");
    assert_eq!(
        table_keys(&doc, "Fields"),
        seen,
        "docs/diff-json.md: Fields"
    );
    assert_eq!(
        table_keys(&doc, "Outcomes"),
        counted,
        "docs/diff-json.md: Outcomes"
    );
    assert_eq!(
        table_keys(&doc, "Actions"),
        actions,
        "docs/diff-json.md: Actions"
    );
    // Every reason, by a match that stops compiling when one is added.
    let reasons = [
        Reason::Lines(1),
        Reason::Unresolved,
        Reason::DeletedByYou,
        Reason::RemovedByStarter,
        Reason::Binary,
        Reason::NotAFile(String::new()),
        Reason::Lock,
        Reason::BaseUnknown,
    ];
    for reason in &reasons {
        match reason {
            Reason::Lines(_)
            | Reason::Unresolved
            | Reason::DeletedByYou
            | Reason::RemovedByStarter
            | Reason::Binary
            | Reason::NotAFile(_)
            | Reason::Lock
            | Reason::BaseUnknown => {}
        }
    }
    let keys: BTreeSet<String> = reasons.iter().map(|r| r.key().to_owned()).collect();
    assert_eq!(
        table_keys(&doc, "Reasons"),
        keys,
        "docs/diff-json.md: Reasons"
    );
}
