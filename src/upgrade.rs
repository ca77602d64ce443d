//! `quickscale upgrade`: take the current starter into a project with a
//! three-way merge against the exact starter it was made from, then move the
//! manifest forward to the new base.

use std::path::Path;

use crate::apply;
use crate::compare::{Plan, Yours};
use crate::conflict::Reason;
use crate::env_file;
use crate::error::{Error, Result};
use crate::git;
use crate::git_index::Worktree;
use crate::interrupt;
use crate::journal;
use crate::lock;
use crate::manifest::{self, Manifest};
use crate::project;
use crate::random;
use crate::render::RenderedFile;
use crate::sources::{self, Sources};
use crate::starter;

/// What `upgrade` did or, with `--dry-run`, would do.
#[derive(Debug)]
pub struct Upgrade {
    pub plan: Plan,
    /// `quickscale 0.1.0`: where the project came from.
    pub from: String,
    /// Lines about per-project values generated, and writes skipped for safety.
    pub notes: Vec<String>,
    pub applied: bool,
}

impl Upgrade {
    /// Whether conflicts are left for the owner to resolve.
    pub fn has_conflicts(&self) -> bool {
        self.plan.conflicts().next().is_some()
    }
}

/// Takes the starter into the project in `dir`. `say` receives the lines
/// about what happened before the upgrade proper (a lock taken over, an
/// interrupted upgrade recovered), as they happen.
pub fn upgrade(
    dir: &Path,
    dry_run: bool,
    allow_dirty: bool,
    say: &mut dyn FnMut(&str),
) -> Result<Upgrade> {
    change(dir, None, dry_run, allow_dirty, say)
}

/// `quickscale add MODULE`: the same three-way merge and transaction as
/// [`upgrade`], with the base the project's starter and modules as they are
/// and theirs the same starter with `module` enabled too.
pub fn add(
    dir: &Path,
    module: &str,
    dry_run: bool,
    allow_dirty: bool,
    say: &mut dyn FnMut(&str),
) -> Result<Upgrade> {
    let module = starter::head_modules(&[module.to_owned()])?[0];
    change(dir, Some(module), dry_run, allow_dirty, say)
}

/// An upgrade (`adding` None) or an added module: everything between finding
/// the project and the report.
fn change(
    dir: &Path,
    adding: Option<&'static str>,
    dry_run: bool,
    allow_dirty: bool,
    say: &mut dyn FnMut(&str),
) -> Result<Upgrade> {
    // SIGINT and SIGTERM are recorded from here on and acted on at safe
    // points: before the commit, by rolling back; after it, by finishing.
    let catch = interrupt::catch();
    let verb = if adding.is_some() {
        sources::Verb::Add
    } else {
        sources::Verb::Upgrade
    };
    // A journal an interrupted upgrade left marks the project too: killed
    // between moving the old manifest aside and the new one in, the project
    // has no manifest until the journal is recovered.
    let root = match journal::unfinished_root(dir) {
        Some(root) => root,
        None => sources::open_with_manifest(dir, verb)?.0,
    };
    let dir = root.as_path();
    if dry_run {
        journal::refuse_while_unfinished(dir)?;
        let sources = sources::open(dir, None, verb, adding)?;
        refuse_add_when_behind(dir, &sources, adding)?;
        return plan_only(dir, sources);
    }
    let (lock, stale) = lock::acquire(dir)?;
    if let Some(holder) = stale {
        say(&format!(
            "Took over the lock that {holder} left in {} (it no longer runs).",
            lock::FILE
        ));
    }
    if let Some((recovered, notes)) = journal::recover(dir)? {
        say(recovered.message());
        for note in notes {
            say(&format!("warning: {note}"));
        }
    }
    // git starts now and answers once the plan is made: its start-up
    // overlaps the planning.
    let question = git::ask_repo(dir);
    let sources = sources::open(dir, None, verb, adding)?;
    stop_if_interrupted(
        &catch,
        "before the upgrade changed anything; the project is as it was",
    )?;
    let Prepared {
        mut plan,
        from,
        mut notes,
        env,
        sources,
    } = {
        refuse_add_when_behind(dir, &sources, adding)?;
        prepare(dir, sources, false)?
    };
    if !plan.has_new_changes() && env.is_none() {
        return Ok(Upgrade {
            plan,
            from,
            notes,
            applied: false,
        });
    }
    // git runs in our process group: a Ctrl-C kills it as it stops us, and
    // its failure is then the signal's, reported as such.
    let unchanged = "before the upgrade changed anything; the project is as it was";
    let repo = match question.answer() {
        Ok(repo) => repo,
        Err(_) if allow_dirty => None,
        Err(e) => return Err(signal_or(&catch, unchanged, e)),
    };
    if !allow_dirty {
        if let Some(repo) = &repo {
            refuse_dirty(dir, repo, &plan).map_err(|e| signal_or(&catch, unchanged, e))?;
        }
    }
    let (mut ops, not_beside) = apply::operations(dir, &plan)?;
    for (path, note) in not_beside {
        plan.drop_beside(&path);
        notes.push(note);
    }
    if let Some(bytes) = env {
        ops.push(apply::env(dir, bytes));
    }
    // The manifest last: its rename is the commit point.
    let manifest_bytes = next_manifest(&sources, &plan).to_toml().into_bytes();
    ops.push(apply::manifest(dir, manifest_bytes));
    let index = match &repo {
        Some(repo) => {
            conflict_index(repo, &sources, &plan).map_err(|e| signal_or(&catch, unchanged, e))?
        }
        None => Vec::new(),
    };
    let interrupted = unchanged;
    stop_if_interrupted(&catch, interrupted)?;
    let staged = journal::stage(dir, &ops, &index, &mut || {
        stop_if_interrupted(&catch, interrupted)
    })?;
    if let Err(e) = stop_if_interrupted(&catch, interrupted) {
        staged.abandon()?;
        return Err(e);
    }
    // From here the commit and its finishing touches run to the end; a
    // signal meanwhile is acted on once they are done.
    catch.uninterrupted(|| staged.commit())?;
    for note in catch.uninterrupted(|| staged.finish()) {
        notes.push(format!("Warning: {note}"));
    }
    drop(lock);
    if let Some(signal) = catch.received() {
        return Err(Error::interrupted(
            signal,
            format!(
                "{} arrived as the upgrade finished; it is complete: review it with `git diff`",
                interrupt::signal_name(signal)
            ),
        ));
    }
    Ok(Upgrade {
        plan,
        from,
        notes,
        applied: true,
    })
}

