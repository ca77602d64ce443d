//! Distribution: every way README.md installs quickscale gives the quickscale
//! of this checkout.
//!
//! - The wheel and the release binary, built by scripts/release-assets as the
//!   release workflow builds them, carry the static binary README.md describes,
//!   byte for byte; the wheel is manylinux-tagged, takes the crate's version,
//!   and installs with pip on Python 3.11 and 3.13 and runs with `uvx`; the
//!   installed command writes and compares projects exactly as the test build.
//! - The release binary installs with README.md's download-and-verify commands,
//!   and a damaged download is refused.
//! - `cargo package --workspace` succeeds with its verification builds, carries
//!   starter/ and history/, and the packaged crate's build writes the same
//!   project; the crate metadata is complete; LICENSE matches it.
//! - README.md's first command installs quickscale onto PATH; its second is the
//!   one .ci/run and the CI workflow run.
//! - Both workflows pass actionlint and the GitHub workflow schema, pin their
//!   actions to commit SHAs, and publish without stored tokens.
//!
//! The release build is slow, so it is made once per run, into target/static
//! (shared with static_binary.rs, which builds it exactly as README.md says).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::markdown::{heading_of, pieces, read, Block, Piece};
use crate::support::tools::{command_ok, lint_workflows, python, tool, tools, SETUP};
use crate::support::{repo_root, snapshot, stdout, Generated, ScratchWorkspace, BIN};
use pretty_assertions::assert_eq;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
/// The release workflow's checksum step, run here on the same files.
const CHECKSUMS: &str = "sha256sum -- * > SHA256SUMS";

// ---------------------------------------------------------------------------------
// The wheel and the release binary
// ---------------------------------------------------------------------------------

/// The x86_64 Linux release assets (binary and wheel), built once per test
/// run by scripts/release-assets, into the target directory of the static
/// build that static_binary.rs checks.
fn release_assets() -> &'static Path {
    static ASSETS: OnceLock<PathBuf> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let out = repo_root().join("target/dist-test/assets");
        if out.exists() {
            fs::remove_dir_all(&out).unwrap();
        }
        let venv_bin = tool(tools().join("venv/bin/maturin"))
            .parent()
            .unwrap()
            .to_owned();
        let path = format!(
            "{}:{}",
            venv_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        command_ok(
            Command::new(repo_root().join("scripts/release-assets"))
                .args([TARGET])
                .arg(&out)
                .current_dir(repo_root())
                .env("PATH", path)
                .env("CARGO_TARGET_DIR", repo_root().join("target/static")),
        );
        out
    })
}

fn release_binary() -> PathBuf {
    release_assets().join(format!("quickscale-{VERSION}-{TARGET}"))
}

fn wheel() -> PathBuf {
    let wheels: Vec<PathBuf> = fs::read_dir(release_assets())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    assert_eq!(
        wheels.len(),
        1,
        "one wheel in {}",
        release_assets().display()
    );
    wheels[0].clone()
}

/// One member of the wheel (a zip file), read with Python's zipfile.
fn wheel_member(member: &str) -> Vec<u8> {
    let output = Command::new(python("3.11"))
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(wheel())
        .arg(member)
        .output()
        .unwrap();
    assert!(output.status.success(), "{member}: {output:?}");
    output.stdout
}

#[test]
fn the_wheel_and_the_release_binary_are_the_static_binary() {
    let names: BTreeSet<String> = fs::read_dir(release_assets())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let wheel_name = wheel().file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        names,
        BTreeSet::from([format!("quickscale-{VERSION}-{TARGET}"), wheel_name.clone()])
    );
    // `py3-none`: any Python 3 installs it, since it holds no Python code;
    // manylinux: maturin audited the binary against the policy.
    assert!(
        wheel_name.starts_with(&format!("quickscale_bin-{VERSION}-py3-none-manylinux"))
            && wheel_name.ends_with("_x86_64.whl"),
        "{wheel_name}"
    );
    let meta = String::from_utf8(wheel_member(&format!(
        "quickscale_bin-{VERSION}.dist-info/METADATA"
    )))
    .unwrap();
    for field in [
        // Not `quickscale`: that PyPI name belongs to an unrelated project.
        "Name: quickscale-bin".to_owned(),
        format!("Version: {VERSION}"),
        "License: MIT".to_owned(),
        format!("Summary: {}", env!("CARGO_PKG_DESCRIPTION")),
    ] {
        assert!(meta.lines().any(|l| l == field), "{field:?} in\n{meta}");
    }

    let static_build =
        fs::read(repo_root().join(format!("target/static/{TARGET}/release/quickscale"))).unwrap();
    assert!(
        fs::read(release_binary()).unwrap() == static_build,
        "the release binary is not the static build"
    );
    assert!(
        wheel_member(&format!("quickscale_bin-{VERSION}.data/scripts/quickscale")) == static_build,
        "the wheel's binary is not the static build"
    );
}

