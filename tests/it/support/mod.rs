//! Helpers shared by the integration tests: running the real binary, taking
//! byte-exact snapshots of trees, and building scratch copies of the workspace.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod markdown;
pub mod tools;

pub const BIN: &str = env!("CARGO_BIN_EXE_quickscale");

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the quickscale binary in `cwd` with colour and pagers out of the way.
pub fn quickscale(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the quickscale binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the error contract: exit 2, nothing on stdout, exactly one
/// `error: ...` line on stderr containing `expected`.
pub fn assert_one_line_error(output: &Output, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty, got {}",
        stdout(output)
    );
    assert_eq!(err.lines().count(), 1, "one line on stderr, got {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in {err:?}");
}

/// Every entry under `root`: path -> (mode, content or "<dir>"/link target).
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    collect(root, root, &mut out);
    out
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (u32, Vec<u8>)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let meta = fs::symlink_metadata(&path).unwrap();
        let rel = path.strip_prefix(root).unwrap().to_owned();
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() {
            out.insert(
                rel,
                (
                    mode,
                    fs::read_link(&path)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                ),
            );
        } else if meta.is_dir() {
            out.insert(rel, (mode, b"<dir>".to_vec()));
            collect(root, &path, out);
        } else {
            out.insert(rel, (mode, fs::read(&path).unwrap()));
        }
    }
}

/// What `bin init NAME` writes in a fresh temporary directory, without `.env`
/// (a fresh secret every time), so that two builds of quickscale can be
/// compared: the same starter must give the same bytes and modes.
pub fn init_tree(bin: &Path, name: &str) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let tmp = tempfile::tempdir().unwrap();
    let output = Command::new(bin)
        .args(["init", name])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|err| panic!("{} does not run: {err}", bin.display()));
    assert!(
        output.status.success(),
        "{} init {name}: {}",
        bin.display(),
        stderr(&output)
    );
    let mut tree = snapshot(&tmp.path().join(name));
    assert!(tree.remove(Path::new(".env")).is_some(), "init writes .env");
    tree
}

/// Copies a directory tree, keeping execute bits.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the workspace (sources, macros, starter) in a temporary
/// directory, built with cargo into a shared target directory under
/// target/scratch so that dependencies compile once across tests and runs.
pub struct ScratchWorkspace {
    pub dir: tempfile::TempDir,
    /// Held for the workspace's whole life. Scratch copies share one target
    /// directory, and cargo hashes path packages relative to their workspace,
    /// so every copy shares one fingerprint that cargo judges by mtimes: a
    /// copy made while another was building would look older than that build
    /// and not be rebuilt. One copy at a time keeps each copy's files newer
    /// than every earlier build.
    _exclusive: std::sync::MutexGuard<'static, ()>,
}

static SCRATCH_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl ScratchWorkspace {
    pub fn new() -> Self {
        let exclusive = SCRATCH_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = tempfile::Builder::new()
            .prefix("quickscale-scratch-")
            .tempdir()
            .unwrap();
        let root = repo_root();
        for file in ["Cargo.toml", "Cargo.lock", "build.rs"] {
            fs::copy(root.join(file), dir.path().join(file)).unwrap();
        }
        for tree in ["src", "macros", "starter", "history"] {
            copy_tree(&root.join(tree), &dir.path().join(tree));
        }
        ScratchWorkspace {
            dir,
            _exclusive: exclusive,
        }
    }

    pub fn starter(&self) -> PathBuf {
        self.dir.path().join("starter")
    }

    /// Builds the binary; Ok(path of a private copy) on success, Err(stderr)
    /// on a failed build.
    pub fn build(&self) -> Result<PathBuf, String> {
        let target = repo_root().join("target").join("scratch");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(["build", "--quiet", "--offline", "--bin", "quickscale"])
            .current_dir(self.dir.path())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        if output.status.success() {
            let copy = self.dir.path().join("quickscale-built");
            fs::copy(target.join("debug").join("quickscale"), &copy).unwrap();
            Ok(copy)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

/// Whether the tests run as root, which ignores permission bits.
pub fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").expect("/proc is mounted");
    status
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}
