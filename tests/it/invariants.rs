//! The invariants docs/ARCHITECTURE.md states about the code's shape, checked
//! against the source itself (in the spirit of rust-analyzer's tidy tests), so
//! that each fails the moment it stops being true. Behavioural invariants are
//! tested where the behaviour is (ARCHITECTURE.md names the test for each).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use quickscale::names::project_names;
use quickscale::render::{render, Values};
use quickscale::starter::{self, top_level_modules};

use crate::support::starters::OldProject;
use crate::support::{repo_root, stderr};

/// Every `.rs` file under src/, by its path relative to src/ (`merge/line_diff.rs`).
fn sources() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    collect(&repo_root().join("src"), "", &mut out);
    out
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            out.insert(
                format!("{prefix}{name}"),
                fs::read_to_string(&path).unwrap(),
            );
        }
    }
}

/// The code of a file without its comments and its `#[cfg(test)]` module:
/// what the binary runs.
fn code(text: &str) -> String {
    let runtime = text.split("#[cfg(test)]").next().unwrap();
    runtime
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules of this crate a file's code names (`crate::init`,
/// `use crate::{diff, init}`, `crate::upgrade::upgrade(..)`).
fn modules_used(text: &str) -> BTreeSet<String> {
    let code = code(text);
    let mut used = BTreeSet::new();
    for rest in code.split("crate::").skip(1) {
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let name = item
                    .trim()
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .next()
                    .unwrap_or("");
                if !name.is_empty() {
                    used.insert(name.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used
}

#[test]
fn only_the_cli_calls_a_command() {
    let commands = ["init", "diff", "upgrade"];
    for (file, text) in sources() {
        for command in commands {
            let allowed = file == "cli.rs" || file == format!("{command}.rs") || file == "lib.rs";
            if !allowed {
                assert!(
                    !modules_used(&text).contains(command),
                    "src/{file} uses the `{command}` command module; commands are siblings \
                     over render, compare and apply, and only cli.rs calls them"
                );
            }
        }
    }
    // The checker itself sees a use when there is one.
    assert!(modules_used("use crate::{diff, init::Created, upgrade};").contains("init"));
    assert!(modules_used("let x = crate::upgrade::upgrade(p);").contains("upgrade"));
    assert!(!modules_used("// crate::init is mentioned in a comment").contains("init"));
}

#[test]
fn the_modules_that_decide_do_no_io() {
    // Pure: three sources in, a plan or text out. Every read and write of the
    // project goes through project.rs (reading) and apply.rs (writing).
    let pure = [
        "compare.rs",
        "report.rs",
        "merge.rs",
        "merge/line_diff.rs",
        "render.rs",
        "manifest.rs",
        "starter.rs",
        "env_file.rs",
        "release_notes.rs",
    ];
    let sources = sources();
    for file in pure {
        let code = code(&sources[file]);
        for io in [
            "std::fs",
            "fs::",
            "std::process",
            "Command::",
            "std::net",
            "File::",
            "OpenOptions",
        ] {
            assert!(
                !code.contains(io),
                "src/{file} is meant to be pure but uses `{io}`"
            );
        }
    }
}

#[test]
fn only_project_and_apply_touch_a_projects_files() {
    // diff and upgrade read a project only through project::inspect (which never
    // follows a link or opens a special file) and write only through apply
    // (temporary file and rename).
    for file in ["diff.rs", "sources.rs", "compare.rs", "report.rs"] {
        let code = code(&sources()[file]);
        assert!(!code.contains("fs::read"), "src/{file} reads files itself");
        assert!(
            !code.contains("fs::write"),
            "src/{file} writes files itself"
        );
    }
    for (file, text) in sources() {
        let code = code(&text);
        if file != "init.rs" && file != "upgrade.rs" {
            assert!(
                !code.contains("fs::write(") && !code.contains("File::create("),
                "src/{file} writes a file in place; write through apply (temporary file and rename)"
            );
        }
    }
}

#[test]
fn values_from_the_project_name_are_derived_in_one_place() {
    for (file, text) in sources() {
        if file != "render.rs" && file != "starter.rs" {
            assert!(
                !code(&text).contains("Var::PackageName =>"),
                "src/{file} derives a variable's value itself; use render::Values::for_names"
            );
        }
    }
}

#[test]
fn runtime_reads_no_template_from_disk() {
    for (file, text) in sources() {
        let code = code(&text);
        for needle in ["\"starter/", "\"history/", "include_str!", "include_bytes!"] {
            assert!(
                !code.contains(needle),
                "src/{file} refers to {needle}: templates come from the compiled table only"
            );
        }
    }
}

#[test]
fn the_integration_tests_are_one_binary() {
    let loose: Vec<String> = fs::read_dir(repo_root().join("tests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "it")
        .collect();
    assert!(
        loose.is_empty(),
        "tests/ holds {loose:?} beside tests/it: each would be another test binary"
    );
}

#[test]
fn the_generated_project_never_depends_on_quickscale() {
    let names = project_names("acme", &top_level_modules()).unwrap();
    for file in render(&starter::HEAD, &Values::for_names(&names)) {
        let text = String::from_utf8_lossy(&file.bytes).to_lowercase();
        // The README may tell its owner about `quickscale upgrade`; no file may
        // make the project import, install or run it.
        let installs = [
            "pip install quickscale",
            "uv add quickscale",
            "\"quickscale",
        ];
        let runs = [
            "import quickscale",
            "from quickscale",
            "run: quickscale",
            "run quickscale",
        ];
        let depends = installs.iter().any(|needle| text.contains(needle))
            || (!file.path.ends_with(".md") && runs.iter().any(|needle| text.contains(needle)));
        assert!(
            !depends,
            "{} makes the project depend on quickscale",
            file.path
        );
    }
}

#[test]
fn diff_reads_only_the_starters_paths() {
    // If diff walked the project it would block on this FIFO, or read the
    // unreadable file; it finishes because it never looks at either.
    let project = OldProject::new("acme");
    fs::create_dir_all(project.path(".venv/bin")).unwrap();
    let fifo = project.path(".venv/bin/pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    fs::create_dir_all(project.path("media")).unwrap();
    std::os::unix::fs::symlink("/", project.path("media/root")).unwrap();
    let output = project.next_read_only(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains(".venv") && !text.contains("media"), "{text}");
}

#[test]
fn every_stated_invariant_names_a_test_that_exists() {
    let doc = fs::read_to_string(repo_root().join("docs/ARCHITECTURE.md")).unwrap();
    let section = doc
        .split("## Invariants")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/ARCHITECTURE.md has an Invariants section");
    let bullets: Vec<&str> = section.split("\n- ").skip(1).collect();
    assert!(bullets.len() >= 10, "{} invariants", bullets.len());
    for bullet in bullets {
        let named: Vec<&str> = bullet
            .split('`')
            .skip(1)
            .step_by(2)
            // `module::test_name`, or `module::` for a whole module; a Rust
            // path such as `Error::new` or `render::Values::for_names` is not one.
            .filter(|quoted| {
                quoted.matches("::").count() == 1
                    && quoted.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':'
                    })
            })
            .collect();
        assert!(
            !named.is_empty(),
            "this invariant names no test:\n- {bullet}"
        );
        for test in named {
            let (module, name) = test.split_once("::").unwrap();
            let file = repo_root().join(format!("tests/it/{module}.rs"));
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|_| panic!("`{test}`: tests/it/{module}.rs does not exist"));
            if !name.is_empty() {
                assert!(
                    text.contains(&format!("fn {name}(")),
                    "`{test}`: no such test in tests/it/{module}.rs"
                );
            }
        }
    }
}