#[test]
fn the_wheel_installs_and_runs_on_python_3_11() {
    installed_wheel_runs_like_the_test_build("3.11");
}

#[test]
fn the_wheel_installs_and_runs_on_python_3_13() {
    installed_wheel_runs_like_the_test_build("3.13");
}

fn installed_wheel_runs_like_the_test_build(version: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    command_ok(
        Command::new(python(version))
            .args(["-m", "venv"])
            .arg(&venv),
    );
    command_ok(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--no-index", "--no-cache-dir"])
            .arg(wheel())
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    );
    let installed = venv.join("bin/quickscale");
    runs_like_the_test_build(&|| Command::new(&installed));
}

/// `uvx --from WHEEL quickscale`, offline: what `uvx quickscale` does once
/// the wheel is on PyPI.
#[test]
fn uvx_runs_the_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let uvx = tool(tools().join("venv/bin/uvx"));
    let wheel = wheel();
    runs_like_the_test_build(&|| {
        let mut command = Command::new(&uvx);
        command
            .args(["--offline", "--no-config", "--quiet", "--python"])
            .arg(python("3.13"))
            .arg("--from")
            .arg(&wheel)
            .arg("quickscale")
            .env("UV_CACHE_DIR", tmp.path().join("cache"))
            .env("UV_TOOL_DIR", tmp.path().join("tools"))
            .env("UV_PYTHON_DOWNLOADS", "never");
        command
    });
}

/// `quickscale` started by `command()` (a fresh Command each time) prints the
/// same version, writes the same project and reports the same differences as
/// the test build.
fn runs_like_the_test_build(command: &dyn Fn() -> Command) {
    let run = |mut cmd: Command, args: &[&str], cwd: &Path| -> Output {
        cmd.args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .output()
            .expect("the installed quickscale runs")
    };
    let tmp = tempfile::tempdir().unwrap();
    let version = run(command(), &["--version"], tmp.path());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("quickscale {VERSION}\n")
    );

    // init: the same files, bytes and modes.
    fs::create_dir(tmp.path().join("installed")).unwrap();
    let init = run(command(), &["init", "acme"], &tmp.path().join("installed"));
    assert!(init.status.success(), "{init:?}");
    let mut installed = snapshot(&tmp.path().join("installed/acme"));
    installed.remove(Path::new(".env"));
    assert_eq!(installed, Generated::new("acme").snapshot());

    // diff: the same report and exit code on an edited project.
    let project = tmp.path().join("installed/acme");
    fs::write(project.join("README.md"), "# Ours\n").unwrap();
    fs::remove_file(project.join("conftest.py")).unwrap();
    for args in [
        &["diff"][..],
        &["diff", "--patch"],
        &["diff", "--format", "json"],
    ] {
        let theirs = run(command(), args, &project);
        let ours = run(Command::new(BIN), args, &project);
        // Only your own changes: nothing to take, so 0.
        assert_eq!(theirs.status.code(), Some(0), "{args:?}: {theirs:?}");
        assert_eq!(
            (theirs.status.code(), theirs.stdout, theirs.stderr),
            (ours.status.code(), ours.stdout, ours.stderr),
            "quickscale {args:?}"
        );
    }
}

// ---------------------------------------------------------------------------------
// README.md: the release binary, the Install section, the first commands
// ---------------------------------------------------------------------------------

/// The fenced blocks of README.md's `## Install` section, in order.
fn install_blocks() -> Vec<Block> {
    let readme = read(&repo_root().join("README.md"));
    let mut inside = false;
    let mut out = Vec::new();
    for piece in pieces(&readme) {
        match piece {
            Piece::Prose { text, .. } => match heading_of(&text) {
                Some((2, title)) => inside = title == "Install",
                Some((1, _)) => inside = false,
                _ => {}
            },
            Piece::Fence(block) if inside => out.push(block),
            Piece::Fence(_) => {}
        }
    }
    out
}

