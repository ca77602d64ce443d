//! Helpers shared by the integration tests: running the real binary, taking
//! byte-exact snapshots of trees, and building scratch copies of the workspace.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod browser;
pub mod e2e;
pub mod markdown;
pub mod starters;
pub mod tools;

// The #[starter] macro's own digest and tree walk, compiled here too: a
// proc-macro crate can export nothing but macros, so this is how the tests
// share the one implementation instead of copying it.
#[path = "../../../macros/src/digest.rs"]
mod macro_digest;
#[path = "../../../macros/src/walk.rs"]
mod macro_walk;

pub use macro_digest::content_hash;

/// The starter digest of the tree at `dir`, by the #[starter] macro's own
/// code (the same walk, the same fields): what the manifest of a project
/// made from that tree records.
pub fn tree_digest(dir: &Path) -> String {
    let mut digest = macro_digest::TreeDigest::new();
    for entry in macro_walk::walk_starter(dir, &dir.display().to_string()).unwrap() {
        digest.add(&entry.rel, entry.executable, &fs::read(&entry.abs).unwrap());
    }
    digest.finish()
}

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

/// A project written by `quickscale init NAME` in a temporary directory of
/// its own, removed with everything in it when the value is dropped.
pub struct Generated {
    /// The project directory, `<temporary directory>/NAME`.
    pub root: PathBuf,
    tmp: tempfile::TempDir,
}

impl Generated {
    /// Runs `quickscale init name` in a fresh temporary directory, asserting success.
    pub fn new(name: &str) -> Self {
        Generated::by(Path::new(BIN), name)
    }

    /// The same with another build of quickscale (a scratch or static build).
    pub fn by(binary: &Path, name: &str) -> Self {
        Generated::by_with(binary, name, &[])
    }

    /// The same with another build of quickscale, and `--with` each of `modules`.
    pub fn by_with(binary: &Path, name: &str, modules: &[&str]) -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("quickscale-test-")
            .tempdir()
            .unwrap();
        let output = Command::new(binary)
            .args(["init", name])
            .args(modules.iter().flat_map(|module| ["--with", module]))
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("{} runs: {e}", binary.display()));
        assert!(
            output.status.success(),
            "{} init {name}: {output:?}",
            binary.display()
        );
        Generated {
            root: tmp.path().join(name),
            tmp,
        }
    }

    /// Every entry of the project but `.env`, whose secret differs on every init.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
        project_snapshot(&self.root)
    }

    /// A path inside the project.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The temporary directory holding the project.
    pub fn parent(&self) -> &Path {
        self.tmp.path()
    }
}

/// Variables of the caller's shell that would change how the generated
/// project, Python or Django behave: an active virtualenv, a settings module,
/// a secret or database from the developer's own environment.
const FOREIGN_VARS: &[&str] = &[
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "UV_PROJECT_ENVIRONMENT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
];

/// A command without the caller's [`FOREIGN_VARS`], for both kinds of
/// command the tests build (std's and xshell's).
pub trait Scrubbed: Sized {
    fn without_var(self, var: &str) -> Self;

    fn scrubbed(self) -> Self {
        FOREIGN_VARS
            .iter()
            .fold(self, |command, var| command.without_var(var))
    }
}

impl Scrubbed for &mut Command {
    fn without_var(self, var: &str) -> Self {
        self.env_remove(var)
    }
}

impl Scrubbed for xshell::Cmd<'_> {
    fn without_var(self, var: &str) -> Self {
        self.env_remove(var)
    }
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
    snapshot_where(root, &|_| true)
}

/// [`snapshot`] of the entries whose path relative to `root` passes `keep`;
/// a directory left out is not walked (`.git`, say).
pub fn snapshot_where(
    root: &Path,
    keep: &dyn Fn(&Path) -> bool,
) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    collect(root, root, keep, &mut out);
    out
}

/// [`snapshot`] of a generated project without its `.env`, the one file that
/// differs between two inits of the same name.
pub fn project_snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut entries = snapshot(root);
    entries.remove(Path::new(".env"));
    entries
}

/// The entries of `dir`, sorted by path, for walks in a stable order.
pub fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

fn collect(
    root: &Path,
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    out: &mut BTreeMap<PathBuf, (u32, Vec<u8>)>,
) {
    for path in sorted_entries(dir) {
        let rel = path.strip_prefix(root).unwrap().to_owned();
        if !keep(&rel) {
            continue;
        }
        let meta = fs::symlink_metadata(&path).unwrap();
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
            collect(root, &path, keep, out);
        } else if meta.is_file() {
            out.insert(rel, (mode, fs::read(&path).unwrap()));
        } else {
            // A FIFO, socket or device: opening it could block or never end.
            out.insert(rel, (mode, b"<special>".to_vec()));
        }
    }
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
            copy_executable(&target.join("debug").join("quickscale"), &copy);
            Ok(copy)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

/// Builds the statically linked release binary of the workspace at `dir`
/// into `target_dir`, exactly as README.md documents the release build, and
/// returns its path.
pub fn build_static(dir: &Path, target_dir: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "x86_64-unknown-linux-gnu",
            "--bin",
            "quickscale",
        ])
        .current_dir(dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the static release build of {} failed",
        dir.display()
    );
    target_dir.join("x86_64-unknown-linux-gnu/release/quickscale")
}

/// A small deterministic generator (splitmix64): a fixed or printed seed
/// repeats a run exactly.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// Copies a binary that a test will run, with `cp` rather than fs::copy: a
/// file this process holds open for writing is inherited by any child another
/// test thread forks meanwhile, and running it then fails with "Text file busy".
pub fn copy_executable(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success(), "cp {} {}", from.display(), to.display());
}

/// Whether the tests run as root, which ignores permission bits.
pub fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").expect("/proc is mounted");
    status
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// Runs git in `dir` with a fixed identity, panicking with its output on failure.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed: apt-get install git");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    output
}
