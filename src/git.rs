#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "runs git: which paths hold uncommitted or unmerged changes, and the conflicts registered in its index"
)]
//! What quickscale asks of git, and tells it.
//!
//! - Which of a set of paths have uncommitted changes: `upgrade` refuses to
//!   write over them, so that `git diff` afterwards shows exactly what the
//!   upgrade did and nothing of the owner's work can be lost.
//! - Which paths are still unmerged, and registering an upgrade's conflicts as
//!   unmerged index entries (stage 1 base, 2 yours, 3 theirs), as `git merge`
//!   does, so that `git status`, `git mergetool` and `git commit` see them.
//!
//! Honestly: a project inside a git work tree where git is missing, refuses
//! to run (a "dubious ownership" repository) or fails is an error that says
//! so, never a check skipped in silence.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::error::{Error, Result};
use crate::git_index::{self, Format, Verdict, Worktree};

/// A git work tree holding the project.
#[derive(Debug, Clone)]
pub struct Repo {
    dir: PathBuf,
    /// The project's path from the work tree's top, `""` or `sub/dir/`: the
    /// index names files from the top.
    prefix: String,
    /// The index file (`git rev-parse --git-path index`, which follows
    /// `GIT_INDEX_FILE` and linked work trees) and the object format, when
    /// git named both: what lets the dirty check read the index itself.
    index: Option<(PathBuf, Format)>,
    /// HEAD's tree (`git rev-parse HEAD^{tree}`); None before the first
    /// commit. Where the index's cached tree is this one, the index holds
    /// exactly HEAD's entries.
    head_tree: Option<Vec<u8>>,
}

/// The work tree holding `dir`, or None when there is none: no `.git` in
/// `dir` or above. Where there is one, git must answer: a missing or failing
/// git is an error naming what failed.
pub fn repo(dir: &Path) -> Result<Option<Repo>> {
    ask_repo(dir).answer()
}

/// [`repo`]'s question, asked now and answered later: `upgrade` starts git
/// before it plans, so that git's start-up overlaps the planning.
pub fn ask_repo(dir: &Path) -> RepoQuestion {
    let asked = find_dot_git(dir).map(|dot_git| {
        let child = Command::new("git")
            .args([
                "rev-parse",
                "--is-inside-work-tree",
                "--show-prefix",
                "--git-path",
                "index",
                "--show-object-format",
                // Prints nothing before the first commit, where HEAD names no tree.
                "--revs-only",
                "HEAD^{tree}",
            ])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        (dot_git, child)
    });
    RepoQuestion {
        dir: dir.to_path_buf(),
        asked,
    }
}

/// A `git rev-parse` under way; see [`ask_repo`]. Dropped unanswered (an
/// upgrade with nothing to do), it stops git, so that no process outlives
/// the question and nothing waits for an answer no one reads.
#[derive(Debug)]
pub struct RepoQuestion {
    dir: PathBuf,
    /// The `.git` found, and git started there; None outside a work tree.
    asked: Option<(PathBuf, std::io::Result<Child>)>,
}

impl RepoQuestion {
    /// What git answered; see [`repo`].
    pub fn answer(mut self) -> Result<Option<Repo>> {
        let Some((dot_git, child)) = self.asked.take() else {
            return Ok(None);
        };
        let dir = &self.dir;
        let output = child.and_then(Child::wait_with_output).map_err(|e| {
            Error::new(format!(
                "'{}' is in a git repository ({}), but git cannot be run: {e}; install git, or \
                 pass --allow-dirty to upgrade without asking git what is uncommitted",
                dir.display(),
                dot_git.display()
            ))
        })?;
        if !output.status.success() {
            return Err(Error::new(format!(
                "'{}' is in a git repository ({}), but git refused to answer: {}; fix the repository \
                 (for \"dubious ownership\", `git config --global --add safe.directory <dir>`), or \
                 pass --allow-dirty to upgrade without asking git",
                dir.display(),
                dot_git.display(),
                first_line(&output.stderr)
            )));
        }
        Ok(from_rev_parse(
            dir,
            &String::from_utf8_lossy(&output.stdout),
        ))
    }
}