/// The command of each line of a shell block, comments dropped.
fn commands(block: &Block) -> Vec<String> {
    block
        .body
        .lines()
        .map(|line| line.split(" #").next().unwrap().trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn install_leads_with_uv_and_pipx_then_cargo_then_the_release_binary_then_a_clone() {
    let blocks = install_blocks();
    let firsts: Vec<String> = blocks.iter().map(|b| commands(b)[0].clone()).collect();
    let expected_order = [
        "uvx --from quickscale-bin quickscale init myapp",
        "cargo install --locked quickscale",
        &format!("version={VERSION} target={TARGET}"),
        "cargo install --locked --path .",
    ];
    let positions: Vec<usize> = expected_order
        .iter()
        .map(|first| {
            firsts
                .iter()
                .position(|f| f == first)
                .unwrap_or_else(|| panic!("no Install block starts with `{first}`: {firsts:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "Install's blocks are out of order: {firsts:?}"
    );
    assert_eq!(commands(&blocks[0])[1], "pipx install quickscale-bin");
}

/// README.md's download-and-verify block, run for real against the release
/// assets as the release workflow lays them out, served from a `file://` URL
/// in place of the GitHub release.
#[test]
fn the_release_binary_installs_as_the_readme_says_and_a_bad_download_is_refused() {
    let release = read(&repo_root().join(".github/workflows/release.yml"));
    assert!(
        release.lines().any(|line| line.trim() == CHECKSUMS),
        "release.yml's checksum step is `{CHECKSUMS}`"
    );
    let block = install_blocks()
        .into_iter()
        .find(|b| b.body.contains("SHA256SUMS"))
        .expect("README.md's Install section verifies a release binary against SHA256SUMS");
    let base = format!("base={REPOSITORY}/releases/download/v$version");
    assert!(
        block.body.lines().any(|line| line == base),
        "README.md:{}: the download URL is `{base}` (Cargo.toml's repository)",
        block.line
    );

    for damaged in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let (served, home, work) = (
            tmp.path().join("release"),
            tmp.path().join("home"),
            tmp.path().join("work"),
        );
        for dir in [&served, &home, &work] {
            fs::create_dir(dir).unwrap();
        }
        let binary = served.join(format!("quickscale-{VERSION}-{TARGET}"));
        fs::copy(release_binary(), &binary).unwrap();
        fs::copy(wheel(), served.join(wheel().file_name().unwrap())).unwrap();
        command_ok(
            Command::new("bash")
                .args(["-c", CHECKSUMS])
                .current_dir(&served),
        );
        if damaged {
            let mut bytes = fs::read(&binary).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 1;
            fs::write(&binary, bytes).unwrap();
        }
        let script = block
            .body
            .replace(&base, &format!("base=file://{}", served.display()));
        let output = crate::support::markdown::bash(&format!("set -e\n{script}"), &work, &home)
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let installed = home.join(".local/bin/quickscale");
        if damaged {
            assert!(
                !output.status.success(),
                "a damaged download passed:\n{printed}"
            );
            assert!(printed.contains("FAILED"), "{printed}");
            assert!(!installed.exists(), "a damaged download was installed");
        } else {
            assert!(output.status.success(), "{printed}");
            assert!(
                printed.contains(&format!("quickscale-{VERSION}-{TARGET}: OK")),
                "{printed}"
            );
            assert!(
                stdout(&output).ends_with(&format!("quickscale {VERSION}\n")),
                "{printed}"
            );
            assert!(fs::read(&installed).unwrap() == fs::read(release_binary()).unwrap());
        }
    }
}

/// The README's first block: one command installs quickscale and runs
/// `quickscale init` (so the Commands section finds `quickscale` on PATH),
/// the other is the test command that .ci/run and the CI workflow run.
fn first_commands() -> (String, String) {
    let readme = read(&repo_root().join("README.md"));
    let first = pieces(&readme)
        .into_iter()
        .find_map(|piece| match piece {
            Piece::Fence(block) => Some(block),
            Piece::Prose { .. } => None,
        })
        .expect("README.md has a code block");
    let lines = commands(&first);
    assert_eq!(
        lines.len(),
        2,
        "README.md:{}: two set-up commands",
        first.line
    );
    (lines[0].clone(), lines[1].clone())
}

#[test]
fn the_readme_test_command_is_what_ci_runs() {
    let (_, test_command) = first_commands();
    assert_eq!(
        test_command,
        "./scripts/setup-test-tools && cargo test --workspace"
    );
    let ci_run = read(&repo_root().join(".ci/run"));
    assert_eq!(
        ci_run.lines().rfind(|l| !l.trim().is_empty()),
        Some(test_command.as_str()),
        ".ci/run ends with README.md's test command"
    );
    let ci = read(&repo_root().join(".github/workflows/ci.yml"));
    assert!(
        ci.lines().any(|line| line.trim() == "run: .ci/run"),
        "ci.yml runs .ci/run"
    );
}

/// Runs README.md's first command in a copy of the checkout, with cargo
/// installing into a scratch root put first on PATH: `quickscale` must then
/// be the installed one, and the project must be there.
#[test]
fn the_readme_first_command_leaves_quickscale_on_path() {
    let (install, _) = first_commands();
    assert!(
        install.starts_with("cargo install --locked --path . && quickscale init myapp"),
        "{install}"
    );
    let workspace = ScratchWorkspace::new();
    let root = workspace.dir.path().join("cargo-home");
    let path = format!(
        "{}:{}",
        root.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = command_ok(
        Command::new("bash")
            .args(["-c", &format!("{install} && command -v quickscale")])
            .current_dir(workspace.dir.path())
            .env("PATH", path)
            .env("CARGO_INSTALL_ROOT", &root)
            // Shared across runs, so that only quickscale itself rebuilds.
            .env(
                "CARGO_TARGET_DIR",
                repo_root().join("target/dist-test/install"),
            )
            .env("NO_COLOR", "1")
            .env_remove("RUSTFLAGS"),
    );
    let printed = stdout(&output);
    assert!(
        printed.ends_with(&format!("{}\n", root.join("bin/quickscale").display())),
        "{printed}"
    );
    assert!(workspace.dir.path().join("myapp/manage.py").is_file());
}

// ---------------------------------------------------------------------------------
// crates.io
// ---------------------------------------------------------------------------------

/// `cargo package --workspace` with its verification builds: each crate is
/// built from its .crate file, quickscale against the packaged macros, as
/// crates.io users will build them.
#[test]
fn the_packaged_crate_builds_and_writes_the_same_project() {
    let target = repo_root().join("target/dist-test/package");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command_ok(
        Command::new(cargo)
            .args(["package", "--workspace", "--locked", "--allow-dirty"])
            .current_dir(repo_root())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS"),
    );

    // The packaged crate carries starter/ and history/ whole.
    let listing =
        stdout(&command_ok(Command::new("tar").arg("-tzf").arg(
            target.join(format!("package/quickscale-{VERSION}.crate")),
        )));
    let prefix = format!("quickscale-{VERSION}/");
    let packaged: BTreeSet<String> = listing
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|l| l.starts_with("starter/") || l.starts_with("history/"))
        .map(str::to_owned)
        .collect();
    let tracked: BTreeSet<String> = stdout(&command_ok(
        Command::new("git")
            .args(["ls-files", "--", "starter", "history"])
            .current_dir(repo_root()),
    ))
    .lines()
    .map(str::to_owned)
    .collect();
    assert!(tracked.len() > 50, "git lists starter/ and history/");
    assert_eq!(packaged, tracked);

    // The verification build of the packaged crate writes the same project.
    let packaged_bin = target.join("debug/quickscale");
    assert_eq!(
        Generated::by(&packaged_bin, "acme").snapshot(),
        Generated::new("acme").snapshot()
    );
}

#[test]
fn crate_metadata_is_complete_and_license_matches() {
    let metadata = cargo_metadata(&["--no-deps"]);
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        for field in ["description", "repository", "readme", "rust_version"] {
            assert!(
                package[field].as_str().is_some_and(|v| !v.is_empty()),
                "{name}: `{field}` is missing"
            );
        }
        for field in ["keywords", "categories"] {
            assert!(
                package[field].as_array().is_some_and(|v| !v.is_empty()),
                "{name}: `{field}` is missing"
            );
        }
        assert_eq!(package["license"], "MIT", "{name}");
        assert_eq!(package["version"], VERSION, "{name}");
        assert_eq!(package["repository"], REPOSITORY, "{name}");
        // The published quickscale must build with the macros of its release.
        for dep in package["dependencies"].as_array().unwrap() {
            if dep["name"] == "quickscale-macros" {
                assert_eq!(dep["req"], format!("={VERSION}"));
            }
        }
    }

    // rust-version holds: no dependency asks for a newer Rust.
    let ours = rust_version(metadata["packages"][0]["rust_version"].as_str().unwrap());
    for package in cargo_metadata(&["--offline"])["packages"]
        .as_array()
        .unwrap()
    {
        if let Some(needed) = package["rust_version"].as_str() {
            assert!(
                rust_version(needed) <= ours,
                "{} {} needs Rust {needed}, newer than Cargo.toml's rust-version",
                package["name"],
                package["version"]
            );
        }
    }

    let license = read(&repo_root().join("LICENSE"));
    assert!(license.starts_with("MIT License\n"), "{license}");
    // The generated project carries no licence: that choice is its owner's.
    let project = Generated::new("acme").snapshot();
    let licences: Vec<&PathBuf> = project
        .keys()
        .filter(|path| {
            let name = path.to_string_lossy().to_ascii_uppercase();
            name.starts_with("LICEN") || name.starts_with("COPYING")
        })
        .collect();
    assert!(licences.is_empty(), "{licences:?}");
}

/// `cargo metadata` of the workspace, with `extra` arguments.
fn cargo_metadata(extra: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = command_ok(
        Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--locked"])
            .args(extra)
            .current_dir(repo_root()),
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// "1.85" or "1.85.0" -> (1, 85, 0).
fn rust_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().unwrap());
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

#[test]
fn the_wheel_takes_its_version_from_the_crate() {
    let pyproject = read(&repo_root().join("pyproject.toml"));
    let project: Vec<&str> = pyproject
        .split("\n[")
        .find(|table| table.starts_with("project]"))
        .expect("pyproject.toml has a [project] table")
        .lines()
        .collect();
    assert!(
        !project
            .iter()
            .any(|l| l.trim_start().starts_with("version")),
        "pyproject.toml must not set a version of its own"
    );
    assert!(
        project
            .iter()
            .any(|l| l.starts_with("dynamic = [") && l.contains("\"version\"")),
        "pyproject.toml's version is dynamic (maturin takes Cargo.toml's)"
    );
    assert!(pyproject.lines().any(|l| l == "bindings = \"bin\""));
}

// ---------------------------------------------------------------------------------
// The workflows
// ---------------------------------------------------------------------------------

const WORKFLOWS: [&str; 2] = [".github/workflows/ci.yml", ".github/workflows/release.yml"];

#[test]
fn workflows_pass_actionlint_and_the_github_workflow_schema() {
    lint_workflows(&repo_root(), &WORKFLOWS);
}

/// Every action is pinned to a full commit SHA with the release it is in a
/// comment (`uses: owner/repo@<40 hex> # vX.Y.Z`): a tag can be moved, a
/// commit cannot.
#[test]
fn actions_are_pinned_to_commit_shas() {
    for file in WORKFLOWS {
        let text = read(&repo_root().join(file));
        let mut count = 0;
        for (index, line) in text.lines().enumerate() {
            let Some(uses) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            count += 1;
            let (action, comment) = uses.split_once(" # ").unwrap_or((uses, ""));
            let sha = action.split_once('@').map_or("", |(_, r)| r);
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{file}:{}: `{action}` is not pinned to a commit SHA",
                index + 1
            );
            assert!(
                comment.starts_with('v') && comment[1..].split('.').count() == 3,
                "{file}:{}: `{uses}` names no release (# vX.Y.Z)",
                index + 1
            );
        }
        assert!(count > 0, "{file} uses no action");
    }
}

/// Publishing goes through OpenID Connect (trusted publishing): no job reads a
/// stored secret, the jobs that publish may mint an identity token, and the
/// rest may not.
#[test]
fn the_release_publishes_through_trusted_publishing() {
    let release = read(&repo_root().join(".github/workflows/release.yml"));
    assert!(
        !release.contains("secrets."),
        "release.yml reads a stored secret"
    );
    let minting: Vec<&str> = jobs(&release)
        .into_iter()
        .filter(|(_, body)| body.contains("id-token: write"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(minting, ["pypi", "crates-io"]);
    assert!(release.contains("uses: pypa/gh-action-pypi-publish@"));
    assert!(release.contains("uses: rust-lang/crates-io-auth-action@"));
    assert!(release.contains("CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}"));

    // The workflow builds with the maturin the tests build with.
    let setup = read(&repo_root().join(SETUP));
    let pin = setup
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"maturin==")?.strip_suffix('"'))
        .expect("scripts/setup-test-tools pins maturin");
    let builds = release.matches("pip install maturin==").count();
    assert!(builds > 0);
    assert_eq!(
        release
            .matches(&format!("pip install maturin=={pin}\n"))
            .count(),
        builds,
        "release.yml installs maturin {pin}, as {SETUP} does"
    );
}

/// The jobs of a workflow: (name, the lines under it).
fn jobs(workflow: &str) -> Vec<(&str, String)> {
    let mut jobs: Vec<(&str, String)> = Vec::new();
    let mut inside = false;
    for line in workflow.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == "jobs:";
            continue;
        }
        if !inside {
            continue;
        }
        let job = line
            .strip_prefix("  ")
            .and_then(|l| l.strip_suffix(':'))
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#'));
        match (job, jobs.last_mut()) {
            (Some(name), _) => jobs.push((name, String::new())),
            (None, Some((_, body))) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    jobs
}
