//! The size budget of the starter history (issue 8): with ten more releases
//! of realistic churn compiled in, the static release binary stays under
//! 4 MiB, and every one of those releases is still there to merge against.
//!
//! A scratch copy of the workspace gets ten simulated `history/<x.y.z>/`
//! snapshots, each derived from the one before (the first from today's
//! starter) the way a release changes a starter:
//! - `uv.lock` regenerated: a third of its packages move to a new version
//!   with new hashes, sizes and URLs, so the whole body is new every release;
//! - 5 to 15 text files edited: lines added, changed and removed;
//! - one or two files added, and a file removed every other release;
//! - the binary favicon changed every third release.
//!
//! The churn is pseudo-random (splitmix64) from a fixed seed, so every run
//! builds the same trees. Slow: one static release build, into target/budget.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use quickscale::names::project_names;
use quickscale::render::Values;
use quickscale::starter::top_level_modules;

use crate::support::starters::V0_1_0_DIGEST;
use crate::support::{
    build_static, content_hash, copy_tree, repo_root, tree_digest, ScratchWorkspace,
    SplitMix as Rng,
};

/// The budget for the static binary.
const BUDGET: u64 = 4 * 1024 * 1024;
/// Simulated releases on top of the real history.
const RELEASES: u64 = 10;
/// The scratch build's own version: newer than every simulated release, since
/// quickscale refuses a manifest written by a newer quickscale.
const SCRATCH_VERSION: &str = "0.13.0";

#[test]
fn ten_releases_of_churn_keep_the_static_binary_under_4_mib() {
    let scratch = ScratchWorkspace::new();
    let root = scratch.dir.path();
    set_version(root, SCRATCH_VERSION);

    let mut releases = vec![("0.1.0".to_owned(), root.join("history/0.1.0"))];
    let mut previous = scratch.starter();
    let mut rng = Rng(0x5eed_0fc4);
    for release in 1..=RELEASES {
        let version = format!("0.{}.0", release + 2);
        let dir = root.join("history").join(&version);
        copy_tree(&previous, &dir);
        churn(&dir, release, &mut rng);
        releases.push((version, dir.clone()));
        previous = dir;
    }
    assert_eq!(
        tree_digest(&releases[0].1),
        V0_1_0_DIGEST,
        "this test computes digests with the #[starter] macro's own code"
    );

    let binary = build_static(root, &repo_root().join("target").join("budget"));
    let size = fs::metadata(&binary).unwrap().len();
    let entries = fs::read_dir(root.join("history"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir())
        .count();
    eprintln!(
        "static binary with {entries} history entries: {size} bytes ({:.2} MiB)",
        size as f64 / 1048576.0
    );
    assert!(
        size < BUDGET,
        "the static binary with {entries} history entries is {size} bytes, over the budget of \
         {BUDGET} (4 MiB): store the history's bodies compressed (docs/benchmarks.md)"
    );

    // Every simulated release, and 0.1.0, is compiled in, byte for byte (the
    // newest real release is left out: it equals the head, so its digest
    // names the head): a project exactly as that release wrote it finds its
    // base, and every file equals it (no conflict,
    // no merge, nothing unknown).
    for (version, dir) in &releases {
        let tmp = tempfile::tempdir().unwrap();
        let project = write_project(dir, &tmp.path().join("acme"), version);
        let output = Command::new(&binary)
            .args(["diff", "--format", "json"])
            .current_dir(&project)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            output.status.code().is_some_and(|code| code < 2),
            "diff of a {version} project: {output:?}"
        );
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(plan["base_version"], version.as_str(), "{plan:#}");
        for outcome in ["conflict", "merged", "unknown"] {
            assert_eq!(plan["counts"][outcome], 0, "{version}: {outcome}: {plan:#}");
        }
    }
}

