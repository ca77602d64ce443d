//! docs/git-subtree.md is a walkthrough that must keep working: this test runs
//! its shell blocks, in order, in one bash session, in a scratch HOME with a
//! scratch git identity, with the test build of quickscale on PATH.
//!
//! The page's conventions, which this test enforces:
//! - ```` ```sh ```` blocks run, and every command in them must succeed;
//! - ```` ```sh fails ```` blocks run; their last line must fail and every
//!   line before it succeed (they show an error and how to get out of it);
//! - a ```` ```text ```` block right after a `sh` block is that block's
//!   output: each of its lines must appear, in order, in what the block
//!   printed (`...` in a line stands for any text);
//! - ```` ```console ```` and other blocks are illustrations and do not run.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::markdown::{bash, blocks, lines_appear_in_order, read, repo_root, Block};

const DOC: &str = "docs/git-subtree.md";

/// `git subtree` is a contrib script that not every git ships (a git built
/// from source, like a /usr/local/bin/git, usually lacks it).
fn require_git_subtree() {
    let output = Command::new("git")
        .args(["subtree", "-h"])
        .env("LC_ALL", "C")
        .output()
        .expect("git is installed (apt-get install git)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !text.contains("git subtree add") {
        let which = Command::new("sh")
            .args([
                "-c",
                "echo \"$(command -v git), $(git --version), exec path $(git --exec-path)\"",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        panic!(
            "`git subtree` is not available from the git on PATH ({which}), so {DOC} cannot be \
             checked. Install it: `apt-get install git` on Debian/Ubuntu (it ships \
             /usr/lib/git-core/git-subtree), `dnf install git-subtree` on Fedora, \
             `apk add git-subtree` on Alpine; for a git built from source, \
             `ln -s /usr/lib/git-core/git-subtree \"$(git --exec-path)/git-subtree\"` after \
             `apt-get install git`, or `make -C contrib/subtree install` in its source tree. \
             git said: {}",
            text.trim()
        );
    }
}

/// One documented step: a shell block, whether it must fail, and the output
/// the page shows for it.
struct Step {
    block: Block,
    fails: bool,
    expected: Option<Block>,
}

fn steps(markdown: &str) -> Vec<Step> {
    let all = blocks(markdown);
    let mut steps: Vec<Step> = Vec::new();
    for (i, block) in all.iter().enumerate() {
        let fails = match block.info.as_str() {
            "sh" => false,
            "sh fails" => true,
            info if info.split_whitespace().next() == Some("sh") => {
                panic!("{DOC}:{}: unknown block kind ```{info}", block.line)
            }
            _ => continue,
        };
        // A `text` block counts as this block's output only when nothing but
        // blank lines separates the two.
        let expected = all.get(i + 1).filter(|next| {
            next.lang() == "text" && {
                let end = block.line + block.body.lines().count() + 1;
                markdown
                    .lines()
                    .skip(end)
                    .take(next.line - end - 1)
                    .all(|l| l.trim().is_empty())
            }
        });
        steps.push(Step {
            block: block.clone(),
            fails,
            expected: expected.cloned(),
        });
    }
    steps
}

fn marker(index: usize) -> String {
    format!("@@docs-git-subtree step {index}@@")
}

/// The page's blocks as one bash script: a marker line before each block so
/// the output can be told apart, `set -e` semantics for ordinary commands, and
/// the last line of a `sh fails` block run as a test that must fail.
fn script(steps: &[Step]) -> String {
    let mut script = String::from("exec 2>&1\nset -euo pipefail\n");
    for (index, step) in steps.iter().enumerate() {
        script.push_str(&format!("printf '\\n%s\\n' '{}'\n", marker(index)));
        if step.fails {
            let lines: Vec<&str> = step
                .block
                .body
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect();
            let (last, before) = lines
                .split_last()
                .expect("a `sh fails` block has a command");
            assert!(
                !step.block.body.contains("<<") && !last.trim_end().ends_with('\\'),
                "{DOC}:{}: keep `sh fails` blocks to one simple command a line",
                step.block.line
            );
            for line in before {
                script.push_str(line);
                script.push('\n');
            }
            script.push_str(&format!(
                "if {last}\nthen echo 'expected this command to fail, and it succeeded: {}'; exit 97\nfi\n",
                last.replace('\'', "")
            ));
        } else {
            script.push_str(&step.block.body);
        }
    }
    script.push_str("printf '\\n%s\\n' '@@docs-git-subtree done@@'\n");
    script
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?} in {}: {output:?}",
        dir.display()
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_git_subtree_walkthrough_runs_as_written() {
    require_git_subtree();
    let markdown = read(&repo_root().join(DOC));
    let steps = steps(&markdown);

    // The page covers what it promises: each of these runs at least once.
    let code: String = steps.iter().map(|s| s.block.body.as_str()).collect();
    for command in [
        "quickscale init",
        "git subtree split",
        "git subtree add",
        "git subtree pull",
        "git subtree push",
    ] {
        assert!(
            code.contains(command),
            "no `sh` block of {DOC} runs `{command}`"
        );
    }
    assert!(
        steps.iter().filter(|s| s.fails).count() >= 4,
        "the troubleshooting part shows its errors"
    );

    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    fs::create_dir(&home).unwrap();
    // A scratch identity; no other configuration, so the page must not rely on
    // the reader's (a default branch name, an editor, pull settings).
    fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Docs Test\n\temail = docs-test@example.com\n",
    )
    .unwrap();
    let output = bash(&script(&steps), &home, &home)
        // An editor would hang a reader's script: the page passes -m or --no-edit.
        .env(
            "GIT_EDITOR",
            "echo 'the walkthrough opened an editor' >&2; false",
        )
        .output()
        .expect("bash runs");
    let log = String::from_utf8_lossy(&output.stdout).into_owned();

    // Cut the output at the markers: chunks[i] is what step i printed.
    let mut chunks = vec![String::new(); steps.len()];
    let mut current = None;
    let mut done = false;
    for line in log.lines() {
        if line == "@@docs-git-subtree done@@" {
            done = true;
        } else if let Some(index) = (0..steps.len()).find(|&i| line == marker(i)) {
            current = Some(index);
        } else if let Some(index) = current {
            chunks[index].push_str(line);
            chunks[index].push('\n');
        }
    }
    if !output.status.success() || !done {
        let index = current.unwrap_or(0);
        let step = &steps[index];
        panic!(
            "{DOC}: the block at line {} {} (exit {:?}).\n--- the block ---\n{}--- its output ---\n{}",
            step.block.line,
            if step.fails { "did not fail as documented" } else { "failed" },
            output.status.code(),
            step.block.body,
            chunks[index]
        );
    }
    for (index, step) in steps.iter().enumerate() {
        if let Some(expected) = &step.expected {
            assert!(
                lines_appear_in_order(&expected.body, &chunks[index]),
                "{DOC}:{}: the output shown does not match what the block at line {} printed.\n\
                 --- shown ---\n{}--- printed ---\n{}",
                expected.line,
                step.block.line,
                expected.body,
                chunks[index]
            );
        }
    }

    // Where the walkthrough leaves things: both client projects committed and
    // clean, and globex's copy of the app identical to the shared repository.
    let practice = home.join("subtree-practice");
    for client in ["acme", "globex"] {
        let dir = practice.join(client);
        assert_eq!(
            git(&dir, &home, &["status", "--porcelain"]),
            "",
            "{client} is left clean"
        );
        assert!(
            !dir.join(".git/MERGE_HEAD").exists(),
            "{client} is left mid-merge"
        );
    }
    let globex = practice.join("globex");
    let shared_tree = git(
        &practice.join("robots.git"),
        &home,
        &["rev-parse", "main^{tree}"],
    );
    let copy_tree = git(&globex, &home, &["rev-parse", "HEAD:globex/crawlers"]);
    assert_eq!(
        copy_tree, shared_tree,
        "globex's copy matches the shared repository's main"
    );
    let settings = read(&globex.join("config/settings/base.py"));
    assert!(
        settings.contains("\"globex.crawlers\"") && !settings.contains("\"globex.robots\""),
        "{settings}"
    );
    // The shared history holds work from all three places: acme's split, the
    // shared repository's own clone, and globex's push.
    let subjects = git(
        &practice.join("robots.git"),
        &home,
        &["log", "--format=%s", "main"],
    );
    for subject in [
        "Serve /robots.txt",
        "Make the disallowed paths a setting: ROBOTS_DISALLOW",
        "Declare the charset of robots.txt",
    ] {
        assert!(
            subjects.lines().any(|l| l == subject),
            "{subject:?} not in the shared history:\n{subjects}"
        );
    }
}

#[test]
fn steps_pair_blocks_with_the_output_shown_right_after_them() {
    let markdown = "```sh\necho hi\n```\n\n```text\nhi\n```\n\nprose\n\n```sh fails\nfalse\n```\nprose\n```text\nnot output\n```\n```console\n$ x\n```\n";
    let steps = steps(markdown);
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[0].expected.as_ref().map(|b| b.body.as_str()),
        Some("hi\n")
    );
    assert!(!steps[0].fails);
    assert!(steps[1].fails);
    assert!(
        steps[1].expected.is_none(),
        "prose between a block and a text block"
    );
}