/// The plan and everything decided with it, before anything is written.
struct Prepared {
    plan: Plan,
    from: String,
    notes: Vec<String>,
    /// The whole new `.env`, when keys must be added to it.
    env: Option<Vec<u8>>,
    sources: Sources,
}

/// `dry_run` only changes how the notes are worded: it writes nothing either way.
fn prepare(dir: &Path, mut sources: Sources, dry_run: bool) -> Result<Prepared> {
    let plan = sources.plan();
    let from = sources.base_label();
    refuse_over_unresolved(&plan)?;
    let env_text = read_env(dir)?;
    let (env_lines, env_keys) = env_file::missing(
        env_text.as_deref().unwrap_or(""),
        &random::bytes()?,
        |path| plan.deleted_by_owner(path),
    );
    let mut notes: Vec<String> = sources
        .new_variables
        .iter()
        .map(|var| {
            format!(
                "{} the new variable {var} in {}, derived from the project name.",
                if dry_run { "Would record" } else { "Recorded" },
                manifest::FILE_NAME
            )
        })
        .collect();
    notes.extend(sources.notes.iter().cloned());
    if !env_keys.is_empty() {
        // --dry-run writes nothing, and says so in every line.
        notes.push(format!(
            "{} {} in {}, as init would.",
            if dry_run {
                "Would generate"
            } else {
                "Generated"
            },
            env_keys.join(", "),
            env_file::FILE
        ));
    }
    let env = (!env_lines.is_empty()).then(|| {
        let mut bytes = env_text.unwrap_or_default().into_bytes();
        let lines = if bytes.is_empty() {
            env_lines.trim_start_matches('\n')
        } else {
            &env_lines
        };
        bytes.extend_from_slice(lines.as_bytes());
        bytes
    });
    Ok(Prepared {
        plan,
        from,
        notes,
        env,
        sources,
    })
}

/// `--dry-run`: the plan, nothing written, no lock taken.
fn plan_only(dir: &Path, sources: Sources) -> Result<Upgrade> {
    let prepared = prepare(dir, sources, true)?;
    Ok(Upgrade {
        plan: prepared.plan,
        from: prepared.from,
        notes: prepared.notes,
        applied: false,
    })
}