/// Sets the workspace version (both crates) in a scratch copy's Cargo.toml.
fn set_version(root: &Path, version: &str) {
    let path = root.join("Cargo.toml");
    let text = fs::read_to_string(&path).unwrap();
    let old = env!("CARGO_PKG_VERSION");
    let new = text
        .replacen(
            &format!("version = \"{old}\""),
            &format!("version = \"{version}\""),
            1,
        )
        .replacen(
            &format!("version = \"={old}\""),
            &format!("version = \"={version}\""),
            1,
        );
    assert_eq!(new.matches(version).count(), 2, "both versions set");
    fs::write(&path, new).unwrap();
}

/// One release's worth of changes to the starter tree at `dir`.
fn churn(dir: &Path, release: u64, rng: &mut Rng) {
    regenerate_lock(&dir.join("uv.lock"), rng);

    // A module's module.toml is its declaration, not material for churn.
    let texts: Vec<PathBuf> = files(dir)
        .into_iter()
        .filter(|path| {
            !path.ends_with("uv.lock") && !path.ends_with("module.toml") && is_text(path)
        })
        .collect();
    let edits = 5 + rng.below(11) as usize;
    for path in pick(rng, &texts, edits) {
        edit(&path, release, rng);
    }

    for added in 0..1 + rng.below(2) {
        let path = dir.join(format!("@PACKAGE_NAME@/core/release_{release}_{added}.py"));
        let mut text = format!("\"\"\"Added in simulated release {release}.\"\"\"\n\n");
        for line in 0..20 + rng.below(60) {
            text.push_str(&format!("SETTING_{line} = {}\n", rng.next() % 100_000));
        }
        fs::write(path, text).unwrap();
    }
    if release % 2 == 0 {
        let removable: Vec<PathBuf> = texts
            .iter()
            .filter(|path| path.exists() && !path.ends_with("README.md"))
            .cloned()
            .collect();
        fs::remove_file(&removable[rng.below(removable.len() as u64) as usize]).unwrap();
    }
    if release % 3 == 0 {
        let icon = dir.join("@PACKAGE_NAME@/static/favicon.ico");
        let mut bytes = fs::read(&icon).unwrap();
        for _ in 0..64 {
            let at = rng.below(bytes.len() as u64) as usize;
            bytes[at] = rng.next() as u8;
        }
        bytes[0] = 0; // stays binary whatever the random bytes
        fs::write(&icon, bytes).unwrap();
    }
}

/// `uv lock --upgrade`'s effect on the lock: a third of the packages get a
/// new version, and with it new file names, hashes and sizes.
fn regenerate_lock(path: &Path, rng: &mut Rng) {
    let text = fs::read_to_string(path).unwrap();
    let mut blocks: Vec<String> = text.split("\n[[package]]\n").map(str::to_owned).collect();
    for block in blocks.iter_mut().skip(1) {
        if rng.below(3) != 0 {
            continue;
        }
        let Some(old) = block
            .lines()
            .find_map(|line| line.strip_prefix("version = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .map(str::to_owned)
        else {
            continue; // the project itself: no version of its own here
        };
        let new = format!("{old}.{}", 1 + rng.below(9));
        let mut out = block.replace(&old, &new);
        while let Some(at) = out.find("sha256:") {
            let fresh: String = (0..64)
                .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
                .collect();
            out = format!("{}SHA256:{fresh}{}", &out[..at], &out[at + 7 + 64..]);
        }
        *block = out.replace("SHA256:", "sha256:");
    }
    fs::write(path, blocks.join("\n[[package]]\n")).unwrap();
}

/// Adds, changes and removes a few lines, none of them with a placeholder.
fn edit(path: &Path, release: u64, rng: &mut Rng) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(lines.len() as u64) as usize;
        match rng.below(3) {
            0 => lines.insert(
                at,
                format!("# release {release}: note {}", rng.next() % 1000),
            ),
            1 if !lines[at].contains('@') => lines[at].push_str(" # changed"),
            _ if lines.len() > 2 && !lines[at].contains('@') && at + 1 < lines.len() => {
                lines.remove(at);
            }
            _ => lines.insert(at, String::new()),
        }
    }
    fs::write(path, lines.join("\n")).unwrap();
}

