//! Starters for upgrade tests: a project exactly as quickscale 0.1.0 wrote it,
//! and a quickscale whose starter is 0.1.0 plus a known set of changes (the
//! "next release"), so that every upgrade case has a real base and a real
//! newer starter whatever the repository's own starter becomes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use quickscale::names::project_names;
use quickscale::render::{render, Values};
use quickscale::starter::{self, top_level_modules};

use super::{copy_tree, repo_root, ScratchWorkspace};

/// What every project made by quickscale 0.1.0 records as its starter.
pub const V0_1_0_DIGEST: &str =
    "sha256:ffafdf6f6ab2d96069587a001ea875484f46f75efd9f3d56043842cd51ed328d";

/// The manifest the real 0.1.0 binary wrote for a project named `name`.
pub fn real_0_1_0_manifest(name: &str) -> String {
    let path = repo_root().join(format!("tests/it/fixtures/0.1.0/{name}.quickscale.toml"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes the project `name` under `parent` as quickscale 0.1.0 wrote it:
/// every file re-rendered from the history compiled into quickscale, the
/// manifest the real 0.1.0 binary wrote (fixtures/0.1.0/), and a `.env`.
pub fn project_0_1_0(parent: &Path, name: &str) -> PathBuf {
    let base = starter::by_digest(V0_1_0_DIGEST).expect("0.1.0 is in the history");
    let names = project_names(name, &top_level_modules()).unwrap();
    let root = parent.join(name);
    for file in render(base, &Values::for_names(&names)) {
        let path = root.join(&file.path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &file.bytes).unwrap();
        let mode = if file.executable { 0o755 } else { 0o644 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }
    fs::write(root.join(".quickscale.toml"), real_0_1_0_manifest(name)).unwrap();
    fs::write(root.join(".env"), "DJANGO_SECRET_KEY=made-by-the-test\n").unwrap();
    root
}

/// Writes the project `name` under `parent` as quickscale `version` wrote
/// it: every file rendered from that release's starter in the history, its
/// manifest (that version, that starter, the hash of every file), and a
/// `.env` with every secret that release generated.
pub fn project_made_by(parent: &Path, name: &str, version: &str) -> PathBuf {
    let base = starter::HISTORY
        .values()
        .find(|s| s.version == version)
        .unwrap_or_else(|| panic!("{version} is in the history"));
    let names = project_names(name, &top_level_modules()).unwrap();
    let values = Values::for_names(&names);
    let root = parent.join(name);
    let files = render(base, &values);
    for file in &files {
        let path = root.join(&file.path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &file.bytes).unwrap();
        let mode = if file.executable { 0o755 } else { 0o644 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }
    let manifest = quickscale::manifest::Manifest {
        quickscale_version: version.to_owned(),
        starter_digest: base.digest.to_owned(),
        variables: values
            .pairs()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        modules: Vec::new(),
        files: files
            .iter()
            .map(|f| (f.path.clone(), quickscale::text::content_hash(&f.bytes)))
            .collect(),
        conflicts: Vec::new(),
    };
    fs::write(root.join(".quickscale.toml"), manifest.to_toml()).unwrap();
    fs::write(
        root.join(".env"),
        "DJANGO_SECRET_KEY=made-by-the-test\nPOSTGRES_PASSWORD=made-by-the-test\n",
    )
    .unwrap();
    root
}

/// A line the next starter appends to README.md.
pub const NEXT_README_SECTION: &str =
    "## New in the next starter\n\nA section the next release adds.\n";
/// The line the next starter appends to config/urls.py.
pub const NEXT_URLS_LINE: &str = "# New in the next starter.\n";
/// The 0.1.0 line of config/settings/base.py the next starter changes.
pub const OLD_TIME_ZONE: &str = "TIME_ZONE = \"UTC\"\n";
pub const NEXT_TIME_ZONE: &str = "TIME_ZONE = env.str(\"DJANGO_TIME_ZONE\", default=\"UTC\")\n";
/// A file only the next starter has, with CRLF line endings.
pub const NEXT_CRLF_FILE: &str = "@PACKAGE_NAME@/static/css/print.css";
pub const NEXT_CRLF_TEXT: &str = "@media print {\r\n  nav { display: none; }\r\n}\r\n";

/// A quickscale binary whose starter is 0.1.0 with these changes:
/// - README.md gains a section at its end;
/// - config/urls.py gains a last line;
/// - config/settings/base.py reads TIME_ZONE from the environment;
/// - `<package>/core/signals.py` and a CRLF `print.css` are new;
/// - config/asgi.py is removed;
/// - favicon.ico's bytes change (binary);
/// - uv.lock changes (a lock file);
/// - gunicorn.conf.py becomes executable (a mode-only change).
///
/// Built once per test run.
pub fn next_starter_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let scratch = ScratchWorkspace::new();
        let starter = scratch.starter();
        fs::remove_dir_all(&starter).unwrap();
        copy_tree(&repo_root().join("history/0.1.0"), &starter);
        let edit = |rel: &str, change: &dyn Fn(String) -> String| {
            let path = starter.join(rel);
            let before = fs::read_to_string(&path).unwrap();
            let after = change(before.clone());
            assert_ne!(after, before, "the edit of {rel} changes it");
            fs::write(&path, after).unwrap();
        };
        edit("README.md", &|text| {
            format!("{text}\n{NEXT_README_SECTION}")
        });
        edit("config/urls.py", &|text| format!("{text}{NEXT_URLS_LINE}"));
        edit("config/settings/base.py", &|text| {
            text.replace(OLD_TIME_ZONE, NEXT_TIME_ZONE)
        });
        edit("uv.lock", &|text| {
            format!("{text}# regenerated by the next starter\n")
        });
        fs::write(
            starter.join("@PACKAGE_NAME@/core/signals.py"),
            "\"\"\"Signal handlers of @PACKAGE_NAME@.\"\"\"\n",
        )
        .unwrap();
        fs::write(starter.join(NEXT_CRLF_FILE), NEXT_CRLF_TEXT).unwrap();
        fs::remove_file(starter.join("config/asgi.py")).unwrap();
        let icon = starter.join("@PACKAGE_NAME@/static/favicon.ico");
        let mut bytes = fs::read(&icon).unwrap();
        bytes.extend_from_slice(b"\x00next\xff");
        fs::write(&icon, bytes).unwrap();
        let gunicorn = starter.join("gunicorn.conf.py");
        fs::set_permissions(&gunicorn, fs::Permissions::from_mode(0o755)).unwrap();

        let built = scratch.build().expect("the next starter builds");
        let keep = repo_root().join("target/scratch/quickscale-next-starter");
        super::copy_executable(&built, &keep);
        keep
    })
}

/// A project made by quickscale 0.1.0 in its own temporary directory, and
/// the next-starter binary to run on it.
pub struct OldProject {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl OldProject {
    pub fn new(name: &str) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = project_0_1_0(tmp.path(), name);
        OldProject { _tmp: tmp, root }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        fs::write(self.path(rel), text).unwrap();
    }

    /// Replaces `from` with `to` in `rel`, which must contain it.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} holds {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs the next-starter quickscale in the project directory.
    pub fn next(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(next_starter_binary())
            .args(args)
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap()
    }

    /// Like [`Self::next`], asserting that the project is byte-identical afterwards.
    pub fn next_read_only(&self, args: &[&str]) -> std::process::Output {
        let before = super::snapshot(&self.root);
        let output = self.next(args);
        pretty_assertions::assert_eq!(super::snapshot(&self.root), before, "{args:?} wrote");
        output
    }

    /// `git init` and a first commit of everything.
    pub fn commit_all(&self) {
        super::git(&self.root, &["init", "-q"]);
        super::git(&self.root, &["add", "-A"]);
        super::git(&self.root, &["commit", "-q", "-m", "project"]);
    }
}