/// A module is added to a project on this quickscale's starter only: one
/// change at a time keeps `git diff` reviewable.
fn refuse_add_when_behind(dir: &Path, sources: &Sources, adding: Option<&str>) -> Result<()> {
    let (Some(module), Some(manifest)) = (adding, &sources.manifest) else {
        return Ok(());
    };
    if manifest.starter_digest == starter::HEAD.digest {
        return Ok(());
    }
    Err(Error::new(format!(
        "'{}' is on the starter of quickscale {}, not this quickscale's ({}); run `quickscale \
         upgrade` and commit first, then `quickscale add {module}`: one change at a time keeps \
         `git diff` reviewable",
        dir.display(),
        manifest.quickscale_version,
        starter::HEAD.version
    )))
}

/// `error`, unless a signal arrived meanwhile: then the signal's report.
fn signal_or(catch: &interrupt::Catch, state: &str, error: Error) -> Error {
    match stop_if_interrupted(catch, state) {
        Err(stopped) => stopped,
        Ok(()) => error,
    }
}

fn stop_if_interrupted(catch: &interrupt::Catch, state: &str) -> Result<()> {
    match catch.received() {
        None => Ok(()),
        Some(signal) => Err(Error::interrupted(
            signal,
            format!("{} arrived {state}", interrupt::signal_name(signal)),
        )),
    }
}

/// The git index lines that register each conflict as unmerged: stage 1 the
/// base, 2 yours, 3 the starter's, each where it exists, as `git merge`
/// leaves a conflict. The blobs are stored now, before anything is written.
fn conflict_index(repo: &git::Repo, sources: &Sources, plan: &Plan) -> Result<Vec<String>> {
    let conflicts: Vec<&str> = plan
        .conflicts()
        .filter(|(_, c)| !matches!(c.reason, Reason::Unresolved | Reason::NotAFile(_)))
        .map(|(entry, _)| entry.path.as_str())
        .collect();
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    // The base and theirs as the plan was made from them: each rendered with
    // the modules of its side (the project's; and the one `add` adds).
    let side = |files: Option<&[RenderedFile]>, path: &str| {
        files
            .unwrap_or_default()
            .iter()
            .find(|f| f.path == path)
            .map(|f| (f.bytes.clone(), f.executable))
    };
    let mut lines = Vec::new();
    for path in conflicts {
        let entry = plan
            .entries
            .iter()
            .find(|e| e.path == path)
            .expect("a planned path");
        let yours = match &entry.yours {
            Yours::File(content) => Some((content.bytes.clone(), content.executable)),
            _ => None,
        };
        let base = side(sources.base_files.as_deref(), path);
        let theirs = side(Some(&sources.theirs), path);
        let mut stages = Vec::new();
        for (stage, side) in [(1u8, base), (2, yours), (3, theirs)] {
            if let Some((bytes, executable)) = side {
                stages.push((stage, executable, repo.store_blob(&bytes)?));
            }
        }
        lines.extend(repo.unmerged_lines(path, &stages));
    }
    Ok(lines)
}

/// The manifest after the upgrade: this binary's version and starter, the
/// hashes of the new render (the base of the next upgrade), and the files
/// left with conflict markers.
fn next_manifest(sources: &Sources, plan: &Plan) -> Manifest {
    let conflicts = plan
        .conflicts()
        .filter(|(_, conflict)| matches!(conflict.reason, Reason::Lines(_) | Reason::Unresolved))
        .map(|(entry, _)| entry.path.clone())
        .collect();
    let modules: Vec<&str> = sources.modules.iter().map(String::as_str).collect();
    Manifest::for_render(&sources.values, &modules, &sources.theirs, conflicts)
}

/// Markers left by the last upgrade must be resolved before a newer starter
/// is merged into the same files, or its changes there would be lost.
fn refuse_over_unresolved(plan: &Plan) -> Result<()> {
    let unresolved: Vec<&str> = plan
        .entries
        .iter()
        .filter(|e| e.is_unresolved())
        .map(|e| e.path.as_str())
        .collect();
    if unresolved.is_empty() || !plan.has_new_changes() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} still hold{} conflict markers from the last upgrade; resolve them and commit, then run upgrade again",
        unresolved.join(", "),
        if unresolved.len() == 1 { "s" } else { "" }
    )))
}

