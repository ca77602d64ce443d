//! `quickscale upgrade` as a transaction, proven from outside (issue 16, points
//! 1 and 2). One scenario project made by quickscale 0.1.0 and edited by a
//! team, committed in git, is upgraded by the next-starter binary
//! (support/starters.rs) over and over, each time on a fresh copy, and each
//! time something goes wrong at a chosen moment:
//!
//! - a SIGKILL or SIGINT injected by strace at the N-th call of every kind of
//!   system call the upgrade makes that can change the disk (found by tracing
//!   an uninterrupted upgrade first, so the loop follows the implementation);
//! - SIGKILL, SIGINT and SIGTERM sent at seeded random moments;
//! - a write error (ENOSPC, EACCES, EROFS, EIO, ...) injected by strace at the
//!   N-th call of each kind;
//! - a second upgrade while the first holds the lock, then the first killed.
//!
//! What must hold, compared with one uninterrupted upgrade of the same project
//! (every file and directory but `.git/`, with bytes and mode, `.env` by its
//! keys, and `git status`):
//!
//! - after a SIGKILL, one plain `quickscale upgrade` gives exactly the
//!   uninterrupted tree and exit code, saying `Recovered an interrupted
//!   upgrade:` when it found a journal and "took over" when it found a lock;
//! - after a SIGINT or SIGTERM, the run died of that signal and left the tree
//!   as it was or as the uninterrupted upgrade leaves it, nothing else;
//! - after a write error, exit 2 with one line naming a path and the cause and
//!   the tree as it was, or the uninterrupted result;
//! - no name starting with `.quickscale-` is ever left behind.
//!
//! Failures are collected, counted by kind and reported together, each with
//! the strace command that repeats it. `QUICKSCALE_LOOP_SEED` repeats a run,
//! `QUICKSCALE_LONG_LOOPS=1` runs every position instead of a sample,
//! `QUICKSCALE_LOOP_ONLY` runs only the cases named (or of the kinds named),
//! and `QUICKSCALE_LOOP_KEEP=1` keeps their directories (docs/testing.md).
//!
//! The helpers take any scenario and any injection: a new case is a new
//! `Inject` or a new check on the same `Tree`s.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::support::starters::{next_starter_binary, OldProject, OLD_TIME_ZONE};
use crate::support::tools::tool_on_path;
use crate::support::{git, snapshot_where, stderr, stdout, SplitMix};

const NAME: &str = "acme";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every name the upgrade may create for itself inside the project starts so.
const TRANSIENT: &str = ".quickscale-";
const LOCK: &str = ".quickscale-lock";
const JOURNAL: &str = ".quickscale-journal";
const RECOVERED: &str = "Recovered an interrupted upgrade:";
const TOOK_OVER: &str = "took over";

/// System calls that can change what is on disk, and the errors a write
/// error sweep injects into each (one per position, in turn). Reads are
/// covered too: `openat` opens files for reading as well as for writing.
const STATE_CHANGING: &[(&str, &[&str])] = &[
    ("open", &["EACCES", "EROFS"]),
    ("openat", &["EACCES", "EROFS", "ENOSPC", "EDQUOT"]),
    ("creat", &["EACCES", "EROFS"]),
    ("write", &["ENOSPC", "EIO", "EFBIG", "EDQUOT"]),
    ("writev", &["ENOSPC", "EIO"]),
    ("pwrite64", &["ENOSPC", "EIO"]),
    ("copy_file_range", &["ENOSPC", "EIO"]),
    ("sendfile", &["ENOSPC", "EIO"]),
    ("ftruncate", &["EIO", "EFBIG"]),
    ("fallocate", &["ENOSPC"]),
    ("rename", &["EACCES", "EROFS", "EIO"]),
    ("renameat", &["EACCES", "EROFS", "EIO"]),
    ("renameat2", &["EACCES", "EROFS", "EIO"]),
    ("fsync", &["EIO", "ENOSPC"]),
    ("fdatasync", &["EIO", "ENOSPC"]),
    ("syncfs", &["EIO"]),
    ("unlink", &["EACCES", "EROFS", "EIO"]),
    ("unlinkat", &["EACCES", "EROFS", "EIO"]),
    ("mkdir", &["EACCES", "EROFS", "ENOSPC"]),
    ("mkdirat", &["EACCES", "EROFS", "ENOSPC"]),
    ("rmdir", &["EACCES", "EROFS", "EIO"]),
    ("chmod", &["EACCES", "EROFS"]),
    ("fchmod", &["EPERM", "EROFS"]),
    ("fchmodat", &["EPERM", "EROFS"]),
    ("link", &["EACCES", "EROFS", "ENOSPC"]),
    ("linkat", &["EACCES", "EROFS", "ENOSPC"]),
    ("symlink", &["EACCES", "EROFS"]),
    ("symlinkat", &["EACCES", "EROFS"]),
    ("utimensat", &["EACCES", "EROFS"]),
];

/// What strerror says for each injected error: the cause a message must name.
fn cause(errno: &str) -> &'static str {
    match errno {
        "EACCES" => "Permission denied",
        "EPERM" => "Operation not permitted",
        "EROFS" => "Read-only file system",
        "ENOSPC" => "No space left on device",
        "EDQUOT" => "Disk quota exceeded",
        "EIO" => "Input/output error",
        "EFBIG" => "File too large",
        other => panic!("no cause text for {other}"),
    }
}