impl Drop for RepoQuestion {
    fn drop(&mut self) {
        if let Some((_, Ok(mut child))) = self.asked.take() {
            // rev-parse only reads: stopping it part-way changes nothing.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The work tree that `repo`'s `git rev-parse`, run in `dir`, printed; None
/// for a bare repository or the inside of .git: no work tree to protect.
fn from_rev_parse(dir: &Path, text: &str) -> Option<Repo> {
    let mut lines = text.lines();
    if lines.next() != Some("true") {
        return None;
    }
    let prefix = lines.next().unwrap_or("").to_owned();
    // An older git than 2.29 prints `--show-object-format` back: then git
    // answers every question itself.
    let index = match (lines.next(), lines.next().and_then(Format::parse)) {
        (Some(path), Some(format)) if !path.is_empty() => Some((dir.join(path), format)),
        _ => None,
    };
    let head_tree = lines.next().and_then(git_index::hex_decode);
    Some(Repo {
        dir: dir.to_path_buf(),
        prefix,
        index,
        head_tree,
    })
}

/// The nearest `.git` (directory, or file for a worktree or submodule) in
/// `dir` or above.
fn find_dot_git(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    start
        .ancestors()
        .map(|at| at.join(".git"))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_ok())
}

impl Repo {
    /// The paths among `paths` (relative to the project, each with what the
    /// work tree holds there) that differ from the last commit, in the work
    /// tree or staged, are unmerged, or that git does not track yet.
    ///
    /// Most paths are decided from the index and HEAD's tree alone
    /// ([`git_index::verdict`]): reading the index here costs a few
    /// milliseconds where any git command that answers the question matches
    /// every entry of the index against every pathspec. git itself is asked
    /// only about the paths that needs it, with the same porcelain questions.
    pub fn uncommitted(&self, paths: &[(String, Worktree)]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let (mut dirty, ask) = match self.decide_from_index(paths)? {
            Some(decided) => decided,
            None => (Vec::new(), paths.iter().map(|(p, _)| p.clone()).collect()),
        };
        dirty.extend(self.uncommitted_by_git(&ask)?);
        dirty.sort();
        dirty.dedup();
        Ok(dirty)
    }

    /// The paths certainly uncommitted, and those only git can decide; None
    /// when the index cannot be read here (git decides everything then).
    fn decide_from_index(
        &self,
        paths: &[(String, Worktree)],
    ) -> Result<Option<(Vec<String>, Vec<String>)>> {
        let Some((index_path, format)) = &self.index else {
            return Ok(None);
        };
        // A missing or unreadable index, or one this reader does not read
        // exactly: git reads it.
        let Some(bytes) = MappedFile::open(index_path) else {
            return Ok(None);
        };
        let full: Vec<String> = paths
            .iter()
            .map(|(p, _)| format!("{}{p}", self.prefix))
            .collect();
        let wanted = full.iter().map(String::as_str).collect();
        let Some(git_index::Read { entries, tree }) =
            git_index::read(bytes.bytes(), *format, &wanted)
        else {
            return Ok(None);
        };
        let head = match (&self.head_tree, tree) {
            // The index is HEAD's tree, as after a commit or a reset: its
            // entries are HEAD's, and git need not be started to list them.
            (Some(head), Some(tree)) if *head == tree => paths
                .iter()
                .zip(&full)
                .filter_map(|((path, _), full)| {
                    let entry = entries.get(full)?.iter().find(|e| e.stage == 0)?;
                    Some((path.clone(), git_index::Tracked::of(entry)))
                })
                .collect(),
            _ => match self.head_entries(paths, *format)? {
                Some(head) => head,
                None => return Ok(None),
            },
        };
        let (mut dirty, mut ask) = (Vec::new(), Vec::new());
        for ((path, worktree), full) in paths.iter().zip(&full) {
            let staged = entries.get(full).map(Vec::as_slice).unwrap_or_default();
            match git_index::verdict(*format, head.get(path), staged, *worktree) {
                Verdict::Clean => {}
                Verdict::Dirty => dirty.push(path.clone()),
                Verdict::AskGit => ask.push(path.clone()),
            }
        }
        Ok(Some((dirty, ask)))
    }

    /// HEAD's entries for `paths`, from `git ls-tree` (which reads trees, not
    /// the index); None before the first commit or for output this reader
    /// does not read exactly: git decides everything then.
    fn head_entries(
        &self,
        paths: &[(String, Worktree)],
        format: Format,
    ) -> Result<Option<BTreeMap<String, git_index::Tracked>>> {
        let specs: Vec<String> = paths.iter().map(|(p, _)| p.clone()).collect();
        let listed = match self.run(
            &["--literal-pathspecs", "ls-tree", "-r", "-z", "HEAD", "--"],
            &specs,
        ) {
            Ok(listed) => listed,
            Err(_) if !self.has_head()? => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(git_index::parse_ls_tree(&listed, format))
    }

    /// git's own answer for `paths`: porcelain `git diff HEAD` (which
    /// refreshes stale stat information first, so a touched file is not
    /// reported), `git diff --cached HEAD` (staged, even where the work tree
    /// was changed back) and the untracked files, or `git status` before the
    /// first commit.
    fn uncommitted_by_git(&self, paths: &[String]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        // `:(literal)` so that no path is read as a glob.
        let specs: Vec<String> = paths.iter().map(|p| format!(":(literal){p}")).collect();
        let changed = match self.changed_since_head(false, &specs) {
            Ok(out) => out,
            // No commit yet: everything in the tree is uncommitted.
            Err(_) if !self.has_head()? => self
                .run(
                    &[
                        "status",
                        "--porcelain=v1",
                        "-z",
                        "--untracked-files=all",
                        "--",
                    ],
                    &specs,
                )?
                .split(|b| *b == 0)
                .filter(|record| record.len() > 3)
                .flat_map(|record| record[3..].iter().copied().chain([0]))
                .collect(),
            Err(e) => return Err(e),
        };
        // Staged changes too, where the work tree was changed back since.
        let staged = match self.has_head()? {
            true => self.changed_since_head(true, &specs)?,
            false => Vec::new(),
        };
        let untracked = self.run(
            &["ls-files", "--others", "--exclude-standard", "-z", "--"],
            &specs,
        )?;
        Ok(sorted_paths(&[changed, staged, untracked]))
    }

    /// `git diff --name-only HEAD` of `specs`: the work tree's changes, or
    /// with `cached` the index's. Porcelain `git diff` refreshes stale stat
    /// information first.
    fn changed_since_head(&self, cached: bool, specs: &[String]) -> Result<Vec<u8>> {
        let mut args = vec!["diff"];
        if cached {
            args.push("--cached");
        }
        args.extend([
            "--name-only",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--relative",
            "HEAD",
            "--",
        ]);
        self.run(&args, specs)
    }

    /// The paths among `paths` that git's index holds as unmerged.
    pub fn unmerged(&self, paths: &[String]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let specs: Vec<String> = paths.iter().map(|p| format!(":(literal){p}")).collect();
        let listed = self.run(&["ls-files", "--unmerged", "-z", "--"], &specs)?;
        // Records are `mode sha stage\tpath`.
        let names: Vec<u8> = listed
            .split(|b| *b == 0)
            .filter_map(|record| {
                record
                    .iter()
                    .position(|b| *b == b'\t')
                    .map(|t| &record[t + 1..])
            })
            .flat_map(|path| path.iter().copied().chain([0]))
            .collect();
        Ok(sorted_paths(&[names]))
    }

    /// Stores `bytes` as a blob in the repository; its object name.
    pub fn store_blob(&self, bytes: &[u8]) -> Result<String> {
        let out = run_with_input(&self.dir, &["hash-object", "-w", "--stdin"], bytes)?;
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// The `--index-info` lines that make `path` (relative to the project)
    /// unmerged with these stages: `(stage, executable, blob)`.
    pub fn unmerged_lines(&self, path: &str, stages: &[(u8, bool, String)]) -> Vec<String> {
        let full = format!("{}{path}", self.prefix);
        // The null object name, as long as the repository's object names.
        let zero = match &self.index {
            Some((_, Format::Sha256)) => "0".repeat(64),
            _ => "0".repeat(40),
        };
        let mut lines = vec![format!("0 {zero} 0\t{full}")];
        for (stage, executable, blob) in stages {
            let mode = if *executable { "100755" } else { "100644" };
            lines.push(format!("{mode} {blob} {stage}\t{full}"));
        }
        lines
    }

    fn has_head(&self) -> Result<bool> {
        Ok(Command::new("git")
            .args(["rev-parse", "--verify", "--quiet", "HEAD"])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| cannot_run(&self.dir, &e))?
            .success())
    }

    fn run(&self, args: &[&str], specs: &[String]) -> Result<Vec<u8>> {
        let output = Command::new("git")
            .args(args)
            .args(specs)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| cannot_run(&self.dir, &e))?;
        if !output.status.success() {
            let what = args
                .iter()
                .find(|a| !a.starts_with('-'))
                .unwrap_or(&args[0]);
            return Err(failed(what, &self.dir, &output));
        }
        Ok(output.stdout)
    }
}

/// Feeds `lines` (from [`Repo::unmerged_lines`]) to `git update-index
/// --index-info` in `dir`, the project's directory.
pub fn update_index(dir: &Path, lines: &[&str]) -> Result<()> {
    let mut input = lines.join("\n");
    input.push('\n');
    run_with_input(dir, &["update-index", "--index-info"], input.as_bytes()).map(|_| ())
}

fn run_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| cannot_run(dir, &e))?;
    // A git that stopped reading has failed, and its status and stderr say
    // why better than the broken pipe would; otherwise the write itself
    // failed, and git got only part of its input. (stdin is piped, so it is
    // there; dropping it closes git's input.)
    let written = child
        .stdin
        .take()
        .map_or(Ok(()), |mut stdin| stdin.write_all(input));
    let output = child.wait_with_output().map_err(|e| cannot_run(dir, &e))?;
    if !output.status.success() {
        return Err(failed(args[0], dir, &output));
    }
    if let Err(e) = written {
        return Err(Error::new(format!(
            "could not give git {} its input in '{}': {e}; run the command again",
            args[0],
            dir.display()
        )));
    }
    Ok(output.stdout)
}