/// Refuses when git has uncommitted changes in any file the upgrade writes.
fn refuse_dirty(dir: &Path, repo: &git::Repo, plan: &Plan) -> Result<()> {
    // What the work tree holds, as the plan read it: the dirty check compares
    // these bytes with git's index instead of trusting its stat information.
    let manifest = project::inspect(dir, manifest::FILE_NAME)?;
    fn seen(yours: &Yours) -> Worktree<'_> {
        match yours {
            Yours::Absent => Worktree::Absent,
            Yours::File(content) => Worktree::File {
                bytes: &content.bytes,
                executable: content.executable,
            },
            Yours::Other(_) => Worktree::Other,
        }
    }
    let mut touched: Vec<(String, Worktree)> = plan
        .entries
        .iter()
        .filter(|e| e.written().is_some())
        .map(|e| (e.path.clone(), seen(&e.yours)))
        .collect();
    touched.push((manifest::FILE_NAME.to_owned(), seen(&manifest)));
    let dirty = repo.uncommitted(&touched)?;
    if dirty.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = dirty.iter().take(5).cloned().collect();
    let more = if dirty.len() > 5 {
        format!(" and {} more", dirty.len() - 5)
    } else {
        String::new()
    };
    Err(Error::new(format!(
        "uncommitted changes in files the upgrade would write ({}{more}); commit or stash them \
         first, so that `git diff` shows exactly what the upgrade did, or pass --allow-dirty",
        listed.join(", ")
    )))
}

/// The project's `.env`, read as safely as any project file; None when absent.
fn read_env(dir: &Path) -> Result<Option<String>> {
    match project::inspect(dir, env_file::FILE)? {
        Yours::Absent => Ok(None),
        Yours::File(content) => Ok(Some(String::from_utf8_lossy(&content.bytes).into_owned())),
        Yours::Other(what) => Err(Error::new(format!(
            "'{}' is {what}, not a regular file; quickscale keeps its secrets there: move it away \
             and run upgrade again",
            dir.join(env_file::FILE).display()
        ))),
    }
}

#[cfg(test)]
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the checks an upgrade makes before it writes, tried on projects in temporary directories"
)]
mod tests {
    use super::*;
    use crate::compare::{Content, Entry, Outcome, Take};
    use crate::conflict::Reason;
    use crate::git::tests::git;
    use crate::render::Values;
    use std::fs;

    fn content(bytes: &[u8]) -> Content {
        Content {
            bytes: bytes.to_vec(),
            executable: false,
        }
    }

    fn entry(path: &str, yours: &[u8], outcome: Outcome) -> Entry {
        Entry {
            path: path.into(),
            yours: Yours::File(content(yours)),
            outcome,
            binary: false,
        }
    }

    fn conflict(reason: Reason) -> Outcome {
        Outcome::Conflict(crate::compare::Conflict {
            reason,
            write: None,
            beside: None,
        })
    }

    fn take() -> Outcome {
        Outcome::Take(Take::Write(content(b"new\n")))
    }

    fn plan(entries: Vec<Entry>) -> Plan {
        Plan {
            project_name: "acme".into(),
            made_with: None,
            base_digest: None,
            base_version: None,
            entries,
        }
    }