/// How this run of the loops was asked to run.
struct Settings {
    seed: u64,
    long: bool,
    only: Option<String>,
    /// Keep every case's directory (and the scenario's) for a look afterwards.
    keep: bool,
}

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let seed = std::env::var("QUICKSCALE_LOOP_SEED")
            .ok()
            .map(|s| {
                s.parse()
                    .unwrap_or_else(|_| panic!("QUICKSCALE_LOOP_SEED={s} is not a number"))
            })
            .unwrap_or(0x5eed_0016);
        let long = std::env::var("QUICKSCALE_LONG_LOOPS").is_ok_and(|v| v == "1");
        let keep = std::env::var("QUICKSCALE_LOOP_KEEP").is_ok_and(|v| v == "1");
        let only = std::env::var("QUICKSCALE_LOOP_ONLY")
            .ok()
            .filter(|s| !s.is_empty());
        eprintln!(
            "upgrade interrupt loops: seed {seed} (QUICKSCALE_LOOP_SEED={seed} repeats it), {}",
            if long {
                "every position (QUICKSCALE_LONG_LOOPS=1)"
            } else {
                "a sample (QUICKSCALE_LONG_LOOPS=1 runs every position)"
            }
        );
        Settings {
            seed,
            long,
            only,
            keep,
        }
    })
}

/// The project as the loops compare it: every entry but `.git/` (mode and
/// bytes; `.env` by its keys, since its values are random) and what
/// `git status` says about it, unmerged entries included.
#[derive(Clone, PartialEq, Eq)]
struct Tree {
    entries: BTreeMap<PathBuf, (u32, Vec<u8>)>,
    status: String,
}

impl Tree {
    fn of(root: &Path) -> Tree {
        let mut entries = snapshot_where(root, &|rel| rel != Path::new(".git"));
        if let Some((_, bytes)) = entries.get_mut(Path::new(".env")) {
            *bytes = env_keys(bytes);
        }
        let status = stdout(&git(
            root,
            &[
                "--no-optional-locks",
                "status",
                "--porcelain=v1",
                "--untracked-files=all",
            ],
        ));
        Tree { entries, status }
    }

    /// Every path whose name marks it as the upgrade's own transient file.
    fn leftovers(&self) -> Vec<String> {
        self.entries
            .keys()
            .filter(|path| {
                path.components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with(TRANSIENT))
            })
            .map(|path| path.display().to_string())
            .collect()
    }

    /// What differs from `expected`, a few lines at most, for a failure message.
    fn differences(&self, expected: &Tree) -> String {
        let mut lines = Vec::new();
        for (path, (mode, bytes)) in &self.entries {
            match expected.entries.get(path) {
                None => lines.push(format!("{} is extra", path.display())),
                Some((m, _)) if m != mode => lines.push(format!(
                    "{} has mode {mode:o}, expected {m:o}",
                    path.display()
                )),
                Some((_, b)) if b != bytes => {
                    lines.push(format!("{} has other bytes", path.display()))
                }
                Some(_) => {}
            }
        }
        for path in expected.entries.keys() {
            if !self.entries.contains_key(path) {
                lines.push(format!("{} is missing", path.display()));
            }
        }
        if self.status != expected.status {
            let only_in = |a: &str, b: &str| -> Vec<String> {
                a.lines()
                    .filter(|line| !b.lines().any(|other| other == *line))
                    .map(str::to_owned)
                    .collect()
            };
            lines.push(format!(
                "git status has {:?} where the expected has {:?}",
                only_in(&self.status, &expected.status),
                only_in(&expected.status, &self.status)
            ));
        }
        let total = lines.len();
        lines.truncate(6);
        if total > lines.len() {
            lines.push(format!("and {} more", total - lines.len()));
        }
        lines.join("; ")
    }

    /// Files (not directories) by relative path, for "does a message name a path".
    fn files(&self) -> impl Iterator<Item = &Path> {
        self.entries
            .iter()
            .filter(|(_, (_, bytes))| bytes != b"<dir>")
            .map(|(path, _)| path.as_path())
    }
}

/// The transient files in the project (`.quickscale-*`) and anything beside it.
fn leftovers(root: &Path, tree: &Tree) -> Vec<String> {
    let mut found = tree.leftovers();
    found.extend(beside_the_project(root));
    found
}

/// Whatever the upgrade left beside the project, in the directory holding
/// it, where each case has only the project (and strace's log).
fn beside_the_project(root: &Path) -> Vec<String> {
    let parent = root.parent().unwrap();
    fs::read_dir(parent)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| ![NAME, "strace.log"].contains(&name.as_str()))
        .map(|name| parent.join(name).display().to_string())
        .collect()
}

/// `.env` with every value masked: `KEY=` lines and comments, in order.
fn env_keys(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|line| match line.split_once('=') {
            Some((key, _)) if !line.trim_start().starts_with('#') => format!("{key}=\n"),
            _ => format!("{line}\n"),
        })
        .collect::<String>()
        .into_bytes()
}

/// One system call of a trace: its name, the line strace wrote for it, and
/// when it was made (seconds since the epoch).
struct Call {
    name: String,
    line: String,
    at: f64,
}

/// The scenario every loop upgrades: a committed 0.1.0 project with a team's
/// edits, the tree before and after one uninterrupted upgrade, its exit
/// code, and the system calls that upgrade made itself.
struct Scenario {
    _project: OldProject,
    template: PathBuf,
    before: Tree,
    after: Tree,
    exit: Option<i32>,
    trace: Vec<Call>,
}

impl Scenario {
    /// Where in the traced upgrade the disk changes, as fractions of its
    /// run: from its first state-changing call (not counting opens, which
    /// also read, or the report on stdout and stderr) to its last.
    fn changing_window(&self) -> (f64, f64) {
        let changing: Vec<f64> = self
            .trace
            .iter()
            .filter(|call| {
                STATE_CHANGING.iter().any(|(name, _)| *name == call.name)
                    && !matches!(call.name.as_str(), "open" | "openat")
                    && !writes_output(call)
            })
            .map(|call| call.at)
            .collect();
        let (start, end) = (self.trace[0].at, self.trace[self.trace.len() - 1].at);
        let length = (end - start).max(f64::MIN_POSITIVE);
        match (changing.first(), changing.last()) {
            (Some(first), Some(last)) => ((first - start) / length, (last - start) / length),
            _ => (0.0, 1.0),
        }
    }