/// A project exactly as the starter at `dir` renders for the name `acme`
/// (every variable is `acme`), with the manifest that release would write.
fn write_project(dir: &Path, project: &Path, version: &str) -> PathBuf {
    let mut hashes = BTreeMap::new();
    for source in files(dir) {
        let rel = relative(dir, &source);
        // A project without modules: none of their own files.
        if rel.starts_with('+') {
            continue;
        }
        let rel = render_acme(&rel);
        let mut bytes = fs::read(&source).unwrap();
        if is_text(&source) {
            let text = without_modules(std::str::from_utf8(&bytes).unwrap());
            bytes = render_acme(&text).into_bytes();
        }
        let target = project.join(&rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, &bytes).unwrap();
        let mode = fs::metadata(&source).unwrap().permissions().mode() & 0o111;
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644 | mode)).unwrap();
        hashes.insert(rel, content_hash(&bytes));
    }
    let mut manifest = format!(
        "quickscale_version = \"{version}\"\nstarter_digest = \"{}\"\n\n[variables]\n",
        tree_digest(dir)
    );
    for (var, value) in acme().pairs() {
        manifest.push_str(&format!("{var} = \"{value}\"\n"));
    }
    manifest.push_str("\n[files]\n");
    for (rel, hash) in hashes {
        manifest.push_str(&format!("\"{rel}\" = \"{hash}\"\n"));
    }
    fs::write(project.join(".quickscale.toml"), manifest).unwrap();
    project.to_owned()
}

/// `text` as a project without modules has it: what a condition naming a
/// module (`@IF(teams)@`, `@BEGIN(a,!b)@` ... `@END(a,!b)@`) keeps is left out,
/// what one that only negates modules keeps stays, and the markers go.
fn without_modules(text: &str) -> String {
    let holds = |terms: &str| terms.split(',').all(|term| term.starts_with('!'));
    let mut out = String::new();
    // Open blocks, each whether it holds.
    let mut open: Vec<bool> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("@BEGIN(") {
            open.push(holds(rest.split(")@").next().unwrap()));
        } else if line.starts_with("@END(") {
            open.pop();
        } else if open.iter().all(|&kept| kept) {
            match line.strip_prefix("@IF(") {
                Some(rest) => {
                    let (terms, kept) = rest.split_once(")@").unwrap();
                    if holds(terms) {
                        out.push_str(kept);
                    }
                }
                None => out.push_str(line),
            }
        }
    }
    out
}

#[test]
fn a_project_without_modules_keeps_no_module_line() {
    let text = "a\n@IF(teams)@b\n@IF(!teams)@c\n@BEGIN(teams)@\nd\n@IF(!x)@e\n@END(teams)@\n\
                @BEGIN(!teams)@\nf\n@END(!teams)@\ng";
    assert_eq!(without_modules(text), "a\nc\nf\ng");
}

/// The values `quickscale init acme` renders with, every variable included.
fn acme() -> Values {
    Values::for_names(&project_names("acme", &top_level_modules()).unwrap())
}

/// Every placeholder filled in for the name `acme`.
fn render_acme(text: &str) -> String {
    let values = acme();
    values.pairs().fold(text.to_owned(), |text, (var, value)| {
        text.replace(&format!("@{var}@"), value)
    })
}

/// Every file under `dir`, sorted by its `/`-separated relative path.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort_by_key(|path| relative(dir, path));
    out
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned()
}

fn is_text(path: &Path) -> bool {
    let bytes = fs::read(path).unwrap();
    !bytes.contains(&0) && std::str::from_utf8(&bytes).is_ok()
}

/// `count` distinct items of `items`, picked by `rng`.
fn pick(rng: &mut Rng, items: &[PathBuf], count: usize) -> Vec<PathBuf> {
    let mut pool = items.to_vec();
    (0..count.min(pool.len()))
        .map(|_| pool.swap_remove(rng.below(pool.len() as u64) as usize))
        .collect()
}