    /// The sources of a project `acme` made by this quickscale, holding its
    /// manifest alone, in a new git repository.
    fn made() -> (tempfile::TempDir, Sources) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let names = crate::names::project_names("acme", &starter::top_level_modules()).unwrap();
        let values = Values::for_names(&names);
        let files = crate::render::render_with(&starter::HEAD, &values, &[]);
        let manifest = Manifest::for_render(&values, &[], &files, Vec::new());
        fs::write(root.join(manifest::FILE_NAME), manifest.to_toml()).unwrap();
        git(root, &["init", "-q"]);
        let sources = sources::open(root, None, sources::Verb::Upgrade, None).unwrap();
        (dir, sources)
    }

    #[test]
    fn conflicts_are_registered_with_each_sides_blob() {
        let (dir, mut sources) = made();
        let repo = git::repo(dir.path()).unwrap().unwrap();
        let (first, second) = (sources.theirs[0].clone(), sources.theirs[1].clone());
        // A base that differs from theirs, as an older starter's would.
        let mut base = sources.theirs.clone();
        base[1].bytes = b"base\n".to_vec();
        sources.base_files = Some(base);
        let conflicts = plan(vec![
            entry(&first.path, b"unresolved\n", conflict(Reason::Unresolved)),
            entry(&second.path, b"yours\n", conflict(Reason::Lines(1))),
            entry(
                "zz/dir",
                b"",
                conflict(Reason::NotAFile("a directory".into())),
            ),
            entry("zz/taken", b"", take()),
        ]);
        let blob = |bytes: &[u8]| repo.store_blob(bytes).unwrap();
        let expected = repo.unmerged_lines(
            &second.path,
            &[
                (1, second.executable, blob(b"base\n")),
                (2, false, blob(b"yours\n")),
                (3, second.executable, blob(&second.bytes)),
            ],
        );
        assert_eq!(
            conflict_index(&repo, &sources, &conflicts).unwrap(),
            expected
        );
        let none = plan(vec![entry("zz/taken", b"", take())]);
        assert_eq!(conflict_index(&repo, &sources, &none).unwrap(), [""; 0]);
    }

    #[test]
    fn unresolved_markers_stop_an_upgrade_that_has_changes_to_take() {
        let unresolved = |path| entry(path, b"", conflict(Reason::Unresolved));
        let refused = |entries| refuse_over_unresolved(&plan(entries));
        assert!(refused(vec![unresolved("a")]).is_ok(), "nothing new");
        assert!(refused(vec![entry("b", b"", take())]).is_ok());
        let err = refused(vec![unresolved("a"), entry("b", b"", take())]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a still holds conflict markers"),
            "{err}"
        );
        let err = refused(vec![
            unresolved("a"),
            unresolved("c"),
            entry("b", b"", take()),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a, c still hold conflict markers"),
            "{err}"
        );
    }

    #[test]
    fn a_module_is_added_only_to_a_project_on_this_starter() {
        let (dir, mut sources) = made();
        let module = starter::HEAD.modules[0].name;
        assert!(refuse_add_when_behind(dir.path(), &sources, Some(module)).is_ok());
        sources.manifest.as_mut().unwrap().starter_digest = "sha256:older".into();
        assert!(refuse_add_when_behind(dir.path(), &sources, None).is_ok());
        let err = refuse_add_when_behind(dir.path(), &sources, Some(module))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("then `quickscale add {module}`")),
            "{err}"
        );
    }

    #[test]
    fn missing_secrets_are_generated_into_env_and_said() {
        let (dir, sources) = made();
        let prepared = prepare(dir.path(), sources, true).unwrap();
        let env = String::from_utf8(prepared.env.expect("a new .env")).unwrap();
        assert!(env.starts_with("# Added by quickscale upgrade"), "{env}");
        assert!(env.contains("\nDJANGO_SECRET_KEY="), "{env}");
        assert_eq!(
            prepared.notes,
            // Not compose's password: the project has no compose file.
            ["Would generate DJANGO_SECRET_KEY in .env, as init would."]
        );
        // A complete .env needs nothing.
        let (dir, _) = made();
        fs::write(dir.path().join(".env"), env_file::new_file(&[7; 128])).unwrap();
        let sources = sources::open(dir.path(), None, sources::Verb::Upgrade, None).unwrap();
        let prepared = prepare(dir.path(), sources, false).unwrap();
        assert_eq!((prepared.env, prepared.notes), (None, Vec::<String>::new()));
        assert_eq!(
            read_env(dir.path()).unwrap().unwrap(),
            env_file::new_file(&[7; 128])
        );
        fs::remove_file(dir.path().join(".env")).unwrap();
        assert_eq!(read_env(dir.path()).unwrap(), None);
        fs::create_dir(dir.path().join(".env")).unwrap();
        let err = read_env(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a directory, not a regular file"), "{err}");
    }

    #[test]
    fn the_dirty_check_names_five_files_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        let names = ["a", "b", "c", "d", "e", "f"];
        for name in names {
            fs::write(root.join(name), "yours\n").unwrap();
        }
        let repo = git::repo(root).unwrap().unwrap();
        let written =
            |paths: &[&str]| plan(paths.iter().map(|p| entry(p, b"yours\n", take())).collect());
        let refused = |paths: &[&str]| {
            refuse_dirty(root, &repo, &written(paths))
                .unwrap_err()
                .to_string()
        };
        let err = refused(&names[..5]);
        assert!(err.contains("would write (a, b, c, d, e);"), "{err}");
        let err = refused(&names);
        assert!(
            err.contains("would write (a, b, c, d, e and 1 more);"),
            "{err}"
        );
        assert!(refuse_dirty(root, &repo, &written(&["none"])).is_ok());
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "sends the process the SIGTERM a `kill` would"
    )]
    fn a_signal_caught_meanwhile_is_reported_instead_of_the_error() {
        let catch = interrupt::catch();
        assert!(stop_if_interrupted(&catch, "before anything").is_ok());
        let error = signal_or(&catch, "before anything", Error::new("git failed"));
        assert_eq!(error.to_string(), "git failed");
        // SAFETY: SIGTERM is caught while `catch` lives; no other unit test
        // catches signals.
        assert_eq!(unsafe { libc::raise(libc::SIGTERM) }, 0);
        let stopped = stop_if_interrupted(&catch, "before anything").unwrap_err();
        assert_eq!(stopped.to_string(), "SIGTERM arrived before anything");
        let error = signal_or(&catch, "before anything", Error::new("git failed"));
        assert_eq!(error.to_string(), "SIGTERM arrived before anything");
    }
}