    /// How long an uninterrupted upgrade takes here, in microseconds, and a
    /// quarter more: the random signals are spread over it. Only the spread
    /// depends on it; nothing is asserted about time.
    fn span(&self) -> u64 {
        let work = Workspace::new();
        let mut times: Vec<u64> = (0..5)
            .map(|i| {
                let case = work.copy(&self.template, &format!("timing-{i}"));
                let started = Instant::now();
                run(&case, &["upgrade"]);
                started.elapsed().as_micros() as u64
            })
            .collect();
        times.sort_unstable();
        times[2] + times[2] / 4 + 1
    }
}

/// A team's edits such that the upgrade to the next starter takes files
/// (added, updated, deleted, a mode change), merges README.md cleanly,
/// leaves a line conflict in base.py, writes the starter's favicon beside
/// the team's own, creates a directory again for a new file (the team
/// dropped the starter's stylesheet, and its directory with it), and
/// appends POSTGRES_PASSWORD to `.env`.
fn team_edits(project: &OldProject) {
    project.edit(
        "README.md",
        &format!("# {NAME}\n"),
        "# ACME Corp intranet\n",
    );
    project.edit(
        "config/settings/base.py",
        OLD_TIME_ZONE,
        "TIME_ZONE = \"Europe/Madrid\"\n",
    );
    project.edit("config/wsgi.py", "import os\n", "import os  # ours\n");
    fs::write(
        project.path(&format!("{NAME}/static/favicon.ico")),
        b"\x00the team's own icon\xff",
    )
    .unwrap();
    fs::remove_dir_all(project.path(&format!("{NAME}/static/css"))).unwrap();
    fs::create_dir_all(project.path(&format!("{NAME}/blog/migrations"))).unwrap();
    project.write(&format!("{NAME}/blog/models.py"), "# the team's own app\n");
    project.write(&format!("{NAME}/blog/migrations/__init__.py"), "");
}

/// Each test builds its own (a second or two), so that it is removed when
/// the test ends.
fn scenario() -> Scenario {
    settings();
    tool_on_path("strace");
    let project = OldProject::new(NAME);
    team_edits(&project);
    project.commit_all();
    let template = project.root.clone();
    let before = Tree::of(&template);

    // Every kind of outcome is in the plan, or the loops prove less than they say.
    let plan = run(&template, &["upgrade", "--dry-run", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout)
        .unwrap_or_else(|e| panic!("the plan is JSON ({e}): {}", stdout(&plan)));
    let outcomes: Vec<String> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let detail = f["action"].as_str().or(f["reason"].as_str()).unwrap_or("");
            format!("{}/{detail}", f["outcome"].as_str().unwrap())
        })
        .collect();
    for kind in [
        "take/add",
        "take/update",
        "take/delete",
        "merged/",
        "conflict/lines",
        "conflict/binary",
    ] {
        assert!(
            outcomes.iter().any(|o| o == kind),
            "the scenario's plan has {kind}: {outcomes:?}"
        );
    }

    let work = Workspace::new();
    if settings().keep {
        let kept = work.copy(&template, "scenario");
        eprintln!(
            "upgrade interrupt loops: a copy of the scenario project is {}",
            kept.display()
        );
    }
    let case = work.copy(&template, "baseline");
    let output = run(&case, &["upgrade"]);
    let after = Tree::of(&case);
    assert!(after != before, "the upgrade changed nothing");
    assert_eq!(after.leftovers(), Vec::<String>::new(), "{output:?}");
    let beside = PathBuf::from(format!("{NAME}/static/favicon.ico.quickscale-{VERSION}"));
    assert!(after.entries.contains_key(&beside), "{beside:?} is written");
    assert!(
        !before.entries.contains_key(Path::new("acme/static/css"))
            && after
                .entries
                .contains_key(Path::new("acme/static/css/print.css")),
        "the upgrade creates a directory"
    );
    let env = String::from_utf8_lossy(&after.entries[Path::new(".env")].1).into_owned();
    assert!(env.contains("POSTGRES_PASSWORD="), ".env gains it: {env}");
    let exit = output.status.code();
    assert_eq!(exit, Some(1), "a conflict is left: {output:?}");

    // The calls of an uninterrupted upgrade, traced as the loops inject:
    // quickscale's own, not git's (no -f). It must upgrade exactly as
    // without strace.
    let case = work.copy(&template, "trace");
    let trace_file = case.parent().unwrap().join("trace");
    let options = ["-ttt".into(), "-o".into(), trace_file.display().to_string()];
    let traced = traced_upgrade(&case, &options).output().unwrap();
    assert_eq!(traced.status.code(), exit, "under strace: {traced:?}");
    let trace = parse_trace(&fs::read_to_string(&trace_file).unwrap());
    let traced_tree = Tree::of(&case);
    assert!(
        traced_tree == after,
        "under strace the upgrade differs: {}",
        traced_tree.differences(&after)
    );
    let own: Vec<(&str, usize)> = STATE_CHANGING
        .iter()
        .map(|(name, _)| (*name, positions(&trace, name).len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let shown: Vec<String> = own.iter().map(|(name, n)| format!("{n} {name}")).collect();
    eprintln!(
        "upgrade interrupt loops: an upgrade makes {} state-changing calls of its own: {}",
        own.iter().map(|(_, n)| n).sum::<usize>(),
        shown.join(", ")
    );
    Scenario {
        _project: project,
        template,
        before,
        after,
        exit,
        trace,
    }
}

/// Parses `strace -ttt -o` output of one process: one call per line after
/// its time, signals (`--- SIG... ---`) and the exit (`+++ ... +++`) left out.
fn parse_trace(text: &str) -> Vec<Call> {
    text.lines()
        .filter_map(|line| {
            let (at, line) = line.split_once(' ')?;
            let at: f64 = at.parse().ok()?;
            let name = line.split_once('(')?.0;
            let plain =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            plain.then(|| Call {
                name: name.to_owned(),
                line: line.to_owned(),
                at,
            })
        })
        .collect()
}

/// Runs the next-starter quickscale in `root`.
fn run(root: &Path, args: &[&str]) -> Output {
    command(root, args).output().unwrap()
}

/// `strace OPTIONS quickscale upgrade` in `root`: quickscale's own calls
/// only (no -f), with every string argument long enough to hold a path.
fn traced_upgrade(root: &Path, options: &[String]) -> Command {
    let mut command = Command::new(tool_on_path("strace"));
    command
        .args(options)
        .args(["-s", "256"])
        .arg(next_starter_binary())
        .arg("upgrade")
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    command
}

fn command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(next_starter_binary());
    command
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    command
}

