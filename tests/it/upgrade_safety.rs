//! What holds around the merge: one upgrade at a time, a manifest that is
//! checked rather than trusted, git asked honestly (and told about
//! conflicts), and resolution decided by git's state or the exact blocks an
//! upgrade wrote. Interrupts and write errors are `upgrade_interrupt`'s.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::support::starters::{next_starter_binary, OldProject, NEXT_URLS_LINE};
use crate::support::{git, is_root, snapshot, stderr, stdout};

/// A project with a line conflict waiting in config/urls.py (the next
/// starter appends a line there; so did the team) and a binary conflict in
/// the favicon, committed in git.
fn conflicted_project() -> OldProject {
    let project = OldProject::new("acme");
    let urls = project.read("config/urls.py");
    project.write("config/urls.py", &format!("{urls}# the team's last line\n"));
    fs::write(project.path("acme/static/favicon.ico"), b"\x00our icon").unwrap();
    project.commit_all();
    project
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The manifest with `lines` added to its `[files]` table (kept sorted), or
/// with a file's hash replaced.
fn forge_manifest(project: &OldProject, set: &[(&str, String)]) {
    let text = project.read(".quickscale.toml");
    let (head, files) = text.split_once("[files]\n").unwrap();
    let (files, tail) = match files.find("\n[") {
        Some(end) => (&files[..=end], &files[end + 1..]),
        None => (files, ""),
    };
    let mut lines: Vec<String> = files
        .lines()
        .filter(|line| !line.is_empty())
        .filter(|line| {
            !set.iter()
                .any(|(path, _)| line.starts_with(&format!("\"{path}\" ")))
        })
        .map(str::to_owned)
        .collect();
    for (path, hash) in set {
        lines.push(format!("\"{path}\" = \"{hash}\""));
    }
    lines.sort();
    let files = lines.join("\n");
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!("\n{tail}")
    };
    project.write(
        ".quickscale.toml",
        &format!("{head}[files]\n{files}\n{tail}"),
    );
}

#[test]
fn conflicts_are_unmerged_in_gits_index_until_resolved() {
    let project = conflicted_project();
    let committed_urls = project.read("config/urls.py");
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let status = stdout(&git(&project.root, &["status", "--porcelain=v1"]));
    for unmerged in ["UU config/urls.py", "UU acme/static/favicon.ico"] {
        assert!(
            status.lines().any(|l| l == unmerged),
            "{unmerged} in\n{status}"
        );
    }
    // The stages are git merge's: 1 the base, 2 yours, 3 the starter's.
    let stage = |n: u8| {
        stdout(&git(
            &project.root,
            &["show", &format!(":{n}:config/urls.py")],
        ))
    };
    assert_eq!(stage(2), committed_urls);
    assert!(stage(3).ends_with(NEXT_URLS_LINE), "{}", stage(3));
    assert!(!stage(1).contains("the team's last line"));
    assert!(!stage(1).contains(NEXT_URLS_LINE));

    // git refuses to commit while they are unmerged.
    let commit = Command::new("git")
        .args(["commit", "-q", "-m", "too early"])
        .current_dir(&project.root)
        .output()
        .unwrap();
    assert!(!commit.status.success(), "git committed unmerged paths");

    // Resolved the git way: the next upgrade is not blocked by them, and the
    // resolved file may keep marker-like lines of its own.
    project.write(
        "config/urls.py",
        &format!(
            "{committed_urls}{NEXT_URLS_LINE}\"\"\"Conflicts look like\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n\"\"\"\n"
        ),
    );
    git(
        &project.root,
        &["add", "config/urls.py", "acme/static/favicon.ico"],
    );
    git(&project.root, &["commit", "-q", "-a", "-m", "resolved"]);
    let diff = project.next_read_only(&["diff"]);
    let said = stdout(&diff);
    assert!(
        !said.contains("conflict markers"),
        "a resolved file is not unresolved: {said}"
    );
    assert_eq!(diff.status.code(), Some(0), "{said}{}", stderr(&diff));
}

#[test]
fn a_file_still_unmerged_is_never_merged_again_even_with_allow_dirty() {
    let project = conflicted_project();
    assert_eq!(project.next(&["upgrade"]).status.code(), Some(1));
    let with_markers = project.read("config/urls.py");
    assert!(with_markers.contains("<<<<<<< yours"), "{with_markers}");
    let again = project.next(&["upgrade", "--allow-dirty"]);
    assert!(
        matches!(again.status.code(), Some(0 | 1)),
        "{}",
        stderr(&again)
    );
    let after = project.read("config/urls.py");
    assert_eq!(after, with_markers, "markers nested or rewritten");
    assert_eq!(after.matches("<<<<<<< yours").count(), 1);
}