fn sorted_paths(lists: &[Vec<u8>]) -> Vec<String> {
    let mut paths: Vec<String> = lists
        .iter()
        .flat_map(|list| list.split(|b| *b == 0))
        .filter(|path| !path.is_empty())
        .map(|path| String::from_utf8_lossy(path).into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn cannot_run(dir: &Path, err: &std::io::Error) -> Error {
    Error::new(format!(
        "cannot run git in '{}': {err}; install git, or pass --allow-dirty",
        dir.display()
    ))
}

fn failed(what: &str, dir: &Path, output: &std::process::Output) -> Error {
    let said = first_line(&output.stderr);
    let why = if said.is_empty() {
        format!("it ended with {} and said nothing", output.status)
    } else {
        said
    };
    Error::new(format!(
        "git {what} failed in '{}': {why}; fix the repository, or pass --allow-dirty",
        dir.display()
    ))
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}

/// A file mapped read-only into memory, as git itself reads its index. With
/// 100,000 entries the index is some 10 MB: reading it into a buffer of our
/// own cost more than scanning it (a fresh allocation's page faults, the copy,
/// and giving the memory back), where a mapping shares the page cache's pages.
/// git replaces the index by renaming a new file over it, never by rewriting
/// it in place, so the mapped file does not shrink under us.
struct MappedFile {
    at: *mut libc::c_void,
    len: usize,
}

impl MappedFile {
    /// None when the file cannot be opened or mapped (an empty file cannot):
    /// the caller then asks git.
    fn open(path: &Path) -> Option<MappedFile> {
        let file = std::fs::File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        if len == 0 {
            return None;
        }
        // SAFETY: a private read-only mapping of a file we opened; the
        // descriptor may close once the mapping exists.
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                std::os::unix::io::AsRawFd::as_raw_fd(&file),
                0,
            )
        };
        (at != libc::MAP_FAILED).then_some(MappedFile { at, len })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `len` bytes mapped readable at `at` until drop.
        unsafe { std::slice::from_raw_parts(self.at.cast::<u8>(), self.len) }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what open mapped.
        unsafe {
            libc::munmap(self.at, self.len);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;

    /// Runs git in `dir` with a fixed identity, panicking with what it said
    /// on failure (the unit tests of the modules that ask git use it too).
    pub(crate) fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        let identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"];
        let signing = ["-c", "commit.gpgsign=false"];
        let args: Vec<&str> = identity
            .iter()
            .chain(&signing)
            .chain(args)
            .copied()
            .collect();
        run_with_input(dir, &args, b"").unwrap_or_else(|e| panic!("git {args:?}: {e}"))
    }

    /// A new repository in a temporary directory holding the files `files`
    /// (name and content), committed when `commit`, else only added.
    fn repository(files: &[(&str, &str)], commit: bool) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for (name, content) in files {
            fs::write(root.join(name), content).unwrap();
            git(root, &["add", "--", name]);
        }
        if commit {
            git(root, &["commit", "-q", "-m", "files"]);
        }
        let repo = repo(root).unwrap().expect("a work tree");
        (dir, repo)
    }

    fn file(bytes: &[u8]) -> Worktree<'_> {
        Worktree::File {
            bytes,
            executable: false,
        }
    }

    #[test]
    fn rev_parse_names_the_prefix_and_the_index_only_with_both_its_path_and_format() {
        let dir = Path::new("/p");
        let repo = from_rev_parse(dir, "true\nsub/\n.git/index\nsha1\n").unwrap();
        assert_eq!(repo.prefix, "sub/");
        assert_eq!(
            repo.index,
            Some((PathBuf::from("/p/.git/index"), Format::Sha1))
        );
        let repo = from_rev_parse(dir, "true\n\n/abs/index\nsha256\n").unwrap();
        assert_eq!(
            (repo.prefix.as_str(), repo.index),
            ("", Some((PathBuf::from("/abs/index"), Format::Sha256)))
        );
        // An older git prints the option back; an empty path is no index.
        let older = from_rev_parse(dir, "true\n\n.git/index\n--show-object-format\n").unwrap();
        assert_eq!(older.index, None);
        assert_eq!(from_rev_parse(dir, "true\n\n\nsha1\n").unwrap().index, None);
        assert_eq!(repo.head_tree, None, "before the first commit");
        let committed = from_rev_parse(dir, "true\n\n.git/index\nsha1\n0a1b\n").unwrap();
        assert_eq!(committed.head_tree, Some(vec![0x0a, 0x1b]));
        assert!(from_rev_parse(dir, "false\n").is_none(), "inside .git");
        assert!(from_rev_parse(dir, "").is_none());
    }

    #[test]
    fn unmerged_lines_name_the_path_from_the_top_with_the_formats_null_object() {
        let stages = [(1, false, "b1".to_owned()), (3, true, "b3".to_owned())];
        let sha1 = from_rev_parse(Path::new("/p"), "true\nsub/\n.git/index\nsha1\n").unwrap();
        let sha256 = from_rev_parse(Path::new("/p"), "true\n\n.git/index\nsha256\n").unwrap();
        assert_eq!(
            sha1.unmerged_lines("a", &stages),
            [
                format!("0 {} 0\tsub/a", "0".repeat(40)),
                "100644 b1 1\tsub/a".to_owned(),
                "100755 b3 3\tsub/a".to_owned()
            ]
        );
        assert_eq!(
            sha256.unmerged_lines("a", &[]),
            [format!("0 {} 0\ta", "0".repeat(64))]
        );
    }

    #[test]
    fn repo_finds_the_work_tree_above_and_the_projects_prefix_in_it() {
        let (dir, _) = repository(&[], false);
        fs::create_dir(dir.path().join("sub")).unwrap();
        let repo = super::repo(&dir.path().join("sub")).unwrap().unwrap();
        assert_eq!(repo.prefix, "sub/");
        let (index, format) = repo.index.unwrap();
        assert!(index.ends_with(".git/index"), "{}", index.display());
        assert_eq!(format, Format::Sha1);
        let outside = tempfile::tempdir().unwrap();
        assert!(super::repo(outside.path()).unwrap().is_none());
    }

    #[test]
    fn the_index_decides_clean_and_staged_paths_and_leaves_the_rest_to_git() {
        let (dir, repo) = repository(&[("a", "a\n"), ("b", "b\n")], true);
        fs::write(dir.path().join("b"), "staged\n").unwrap();
        git(dir.path(), &["add", "b"]);
        fs::write(dir.path().join("c"), "untracked\n").unwrap();
        let paths = [
            ("a".to_owned(), file(b"a\n")),
            ("b".to_owned(), file(b"staged\n")),
            ("c".to_owned(), file(b"untracked\n")),
            ("none".to_owned(), Worktree::Absent),
        ];
        // The fast path: only the untracked file, which an ignore rule may
        // cover, is git's to decide.
        assert_eq!(
            repo.decide_from_index(&paths).unwrap(),
            Some((vec!["b".to_owned()], vec!["c".to_owned()]))
        );
        assert_eq!(repo.uncommitted(&paths).unwrap(), ["b", "c"]);
        assert_eq!(repo.uncommitted_by_git(&["a".to_owned()]).unwrap(), [""; 0]);
    }

    #[test]
    fn an_index_whose_cached_tree_is_heads_decides_without_asking_git() {
        let (dir, repo) = repository(&[("a", "a\n"), ("b", "b\n")], true);
        let root = dir.path();
        let head_tree = stdout_line(&git(root, &["rev-parse", "HEAD^{tree}"]));
        let hex = |oid: &[u8]| oid.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(repo.head_tree.as_deref().map(hex), Some(head_tree.clone()));
        let cached = || {
            let index = fs::read(root.join(".git/index")).unwrap();
            git_index::read(&index, Format::Sha1, &Default::default())
                .unwrap()
                .tree
                .map(|oid| hex(&oid))
        };
        assert_eq!(cached(), Some(head_tree.clone()), "after a commit");
        let paths = [
            ("a".to_owned(), file(b"a\n")),
            ("b".to_owned(), file(b"changed\n")),
            ("none".to_owned(), Worktree::Absent),
        ];
        // Where no git can run, only the index can have decided.
        let no_git = Repo {
            dir: root.join("no such directory"),
            ..repo.clone()
        };
        assert_eq!(
            no_git.decide_from_index(&paths).unwrap(),
            Some((vec![], vec!["b".to_owned()]))
        );

        // A staged change: git marks the cached tree stale.
        fs::write(root.join("a"), "staged\n").unwrap();
        git(root, &["add", "a"]);
        assert_eq!(cached(), None, "after git add");
        let staged = [("a".to_owned(), file(b"staged\n"))];
        assert_eq!(
            repo.decide_from_index(&staged).unwrap(),
            Some((vec!["a".to_owned()], vec![]))
        );
        assert!(no_git.decide_from_index(&staged).is_err(), "git is asked");

        // A valid cached tree that is not HEAD's (a soft reset keeps the
        // index of the later commit): HEAD's entries come from git.
        git(root, &["commit", "-q", "-m", "a staged"]);
        git(root, &["reset", "-q", "--soft", "HEAD~1"]);
        let repo = super::repo(root).unwrap().unwrap();
        assert!(cached().is_some_and(|tree| tree != head_tree));
        assert_eq!(
            repo.decide_from_index(&staged).unwrap(),
            Some((vec!["a".to_owned()], vec![]))
        );
    }

    fn stdout_line(output: &[u8]) -> String {
        String::from_utf8_lossy(output).trim().to_owned()
    }

    #[test]
    fn before_the_first_commit_git_status_decides() {
        let (dir, repo) = repository(&[("a", "a\n"), ("d", "d\n")], false);
        fs::write(dir.path().join("b"), "untracked\n").unwrap();
        let paths = [
            ("a".to_owned(), file(b"a\n")),
            ("b".to_owned(), file(b"untracked\n")),
            ("c".to_owned(), Worktree::Absent),
            ("d".to_owned(), file(b"d\n")),
        ];
        assert_eq!(repo.decide_from_index(&paths).unwrap(), None);
        let names: Vec<String> = paths.iter().map(|(p, _)| p.clone()).collect();
        // a and d are only added: git status alone names them.
        assert_eq!(repo.uncommitted_by_git(&names).unwrap(), ["a", "b", "d"]);
        assert_eq!(repo.uncommitted(&paths).unwrap(), ["a", "b", "d"]);
    }

    #[test]
    fn a_failing_git_is_an_error_naming_the_command_and_what_git_said() {
        let (dir, repo) = repository(&[("a", "a\n")], true);
        // A staged change, so that HEAD's entries come from `git ls-tree`.
        fs::write(dir.path().join("a"), "staged\n").unwrap();
        git(dir.path(), &["add", "a"]);
        let outside = [("../x".to_owned(), Worktree::Absent)];
        let err = repo.decide_from_index(&outside).unwrap_err().to_string();
        assert!(err.contains("git ls-tree failed in"), "{err}");
        assert!(err.contains("outside repository"), "{err}");
        let err = repo
            .uncommitted_by_git(&["../x".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("git diff failed in"), "{err}");
        let (_dir, unborn) = repository(&[], false);
        let err = unborn
            .uncommitted_by_git(&["../x".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("git status failed in"), "{err}");
    }

    #[test]
    fn registered_conflicts_are_unmerged_in_the_index() {
        let (dir, repo) = repository(&[("a", "a\n"), ("b", "b\n")], true);
        let names = ["a".to_owned(), "b".to_owned(), "none".to_owned()];
        assert_eq!(repo.unmerged(&names).unwrap(), [""; 0]);
        let stages: Vec<(u8, bool, String)> = ["base\n", "yours\n", "theirs\n"]
            .iter()
            .zip(1..)
            .map(|(bytes, stage)| {
                (
                    stage,
                    stage == 3,
                    repo.store_blob(bytes.as_bytes()).unwrap(),
                )
            })
            .collect();
        let lines = repo.unmerged_lines("a", &stages);
        update_index(
            dir.path(),
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(repo.unmerged(&names).unwrap(), ["a"]);
        let listed = String::from_utf8(git(dir.path(), &["ls-files", "-u"])).unwrap();
        assert_eq!(
            listed,
            format!(
                "100644 {} 1\ta\n100644 {} 2\ta\n100755 {} 3\ta\n",
                stages[0].2, stages[1].2, stages[2].2
            )
        );
    }

    #[test]
    fn first_line_joins_what_git_said_on_one_line() {
        assert_eq!(first_line(b"\n  fatal: one\n\n  two  \n"), "fatal: one two");
        assert_eq!(first_line(b" \n\n"), "");
    }

    #[test]
    fn a_mapped_file_holds_the_files_bytes_until_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        fs::write(&path, b"DIRC and more").unwrap();
        let mapped = MappedFile::open(&path).expect("mapped");
        assert_eq!(mapped.bytes(), b"DIRC and more");
        let maps = || fs::read_to_string("/proc/self/maps").unwrap();
        let shown = path.to_str().unwrap();
        assert!(maps().contains(shown), "mapped");
        drop(mapped);
        assert!(!maps().contains(shown), "unmapped");
        // What cannot be mapped is read by git instead.
        fs::write(&path, b"").unwrap();
        assert!(MappedFile::open(&path).is_none(), "empty");
        assert!(MappedFile::open(dir.path()).is_none(), "a directory");
        assert!(MappedFile::open(&dir.path().join("none")).is_none());
    }
}