/// A new scratch directory, removed on drop unless `QUICKSCALE_LOOP_KEEP=1`.
fn kept_or_temporary(prefix: &str) -> (PathBuf, Option<tempfile::TempDir>) {
    let tmp = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
    if settings().keep {
        (tmp.keep(), None)
    } else {
        (tmp.path().to_owned(), Some(tmp))
    }
}

/// `" (kept in DIR)"` with `QUICKSCALE_LOOP_KEEP=1`, for a failure message.
fn kept(root: &Path) -> String {
    if settings().keep {
        format!(" (kept in {})", root.display())
    } else {
        String::new()
    }
}

/// A scratch directory for one loop: each case is a copy of the template in
/// a directory of its own, removed when the case is done.
struct Workspace {
    dir: PathBuf,
    _removed_on_drop: Option<tempfile::TempDir>,
}

impl Workspace {
    fn new() -> Self {
        let (dir, tmp) = kept_or_temporary("quickscale-loop-case-");
        Workspace {
            dir,
            _removed_on_drop: tmp,
        }
    }

    /// Where a case's copy goes: one directory reused by every case, or
    /// with `QUICKSCALE_LOOP_KEEP=1` one per case, kept.
    fn case(&self, template: &Path, case: &str) -> PathBuf {
        let label = if settings().keep {
            case.replace(['/', ' '], "_")
        } else {
            "case".to_owned()
        };
        self.copy(template, &label)
    }

    /// A copy of the project at `template` (modes, git repository and all),
    /// `<scratch>/<label>/acme`, with git's index refreshed for the copy's
    /// new inodes so that git sees exactly what it saw in the template.
    fn copy(&self, template: &Path, label: &str) -> PathBuf {
        let parent = self.dir.join(label);
        if parent.exists() {
            fs::remove_dir_all(&parent).unwrap();
        }
        fs::create_dir(&parent).unwrap();
        let status = Command::new("cp")
            .arg("-a")
            .arg(template)
            .arg(&parent)
            .status()
            .expect("cp runs");
        assert!(status.success(), "cp -a {}", template.display());
        let root = parent.join(NAME);
        git(&root, &["update-index", "-q", "--refresh"]);
        root
    }
}

/// What a case does to the upgrade: strace's `-e inject=` at the `n`-th call
/// (as strace counts, from 1) of the system call `call`.
struct Inject {
    call: String,
    n: usize,
    action: Action,
}