#[test]
fn a_second_upgrade_refuses_while_the_first_holds_the_lock() {
    let project = OldProject::new("acme");
    project.commit_all();
    let before = snapshot(&project.root);
    // A live process holds the lock (flock, as quickscale takes it) and has
    // written its pid into it, as quickscale does.
    let mut holder = Command::new("flock")
        .args([
            "--close",
            ".quickscale-lock",
            "sh",
            "-c",
            "echo $$ > .quickscale-lock; exec sleep 60",
        ])
        .current_dir(&project.root)
        .stdout(Stdio::null())
        .spawn()
        .expect("flock(1), from util-linux: apt-get install util-linux");
    let pid = loop {
        match fs::read_to_string(project.path(".quickscale-lock")) {
            Ok(text) if text.ends_with('\n') => break text.trim().to_owned(),
            _ => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    let mut before_with_lock = before.clone();
    before_with_lock.insert(
        ".quickscale-lock".into(),
        (0o644, format!("{pid}\n").into_bytes()),
    );
    let refused = project.next(&["upgrade"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains(&format!("process {pid}")) && message.lines().count() == 1,
        "{message}"
    );
    let diff = project.next(&["diff"]);
    assert_eq!(diff.status.code(), Some(2), "{}", stderr(&diff));
    let now = snapshot(&project.root);
    assert_eq!(now.len(), before_with_lock.len(), "the refused runs wrote");
    assert!(
        now.iter()
            .all(|(path, entry)| before_with_lock.get(path).map(|e| &e.1) == Some(&entry.1)),
        "the refused runs wrote"
    );

    // The holder dies: the next run takes its lock over, says so, upgrades,
    // and leaves no lock behind.
    let killed = Command::new("kill").arg(&pid).status().unwrap();
    assert!(killed.success());
    holder.wait().unwrap();
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("Took over the lock that process {pid} left")),
        "{}",
        stderr(&output)
    );
    assert!(!project.path(".quickscale-lock").exists());
}

#[test]
fn a_forged_manifest_deletes_and_overwrites_nothing() {
    let project = OldProject::new("acme");
    project.commit_all();
    let git_config = fs::read(project.path(".git/config")).unwrap();
    project.write("notes.txt", "the team's notes\n");
    // README.md: the team's edit, with a hash forged to match it, so that the
    // manifest calls it untouched; the exact base render says otherwise.
    project.edit("README.md", "# acme\n", "# ACME intranet\n");
    let readme = fs::read(project.path("README.md")).unwrap();
    forge_manifest(
        &project,
        &[
            (".git/config", sha256(&git_config)),
            ("notes.txt", sha256(b"the team's notes\n")),
            ("README.md", sha256(&readme)),
        ],
    );
    let output = project.next(&["upgrade", "--allow-dirty"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read(project.path(".git/config")).unwrap(), git_config);
    assert_eq!(project.read("notes.txt"), "the team's notes\n");
    assert!(
        project.read("README.md").starts_with("# ACME intranet\n"),
        "the edit was overwritten"
    );
    let report = stdout(&output);
    for said in ["'.git/config'", "'notes.txt'", "'README.md'"] {
        assert!(report.contains(said), "{said} reported in\n{report}");
    }
}

#[test]
fn touched_but_unchanged_files_do_not_make_the_tree_dirty() {
    let project = OldProject::new("acme");
    project.commit_all();
    // As `touch`, `cp -a`, `tar` or a restored CI cache leave it: new
    // timestamps, same bytes, git's index stale.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for rel in ["README.md", "config/urls.py", "config/settings/base.py"] {
        let bytes = fs::read(project.path(rel)).unwrap();
        fs::write(project.path(rel), bytes).unwrap();
    }
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn git_trouble_is_an_error_never_a_skipped_check() {
    // git cannot be run: the project is in a repository, so upgrade refuses.
    let project = OldProject::new("acme");
    project.commit_all();
    project.edit("README.md", "# acme\n", "# uncommitted\n");
    let before = snapshot(&project.root);
    let output = Command::new(next_starter_binary())
        .arg("upgrade")
        .current_dir(&project.root)
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains("git cannot be run") && message.contains("--allow-dirty"),
        "{message}"
    );
    assert_eq!(snapshot(&project.root), before);

    // git refuses to answer: a `.git` that is no repository.
    let broken = OldProject::new("acme");
    broken.write(".git", "gitdir: /nonexistent/quickscale-test\n");
    let before = snapshot(&broken.root);
    let output = broken.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("git refused"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&broken.root), before);
    // --allow-dirty is the way through, as the message says.
    let output = broken.next(&["upgrade", "--allow-dirty"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // "Dubious ownership": a repository another user owns. Only root can
    // make one; CI runs as root.
    if is_root() {
        let dubious = OldProject::new("acme");
        dubious.commit_all();
        let status = Command::new("chown")
            .args(["-R", "nobody", ".git"])
            .current_dir(&dubious.root)
            .status()
            .unwrap();
        assert!(status.success());
        let output = dubious.next(&["upgrade"]);
        assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
        assert!(stderr(&output).contains("dubious"), "{}", stderr(&output));
    }
}

#[test]
fn where_the_base_is_unknown_an_execute_bit_you_set_stays() {
    let project = OldProject::new("acme");
    // A starter digest this binary's history does not have.
    let text = project.read(".quickscale.toml");
    let start = text.find("starter_digest = \"sha256:").unwrap() + 26;
    let mut forged = text.clone();
    forged.replace_range(start..start + 8, "00000000");
    project.write(".quickscale.toml", &forged);
    // The next starter changes config/urls.py; the team made it executable.
    let urls = project.path("config/urls.py");
    fs::set_permissions(&urls, fs::Permissions::from_mode(0o755)).unwrap();
    let output = project.next(&["upgrade", "--allow-dirty"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(project.read("config/urls.py").ends_with(NEXT_URLS_LINE));
    let mode = fs::metadata(&urls).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
}

#[test]
fn a_team_that_deleted_compose_gets_no_compose_password_and_no_compose_note() {
    for keep_compose in [true, false] {
        let project = OldProject::new("acme");
        if !keep_compose {
            fs::remove_file(project.path("docker-compose.yml")).unwrap();
        }
        project.commit_all();
        let output = crate::support::quickscale(&project.root, &["upgrade"]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            stderr(&output)
        );
        let env = project.read(".env");
        let report = stdout(&output);
        assert_eq!(env.contains("POSTGRES_PASSWORD="), keep_compose, "{env}");
        assert_eq!(
            report.contains("docker compose now reads POSTGRES_PASSWORD"),
            keep_compose,
            "{report}"
        );
        assert_eq!(project.path("docker-compose.yml").exists(), keep_compose);
    }
}

#[test]
fn no_report_names_a_beside_file_that_was_not_written() {
    // The team replaced the config package with a file: the starter's new
    // config/urls.py cannot be written beside theirs, under a file.
    let project = OldProject::new("acme");
    fs::remove_dir_all(project.path("config")).unwrap();
    project.write("config", "a file where a package was\n");
    let output = project.next(&["upgrade", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let urls = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "config/urls.py")
        .expect("config/urls.py is planned");
    assert_eq!(urls["reason"], "not_a_file", "{urls}");
    assert_eq!(urls["beside"], serde_json::Value::Null, "{urls}");
    assert!(
        urls["detail"]
            .as_str()
            .unwrap()
            .contains("could not be written"),
        "{urls}"
    );
    let notes = doc["notes"].to_string();
    assert!(notes.contains("'config' is not a directory"), "{notes}");
    assert_eq!(project.read("config"), "a file where a package was\n");

    // Something already where the beside file goes: refused, nothing written.
    let project = OldProject::new("acme");
    fs::write(project.path("acme/static/favicon.ico"), b"\x00our icon").unwrap();
    let beside = format!(
        "acme/static/favicon.ico.quickscale-{}",
        env!("CARGO_PKG_VERSION")
    );
    project.write(&beside, "left from an earlier upgrade\n");
    let before = snapshot(&project.root);
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("already exists") && stderr(&output).contains("move it away"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&project.root), before);
}

/// A committed project whose git index is written as `setup` makes it
/// (an index version, a split index, a SHA-256 repository).
fn committed_with(setup: fn(&OldProject)) -> OldProject {
    let project = OldProject::new("acme");
    setup(&project);
    git(&project.root, &["add", "-A"]);
    git(&project.root, &["commit", "-q", "-m", "project"]);
    project
}

/// The dirty check reads git's index itself for speed: on every index git
/// writes, it refuses exactly what git calls uncommitted and nothing else.
#[test]
fn the_dirty_check_agrees_with_git_on_every_kind_of_index() {
    type Setup = fn(&OldProject);
    let kinds: [(&str, Setup); 5] = [
        ("index v2", |p| {
            git(&p.root, &["init", "-q"]);
        }),
        ("index v3", |p| {
            git(&p.root, &["init", "-q"]);
            git(&p.root, &["config", "index.version", "3"]);
        }),
        ("index v4", |p| {
            git(&p.root, &["init", "-q"]);
            git(&p.root, &["config", "index.version", "4"]);
        }),
        ("split index", |p| {
            git(&p.root, &["init", "-q"]);
            git(&p.root, &["config", "core.splitIndex", "true"]);
        }),
        ("sha256", |p| {
            git(&p.root, &["init", "-q", "--object-format=sha256"]);
        }),
    ];
    let refused = |project: &OldProject, named: &str, kind: &str| {
        let before = snapshot(&project.root);
        let output = project.next(&["upgrade"]);
        assert_eq!(output.status.code(), Some(2), "{kind}: {}", stdout(&output));
        let message = stderr(&output);
        assert!(
            message.contains("uncommitted changes") && message.contains(named),
            "{kind}: {message}"
        );
        assert_eq!(snapshot(&project.root), before, "{kind}");
    };
    for (kind, setup) in kinds {
        // Clean, with stale stat information everywhere and a user's file
        // outside the starter's paths edited: the upgrade runs.
        let project = committed_with(setup);
        project.write("notes.txt", "mine\n");
        git(&project.root, &["add", "notes.txt"]);
        git(&project.root, &["commit", "-q", "-m", "notes"]);
        project.write("notes.txt", "mine, edited\n");
        let touched = Command::new("touch")
            .args(["-d", "2001-02-03 04:05:06", "README.md", "config/urls.py"])
            .current_dir(&project.root)
            .status()
            .unwrap();
        assert!(touched.success());
        let output = project.next(&["upgrade"]);
        assert_eq!(output.status.code(), Some(0), "{kind}: {}", stderr(&output));

        // A change staged and then undone in the work tree: still staged.
        let project = committed_with(setup);
        let urls = project.read("config/urls.py");
        project.write("config/urls.py", &format!("{urls}# staged\n"));
        git(&project.root, &["add", "config/urls.py"]);
        project.write("config/urls.py", &urls);
        refused(&project, "config/urls.py", kind);

        // An unstaged edit, and a file added with intent to add where the
        // starter adds one.
        let project = committed_with(setup);
        project.edit("README.md", "# acme\n", "# acme, edited\n");
        refused(&project, "README.md", kind);
        let project = committed_with(setup);
        project.write("acme/core/signals.py", "# mine\n");
        git(&project.root, &["add", "-N", "acme/core/signals.py"]);
        refused(&project, "acme/core/signals.py", kind);

        // The execute bit alone is a change.
        let project = committed_with(setup);
        let path = project.path("config/urls.py");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        refused(&project, "config/urls.py", kind);
    }
}

/// What git itself decides is left to git: the execute bit where
/// `core.fileMode` is off, and a file at a starter path that an ignore rule
/// covers is not the team's uncommitted work.
#[test]
fn file_modes_and_ignore_rules_are_gits_to_decide() {
    let project = OldProject::new("acme");
    project.commit_all();
    git(&project.root, &["config", "core.fileMode", "false"]);
    let path = project.path("config/urls.py");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let project = OldProject::new("acme");
    project.commit_all();
    fs::write(project.path(".git/info/exclude"), "acme/core/signals.py\n").unwrap();
    project.write("acme/core/signals.py", "# ignored\n");
    let output = project.next(&["upgrade", "--format", "json"]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
}

/// The index reader gives, for every path, exactly the entries `git ls-files
/// --stage` lists, with their flags, on every index version, unmerged
/// stages, sparse (skip-worktree) and intent-to-add entries included.
#[test]
fn the_index_reader_reads_what_git_wrote() {
    use quickscale::git_index::{entries, Format};
    for version in ["2", "3", "4"] {
        let project = OldProject::new("acme");
        git(&project.root, &["init", "-q"]);
        git(&project.root, &["config", "index.version", version]);
        git(&project.root, &["add", "-A"]);
        git(&project.root, &["commit", "-q", "-m", "project"]);
        project.write("acme/core/new.py", "# new\n");
        git(&project.root, &["add", "-N", "acme/core/new.py"]);
        git(
            &project.root,
            &["update-index", "--skip-worktree", "README.md"],
        );
        // Three stages of config/urls.py, as an unmerged path has them.
        let blob = |text: &str| {
            git_with_input(&project.root, &["hash-object", "-w", "--stdin"], text)
                .trim()
                .to_owned()
        };
        let lines = format!(
            "0 {zero} 0\tconfig/urls.py\n100644 {a} 1\tconfig/urls.py\n100755 {b} 2\tconfig/urls.py\n100644 {c} 3\tconfig/urls.py\n",
            zero = "0".repeat(40),
            a = blob("a\n"),
            b = blob("b\n"),
            c = blob("c\n"),
        );
        git_with_input(&project.root, &["update-index", "--index-info"], &lines);
        // Names as long as the flags' 12 bits can hold (0xFFE), the length
        // that says "look for the NUL" (0xFFF), and longer: entries only,
        // deeper than a work tree path may be.
        let long: String = [0xFFE, 0xFFF, 5000]
            .iter()
            .map(|&length| {
                let name = format!("long/{length}/");
                let name = format!("{name}{}", "d/".repeat((length - name.len() - 10) / 2));
                let name = format!("{name}{}", "f".repeat(length - name.len()));
                assert_eq!(name.len(), length);
                format!("100644 {} 0\t{name}\n", blob("long\n"))
            })
            .collect();
        git_with_input(&project.root, &["update-index", "--index-info"], &long);

        let listed = stdout(&git(&project.root, &["ls-files", "--stage", "-z"]));
        let tags = stdout(&git(&project.root, &["ls-files", "-t", "-z"]));
        let index = fs::read(project.path(".git/index")).unwrap();
        let all: Vec<&str> = listed
            .split('\0')
            .filter(|r| !r.is_empty())
            .map(|r| r.split_once('\t').unwrap().1)
            .collect();
        let wanted = all.iter().copied().collect();
        let read = entries(&index, Format::Sha1, &wanted).expect("the index is read");
        let mut expected = Vec::new();
        for record in listed.split('\0').filter(|r| !r.is_empty()) {
            let (head, path) = record.split_once('\t').unwrap();
            let mut fields = head.split(' ');
            let mode = u32::from_str_radix(fields.next().unwrap(), 8).unwrap();
            let oid = fields.next().unwrap().to_owned();
            let stage: u8 = fields.next().unwrap().parse().unwrap();
            expected.push((path.to_owned(), mode, oid, stage));
        }
        let mut got = Vec::new();
        for (path, list) in &read {
            for entry in list {
                let oid: String = entry.oid.iter().map(|b| format!("{b:02x}")).collect();
                got.push((path.clone(), entry.mode, oid, entry.stage));
            }
        }
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "index v{version}");
        assert!(read["README.md"][0].skip_worktree, "index v{version}");
        assert!(tags.contains("S README.md"), "{tags}");
        assert!(
            read["acme/core/new.py"][0].intent_to_add,
            "index v{version}"
        );
        assert!(!read["config/settings/base.py"][0].intent_to_add);
        assert!(!read["config/settings/base.py"][0].skip_worktree);
        assert_eq!(read["config/urls.py"].len(), 3);

        // Truncated anywhere, it is not read rather than misread.
        for cut in [12, 100, index.len() / 2, index.len() - 21] {
            let read = entries(&index[..cut], Format::Sha1, &wanted);
            assert!(
                read.is_none() || read.as_ref().is_some_and(|r| r.len() < wanted.len()),
                "cut at {cut}"
            );
        }
    }
}

/// Runs git in `dir` with `input` on its standard input; its output.
fn git_with_input(dir: &std::path::Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// In a SHA-256 repository too, conflicts are registered as unmerged.
#[test]
fn conflicts_are_unmerged_in_a_sha256_repository_too() {
    let project = OldProject::new("acme");
    let urls = project.read("config/urls.py");
    project.write("config/urls.py", &format!("{urls}# the team's last line\n"));
    git(&project.root, &["init", "-q", "--object-format=sha256"]);
    git(&project.root, &["add", "-A"]);
    git(&project.root, &["commit", "-q", "-m", "project"]);
    let output = project.next(&["upgrade"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(!stdout(&output).contains("Warning"), "{}", stdout(&output));
    let status = stdout(&git(&project.root, &["status", "--porcelain=v1"]));
    assert!(status.lines().any(|l| l == "UU config/urls.py"), "{status}");
}