#[derive(Clone, Copy)]
enum Action {
    Signal(&'static str),
    Error(&'static str),
}

impl Inject {
    fn spec(&self) -> String {
        let what = match self.action {
            Action::Signal(signal) => format!("signal={signal}"),
            Action::Error(errno) => format!("error={errno}"),
        };
        format!("{}:{what}:when={}", self.call, self.n)
    }

    /// strace's options for it, its log (only the calls of that kind) in `log`.
    fn options(&self, log: &Path) -> Vec<String> {
        vec![
            "-o".into(),
            log.display().to_string(),
            "-e".into(),
            format!("trace={}", self.call),
            "-e".into(),
            format!("inject={}", self.spec()),
        ]
    }

    /// The commands that repeat the case: the loop with only this case, and
    /// the strace command it runs in a copy of the scenario project.
    fn repro(&self, test: &str) -> String {
        format!(
            "QUICKSCALE_LOOP_SEED={} QUICKSCALE_LOOP_ONLY='{}' cargo test --test it \
             upgrade_interrupt::{test}, which runs `strace {} quickscale upgrade`",
            settings().seed,
            self.spec(),
            self.options(Path::new("strace.log")).join(" ")
        )
    }

    /// Whether strace's log shows that the injection happened: a run that
    /// makes fewer such calls than the trace did never meets it.
    fn came(&self, log: &str) -> bool {
        match self.action {
            Action::Error(_) => log.contains("(INJECTED)"),
            Action::Signal(signal) => {
                log.contains(&format!(
                    "--- {signal} {{si_signo={signal}, si_code=SI_KERNEL"
                )) || log.contains(&format!("+++ killed by {signal} +++"))
            }
        }
    }
}

/// The calls of `name` that quickscale makes itself, with strace's count
/// for each: the dynamic loader's, before `main`, are left out (an error
/// there is the loader's, not quickscale's, to report).
fn positions<'a>(trace: &'a [Call], name: &str) -> Vec<(usize, &'a Call)> {
    // The loader opens the libraries, then main opens something of its own.
    let own_open = trace
        .iter()
        .position(|call| matches!(call.name.as_str(), "open" | "openat") && !is_loader(call))
        .unwrap_or(trace.len());
    let loader_done = trace[..own_open]
        .iter()
        .rposition(is_loader)
        .map_or(0, |i| i + 1);
    trace
        .iter()
        .enumerate()
        .filter(|(_, call)| call.name == name)
        .enumerate()
        .filter(|(_, (index, _))| *index >= loader_done)
        .map(|(k, (_, call))| (k + 1, call))
        .collect()
}

fn is_loader(call: &Call) -> bool {
    let path = call.line.split('"').nth(1).unwrap_or("");
    matches!(call.name.as_str(), "open" | "openat")
        && (path.starts_with("/etc/ld.so") || path.ends_with(".so") || path.contains(".so."))
}

/// Whether the call writes quickscale's own report or message (stdout,
/// stderr): an error there comes after the upgrade is decided.
fn writes_output(call: &Call) -> bool {
    ["write(1,", "write(2,", "writev(1,", "writev(2,"]
        .iter()
        .any(|prefix| call.line.starts_with(prefix))
}

/// The kinds of call this upgrade makes that can change the disk.
fn classes(scenario: &Scenario) -> Vec<(&'static str, &'static [&'static str])> {
    STATE_CHANGING
        .iter()
        .copied()
        .filter(|(name, _)| !positions(&scenario.trace, name).is_empty())
        .collect()
}

/// `items`, or in a default run about `budget` of them: the first, the last,
/// and a stride through the rest from a seeded offset, so that other seeds
/// reach the others.
fn sample<T: Copy>(items: &[T], budget: usize, random: &mut SplitMix) -> Vec<T> {
    if settings().long || items.len() <= budget {
        return items.to_vec();
    }
    let stride = items.len().div_ceil(budget.max(1));
    let offset = random.below(stride as u64) as usize;
    let mut picked: Vec<usize> = (offset..items.len()).step_by(stride).collect();
    picked.extend([0, items.len() - 1]);
    picked.sort_unstable();
    picked.dedup();
    picked.into_iter().map(|i| items[i]).collect()
}

/// Whether a case's name passes `QUICKSCALE_LOOP_ONLY`.
/// It is a comma-separated list of case names (`openat:signal=SIGKILL:when=151`)
/// or of their first parts (`openat`, `SIGTERM`).
fn wanted(name: &str) -> bool {
    settings().only.as_ref().is_none_or(|only| {
        only.split(',')
            .any(|part| name == part || name.split(':').next() == Some(part))
    })
}

/// One way a case broke the contract.
struct Problem {
    kind: &'static str,
    detail: String,
}

fn problem(kind: &'static str, detail: impl Into<String>) -> Problem {
    Problem {
        kind,
        detail: detail.into(),
    }
}

/// Every case of one loop, the states they left and every failure, reported
/// together at the end rather than at the first.
struct Tally {
    what: &'static str,
    cases: usize,
    states: BTreeMap<String, usize>,
    kinds: BTreeMap<&'static str, usize>,
    failed: Vec<String>,
}

impl Tally {
    fn new(what: &'static str) -> Self {
        Tally {
            what,
            cases: 0,
            states: BTreeMap::new(),
            kinds: BTreeMap::new(),
            failed: Vec::new(),
        }
    }

    fn record(&mut self, case: &str, repro: &str, state: &str, problems: Vec<Problem>) {
        self.cases += 1;
        *self.states.entry(state.to_owned()).or_default() += 1;
        if problems.is_empty() {
            return;
        }
        let mut text = format!("  {case}:\n");
        for p in &problems {
            *self.kinds.entry(p.kind).or_default() += 1;
            writeln!(text, "    {}: {}", p.kind, p.detail).unwrap();
        }
        writeln!(text, "    repeat: {repro}").unwrap();
        self.failed.push(text);
    }

    /// Panics with the counts and the first failures if any case failed.
    fn finish(self) {
        if let Some(message) = self.summary() {
            panic!("{message}");
        }
    }

    /// Prints the counts; the failure message if any case failed (or none
    /// ran, unless QUICKSCALE_LOOP_ONLY chose them).
    fn summary(self) -> Option<String> {
        let seed = settings().seed;
        let states: Vec<String> = self
            .states
            .iter()
            .map(|(state, n)| format!("{n} {state}"))
            .collect();
        eprintln!(
            "{}: {} cases (seed {seed}), {} failed; states the interrupted runs left: {}",
            self.what,
            self.cases,
            self.failed.len(),
            states.join(", ")
        );
        if self.cases == 0 {
            // QUICKSCALE_LOOP_ONLY may name cases of another loop; otherwise
            // a loop without cases proves nothing and must say so.
            return settings()
                .only
                .is_none()
                .then(|| format!("{}: no case ran", self.what));
        }
        if self.failed.is_empty() {
            return None;
        }
        let mut message = format!(
            "{} of {} {} failed (seed {seed}: QUICKSCALE_LOOP_SEED={seed} repeats them; \
             the interrupted runs left {}):\n",
            self.failed.len(),
            self.cases,
            self.what,
            states.join(", ")
        );
        for (kind, n) in &self.kinds {
            writeln!(message, "  {n} {kind}").unwrap();
        }
        writeln!(
            message,
            "The first failures (each in a fresh copy of the scenario project, \
             a committed 0.1.0 project with a team's edits):"
        )
        .unwrap();
        for text in self.failed.iter().take(8) {
            message.push_str(text);
        }
        Some(message)
    }
}

/// "before", "after" or "half-upgraded": where a tree stands.
fn state(scenario: &Scenario, tree: &Tree) -> &'static str {
    if *tree == scenario.before {
        "as before"
    } else if *tree == scenario.after {
        "upgraded"
    } else {
        "in between"
    }
}

fn first_line(output: &Output) -> String {
    let err = stderr(output);
    let out = stdout(output);
    err.lines()
        .chain(out.lines())
        .next()
        .unwrap_or("(nothing printed)")
        .to_owned()
}

/// The end every case must reach: the uninterrupted upgrade's tree and exit
/// code from `output`, the run that finished the job, and nothing transient.
fn check_upgraded(scenario: &Scenario, root: &Path, output: &Output, problems: &mut Vec<Problem>) {
    let tree = Tree::of(root);
    if output.status.code() != scenario.exit {
        problems.push(problem(
            "the plain re-run's exit differs from the uninterrupted upgrade's",
            format!(
                "{:?}, expected {:?}; it said {:?}",
                output.status,
                scenario.exit,
                first_line(output)
            ),
        ));
    }
    let leftovers = leftovers(root, &tree);
    if !leftovers.is_empty() {
        problems.push(problem(
            "the plain re-run left transient files",
            leftovers.join(", "),
        ));
    }
    if tree != scenario.after {
        problems.push(problem(
            "the plain re-run did not give the uninterrupted tree",
            tree.differences(&scenario.after),
        ));
    }
}

/// After a SIGKILL: one plain upgrade recovers (saying so over a journal
/// or a lock) and gives the uninterrupted result. Returns the state the
/// kill left.
fn check_after_kill(scenario: &Scenario, root: &Path, problems: &mut Vec<Problem>) -> String {
    let killed = Tree::of(root);
    let journal = root.join(JOURNAL).exists();
    let lock = root.join(LOCK).exists();
    let rerun = run(root, &["upgrade"]);
    let said = format!("{}{}", stdout(&rerun), stderr(&rerun));
    if journal && !said.lines().any(|line| line.starts_with(RECOVERED)) {
        problems.push(problem(
            "the plain re-run found a journal and did not say `Recovered an interrupted upgrade:`",
            format!("it said {said:?}"),
        ));
    }
    if lock && !said.to_lowercase().contains(TOOK_OVER) {
        problems.push(problem(
            "the plain re-run found a dead holder's lock and did not say it `took over`",
            format!("it said {said:?}"),
        ));
    }
    check_upgraded(scenario, root, &rerun, problems);
    let mut state = state(scenario, &killed).to_owned();
    if journal {
        state.push_str(" with a journal");
    }
    state
}

/// After a SIGINT or SIGTERM: the run died of it (or, for a signal sent from
/// outside, finished before it came) and left the tree as it was or upgraded,
/// nothing else; then a plain upgrade gives the uninterrupted result.
fn check_after_interrupt(
    scenario: &Scenario,
    root: &Path,
    output: &Output,
    signal: i32,
    may_have_finished: bool,
    problems: &mut Vec<Problem>,
) -> String {
    let tree = Tree::of(root);
    let state = state(scenario, &tree);
    let finished =
        may_have_finished && state == "upgraded" && output.status.code() == scenario.exit;
    if output.status.signal() != Some(signal) && !finished {
        problems.push(problem(
            "the interrupted run did not die of the signal",
            format!("{:?}; it said {:?}", output.status, first_line(output)),
        ));
    }
    let leftovers = leftovers(root, &tree);
    if !leftovers.is_empty() {
        problems.push(problem(
            "the interrupted run left transient files",
            leftovers.join(", "),
        ));
    }
    if state == "in between" {
        problems.push(problem(
            "the interrupted run left a half-upgraded tree",
            tree.differences(&scenario.after),
        ));
    }
    let rerun = run(root, &["upgrade"]);
    check_upgraded(scenario, root, &rerun, problems);
    state.to_owned()
}

/// Whether a message names a path: the project's, or one quoted as errors
/// quote them (`'./config'`, `'.'`, `'config/urls.py'`).
fn names_a_path(message: &str, root: &Path) -> bool {
    message.contains(&root.display().to_string())
        || message
            .split('\'')
            .skip(1)
            .step_by(2)
            .any(|quoted| quoted == "." || quoted.contains('/'))
}

/// After an injected error: exit 2 with one line naming a path and the cause
/// and the tree as it was, or the completed upgrade (its exit code, or 2 if
/// only the report could not be written).
fn check_after_error(
    scenario: &Scenario,
    root: &Path,
    output: &Output,
    errno: &str,
    in_output: bool,
    problems: &mut Vec<Problem>,
) -> String {
    let tree = Tree::of(root);
    let state = state(scenario, &tree);
    if let Some(signal) = output.status.signal() {
        problems.push(problem(
            "the run died of a signal",
            format!("signal {signal}; it said {:?}", first_line(output)),
        ));
    }
    let leftovers = leftovers(root, &tree);
    if !leftovers.is_empty() {
        problems.push(problem(
            "the run left transient files",
            leftovers.join(", "),
        ));
    }
    match state {
        "as before" => {
            if output.status.code() != Some(2) {
                problems.push(problem(
                    "the project is as before but the exit is not 2",
                    format!("{:?}; it said {:?}", output.status, first_line(output)),
                ));
            }
            let err = stderr(output);
            let named = names_a_path(&err, root)
                || scenario
                    .after
                    .files()
                    .chain(scenario.before.files())
                    .any(|file| err.contains(&file.display().to_string()));
            if err.lines().count() != 1
                || !err.starts_with("error: ")
                || !err.contains(cause(errno))
                || !named
            {
                problems.push(problem(
                    "the error is not one `error:` line naming a path and the cause",
                    format!("expected {:?} and a path in {err:?}", cause(errno)),
                ));
            }
        }
        "upgraded" => {
            let honest = output.status.code() == scenario.exit
                || (in_output && output.status.code() == Some(2));
            if !honest {
                problems.push(problem(
                    "the upgrade completed but the exit differs from the uninterrupted one",
                    format!("{:?}; it said {:?}", output.status, first_line(output)),
                ));
            }
        }
        _ => problems.push(problem(
            "the run left a half-upgraded tree",
            format!(
                "{:?}, {:?}; {}",
                output.status,
                first_line(output),
                tree.differences(&scenario.after)
            ),
        )),
    }
    state.to_owned()
}

/// Injects `action(call, n)` at sampled positions of every state-changing
/// kind of call (about `budget` a kind in a default run), each in a fresh
/// copy, and checks the result with `check`.
fn sweep(
    test: &str,
    what: &'static str,
    budget: usize,
    action: impl Fn(&[&'static str], usize) -> Action,
    check: impl Fn(&Scenario, &Path, &Output, &Inject, &Call, &mut Vec<Problem>) -> String,
) {
    let scenario = &scenario();
    let mut random = SplitMix(settings().seed ^ what.len() as u64);
    let work = Workspace::new();
    let mut tally = Tally::new(what);
    for (name, errnos) in classes(scenario) {
        for (n, call) in sample(&positions(&scenario.trace, name), budget, &mut random) {
            let inject = Inject {
                call: name.to_owned(),
                n,
                action: action(errnos, n),
            };
            let case = inject.spec();
            if !wanted(&case) {
                continue;
            }
            let root = work.case(&scenario.template, &case);
            let log = root.with_file_name("strace.log");
            let output = traced_upgrade(&root, &inject.options(&log))
                .output()
                .unwrap();
            let mut problems = Vec::new();
            if !inject.came(&fs::read_to_string(&log).unwrap_or_default()) {
                problems.push(problem(
                    "strace never injected it (the upgrade made fewer such calls than when traced)",
                    format!("{:?}; it said {:?}", output.status, first_line(&output)),
                ));
            }
            let state = check(scenario, &root, &output, &inject, call, &mut problems);
            tally.record(
                &format!(
                    "{case} (the call was `{}`){}",
                    truncate(&call.line),
                    kept(&root)
                ),
                &inject.repro(test),
                &state,
                problems,
            );
        }
    }
    tally.finish();
}

fn truncate(line: &str) -> String {
    if line.len() <= 120 {
        return line.to_owned();
    }
    let mut end = 117;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &line[..end])
}

#[test]
fn the_scenario_upgrades_alike_with_and_without_strace() {
    let scenario = &scenario();
    assert!(
        !classes(scenario).is_empty(),
        "the trace shows no state-changing call"
    );
    for name in ["openat", "write"] {
        assert!(
            !positions(&scenario.trace, name).is_empty(),
            "an upgrade makes {name} calls of its own"
        );
    }
}

#[test]
fn a_kill_at_any_call_then_one_plain_upgrade_gives_the_uninterrupted_tree() {
    sweep(
        "a_kill_at_any_call_then_one_plain_upgrade_gives_the_uninterrupted_tree",
        "SIGKILLs at a system call",
        if settings().long { usize::MAX } else { 16 },
        |_, _| Action::Signal("SIGKILL"),
        |scenario, root, _, _, _, problems| check_after_kill(scenario, root, problems),
    );
}

#[test]
fn sigint_at_any_call_rolls_back_or_finishes_then_dies_of_it() {
    sweep(
        "sigint_at_any_call_rolls_back_or_finishes_then_dies_of_it",
        "SIGINTs at a system call",
        if settings().long { usize::MAX } else { 8 },
        |_, _| Action::Signal("SIGINT"),
        |scenario, root, output, _, _, problems| {
            check_after_interrupt(scenario, root, output, libc::SIGINT, false, problems)
        },
    );
}

#[test]
fn a_write_error_at_any_call_leaves_the_project_as_it_was_or_upgraded() {
    sweep(
        "a_write_error_at_any_call_leaves_the_project_as_it_was_or_upgraded",
        "write errors at a system call",
        if settings().long { usize::MAX } else { 12 },
        |errnos, n| Action::Error(errnos[n % errnos.len()]),
        |scenario, root, output, inject, call, problems| {
            let Action::Error(errno) = inject.action else {
                unreachable!("the sweep injects errors")
            };
            check_after_error(scenario, root, output, errno, writes_output(call), problems)
        },
    );
}

/// SIGKILL, SIGINT and SIGTERM sent from outside at seeded random moments
/// of a plain upgrade (not under strace): half spread over its whole run,
/// half over the part of it where the traced upgrade changed the disk; to
/// the process alone, or (SIGINT, SIGTERM) to its process group as a
/// terminal's Ctrl-C.
#[test]
fn signals_at_random_moments_leave_a_project_one_plain_upgrade_completes() {
    let scenario = &scenario();
    let work = Workspace::new();
    let (from, to) = scenario.changing_window();
    let runs = if settings().long { 300 } else { 30 };
    let mut failures = Vec::new();
    for (signal, label) in [
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGTERM, "SIGTERM"),
    ] {
        let what = match signal {
            libc::SIGKILL => "SIGKILLs at random moments",
            libc::SIGINT => "SIGINTs at random moments",
            _ => "SIGTERMs at random moments",
        };
        let mut random = SplitMix(settings().seed ^ signal as u64);
        let mut tally = Tally::new(what);
        let (mut span, mut window) = (0, (0, 0));
        for run in 0..runs {
            // Measured again now and then: how fast an upgrade runs here
            // changes with what else the machine is doing.
            if run % 25 == 0 {
                span = scenario.span();
                let at = |fraction: f64| (fraction * span as f64) as u64;
                window = (at(from), at(to).max(at(from)));
                eprintln!(
                    "{what}: up to {span} µs into a run, half of them between {} and {} µs, \
                     where the traced upgrade changed the disk",
                    window.0, window.1
                );
            }
            // Half the moments anywhere in the run, half where it changes the disk.
            let delay = if run % 2 == 0 {
                random.below(span)
            } else {
                window.0 + random.below(window.1 - window.0 + 1)
            };
            // Every other pair of runs signals the whole process group, as
            // Ctrl-C in a shell does: a git that upgrade runs gets it too,
            // and cleans up after itself. Not SIGKILL: a git killed while it
            // writes its index leaves git's own lock (`.git/index.lock`),
            // which is not upgrade's to remove.
            let group = signal != libc::SIGKILL && (run / 2) % 2 == 1;
            let case = format!("{label}:run={run}");
            if !wanted(&case) {
                continue;
            }
            let shown = format!(
                "{case} (to the {} after {delay} µs)",
                if group { "process group" } else { "process" }
            );
            let root = work.case(&scenario.template, &case);
            let child = command(&root, &["upgrade"])
                .process_group(0)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_micros(delay));
            let pid = child.id() as libc::pid_t;
            // SAFETY: kill on our own child's pid, which wait below has not
            // reaped, or on the process group it leads.
            unsafe { libc::kill(if group { -pid } else { pid }, signal) };
            let output = child.wait_with_output().unwrap();
            let mut problems = Vec::new();
            let state = if signal == libc::SIGKILL {
                check_after_kill(scenario, &root, &mut problems)
            } else {
                check_after_interrupt(scenario, &root, &output, signal, true, &mut problems)
            };
            let repro = format!(
                "QUICKSCALE_LOOP_SEED={} QUICKSCALE_LOOP_ONLY='{case}' cargo test --test it \
                 upgrade_interrupt::signals_at_random_moments (the moment follows the seed and \
                 how long an upgrade takes here, so it is near but not exactly the same)",
                settings().seed
            );
            tally.record(&format!("{shown}{}", kept(&root)), &repro, &state, problems);
        }
        failures.extend(tally.summary());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The quickscale process strace started, once the injected SIGSTOP has
/// stopped it (strace's log says so: a tracee also shows as stopped at each
/// traced call, so its state alone would not do); None if strace ended first.
/// Given up on, both are killed, so that waiting for strace cannot hang.
fn stopped_child(strace: &mut Child, log: &Path) -> Option<libc::pid_t> {
    let children = format!("/proc/{0}/task/{0}/children", strace.id());
    let tracee = || -> Option<libc::pid_t> {
        fs::read_to_string(&children)
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    // A guard against a hang, not a timed assertion: the pause comes within
    // the run of one upgrade, far less than this.
    let give_up = Instant::now() + Duration::from_secs(120);
    while Instant::now() < give_up {
        if strace.try_wait().unwrap().is_some() {
            return None;
        }
        let log = fs::read_to_string(log).unwrap_or_default();
        if log.contains("--- stopped by SIGSTOP ---") {
            if let Some(pid) = tracee() {
                return Some(pid);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if let Some(pid) = tracee() {
        // SAFETY: kill on the pid of our own strace's child.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    strace.kill().unwrap();
    None
}

/// Where to pause a first upgrade while it holds the lock: the first file it
/// opens after creating the lock (by then the lock holds its pid, whether it
/// was written in place or beside and renamed), and the middle rename of
/// the ones after it (mid-way through the changes).
fn pauses_under_lock(scenario: &Scenario) -> Result<Vec<Inject>, String> {
    let trace = &scenario.trace;
    let locked = trace
        .iter()
        .position(|call| {
            matches!(
                call.name.as_str(),
                "open"
                    | "openat"
                    | "creat"
                    | "link"
                    | "linkat"
                    | "rename"
                    | "renameat"
                    | "renameat2"
            ) && call.line.contains(LOCK)
        })
        .ok_or_else(|| {
            format!(
                "the upgrade takes no lock: no call of its trace creates {LOCK} ({} calls traced)",
                trace.len()
            )
        })?;
    let nth = |index: usize| {
        let name = &trace[index].name;
        let n = trace[..=index].iter().filter(|c| &c.name == name).count();
        Inject {
            call: name.clone(),
            n,
            action: Action::Signal("SIGSTOP"),
        }
    };
    let opened = (locked + 1..trace.len())
        .find(|&i| trace[i].name == "openat")
        .ok_or("the upgrade opens nothing after taking the lock")?;
    let mut pauses = vec![nth(opened)];
    let renames: Vec<usize> = (locked + 1..trace.len())
        .filter(|&i| trace[i].name.starts_with("rename"))
        .collect();
    if let Some(&middle) = renames.get(renames.len() / 2) {
        pauses.push(nth(middle));
    }
    Ok(pauses)
}

#[test]
fn a_second_upgrade_refuses_while_the_first_holds_the_lock_and_a_dead_holder_is_taken_over() {
    let scenario = &scenario();
    let pauses = pauses_under_lock(scenario).unwrap_or_else(|e| panic!("{e}"));
    let work = Workspace::new();
    let mut tally = Tally::new("paused holders of the lock");
    for pause in pauses {
        let root = work.case(&scenario.template, &pause.spec());
        let log = root.with_file_name("strace.log");
        let mut strace = traced_upgrade(&root, &pause.options(&log))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut problems = Vec::new();
        let state = match stopped_child(&mut strace, &log) {
            None => {
                problems.push(problem(
                    "the first upgrade never paused",
                    format!("{:?}", strace.wait()),
                ));
                "not paused".to_owned()
            }
            Some(pid) => {
                let holder = fs::read_to_string(root.join(LOCK)).unwrap_or_default();
                if holder.trim() != pid.to_string() {
                    problems.push(problem(
                        "the lock does not hold the holder's pid",
                        format!("{LOCK} holds {holder:?}, the holder is {pid}"),
                    ));
                }
                let held = Tree::of(&root);
                let second = run(&root, &["upgrade"]);
                let err = stderr(&second);
                if second.status.code() != Some(2) || !err.contains(&pid.to_string()) {
                    problems.push(problem(
                        "a second upgrade did not refuse with exit 2 naming the holder's pid",
                        format!("{:?}, stderr {err:?}, the holder is {pid}", second.status),
                    ));
                }
                let after_second = Tree::of(&root);
                if after_second != held {
                    problems.push(problem(
                        "a second upgrade wrote while the first held the lock",
                        after_second.differences(&held),
                    ));
                }
                // SAFETY: kill on the pid of our own strace's child, stopped, not reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                strace.wait().unwrap();
                let lock = root.join(LOCK).exists();
                if !lock {
                    problems.push(problem(
                        "the killed holder left no lock to take over",
                        format!("{} does not exist", root.join(LOCK).display()),
                    ));
                }
                check_after_kill(scenario, &root, &mut problems)
            }
        };
        tally.record(
            &format!("{}{}", pause.spec(), kept(&root)),
            &pause.repro("a_second_upgrade_refuses_while_the_first_holds_the_lock_and_a_dead_holder_is_taken_over"),
            &state,
            problems,
        );
    }
    tally.finish();
}
