//! End to end with the starter's modules on projects that have lived:
//! teams added by `quickscale add teams` to a project with a client team's
//! work (the same work `e2e_upgrade` upgrades), and a project made
//! `--with teams` taken to the next release by `upgrade`. Each then passes the
//! project's gates as a fresh project does: locked install, checks, the deploy
//! check, migrations, its tests with the coverage floor, ruff.

use std::fs;
use std::path::Path;

use quickscale::starter;

use crate::e2e_upgrade::{
    check_outcomes, commit, conflicts_of, keep_both, quickscale_json, read, rendered, team_work,
    write, NAME, TEAM_APP, TEAM_DELETED, TEAM_INTRO, TEAM_MIN_LENGTH, TEAM_ROUTE,
};
use crate::support::e2e::{output, passes_every_gate, run, uv, Project};
use crate::support::{copy_tree, git, quickscale, stderr, stdout, tree_digest, ScratchWorkspace};

const MODULE: &str = "teams";

#[test]
fn teams_added_to_a_project_with_a_teams_work_passes_every_gate() {
    added_to_a_project_with_a_teams_work(&[], MODULE);
}

/// Billing added to a project that has teams already: the team pays, and the
/// module's lines in the teams app (the team's address for Stripe, the billing
/// link in the team's menu) merge into it.
#[test]
fn billing_added_to_a_project_with_teams_and_a_teams_work_passes_every_gate() {
    added_to_a_project_with_a_teams_work(&["teams"], "billing");
}

/// `module` added by `quickscale add` to a project made with `modules` and
/// then worked on by a client team: the module's files as the starter has
/// them, every edit of the team's kept, conflicts only where both changed the
/// same lines, and once those are resolved by keeping both, every gate passed.
fn added_to_a_project_with_a_teams_work(modules: &[&str], module: &str) {
    let project = Project::generate_with(NAME, modules);
    let dir = &project.dir;
    git(dir, &["init", "-q"]);
    commit(dir, "Project made by quickscale");
    let ours = team_work(&project);

    let plan = quickscale_json(dir, &["add", module, "--dry-run", "--format", "json"]);
    let added = quickscale(dir, &["add", module]);
    let printed = format!("{}{}", stdout(&added), stderr(&added));
    let files = plan["files"].as_array().unwrap();
    let conflicts = conflicts_of(files);
    let expected_code = if conflicts.is_empty() { 0 } else { 1 };
    assert_eq!(added.status.code(), Some(expected_code), "{printed}");
    let base = rendered(starter::head_digest(), modules);
    let with: Vec<&str> = modules.iter().copied().chain([module]).collect();
    let theirs = rendered(starter::head_digest(), &with);
    check_outcomes(dir, files, &base, &ours, &theirs, &printed);

    // The module's own files, as the starter has them...
    let own: Vec<&String> = theirs.keys().filter(|p| !base.contains_key(*p)).collect();
    assert!(own.len() > 10, "the module's files: {own:?}");
    for path in own {
        assert_eq!(fs::read(dir.join(path)).unwrap(), theirs[path], "{path}");
    }
    // ... beside every edit of the team's, and no file of the team's touched.
    let settings = read(dir, "config/settings/base.py");
    assert!(settings.contains(TEAM_MIN_LENGTH) && settings.contains(TEAM_APP));
    assert!(read(dir, "README.md").starts_with(TEAM_INTRO));
    assert!(read(dir, "config/urls.py").contains(TEAM_ROUTE));
    assert!(!dir.join(TEAM_DELETED).exists());
    for (path, bytes) in ours.iter().filter(|(p, _)| p.starts_with("acme/blog/")) {
        assert_eq!(&fs::read(dir.join(path)).unwrap(), bytes, "{path}");
    }
    let manifest = read(dir, ".quickscale.toml");
    for enabled in &with {
        assert!(
            manifest.contains(&format!("\n{enabled} = \"enabled\"\n")),
            "{manifest}"
        );
    }
    assert!(printed.contains("manage.py migrate"), "{printed}");
    // A module with dependencies of its own has them installed before migrate.
    if base["uv.lock"] != theirs["uv.lock"] {
        assert!(printed.contains("\n  uv sync "), "{printed}");
    }

    // Resolved as a person would: both lines.
    for conflict in &conflicts {
        let path = conflict["path"].as_str().unwrap();
        assert_eq!(conflict["reason"], "lines", "{conflict}");
        write(dir, path, &keep_both(&read(dir, path)));
    }
    let settings = read(dir, "config/settings/base.py");
    assert!(settings.contains(TEAM_APP) && settings.contains(&format!("    \"acme.{module}\",\n")));
    commit(dir, &format!("Add the {module} module"));

    let env = passes_every_gate(&project, true);
    let teams_tests = run(env.tool("pytest").args([
        "-q",
        "-p",
        "no:cacheprovider",
        &format!("acme/{module}"),
        "acme/blog",
    ]));
    assert!(teams_tests.contains(" passed"), "{teams_tests}");

    // Adding it again has nothing to do, and writes nothing.
    let again = quickscale(dir, &["add", module]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert_eq!(
        stdout(&again),
        format!("acme already has the module {module}; nothing to do.\n")
    );
}

#[test]
fn a_project_made_with_teams_upgrades_to_the_next_release() {
    let scratch = ScratchWorkspace::new();
    // This build's starter as a release, unless it is one already (a history
    // snapshot with its digest): projects made by this build are at it.
    let head = tree_digest(&scratch.starter());
    let history = scratch.dir.path().join("history");
    let released = fs::read_dir(&history)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .any(|path| tree_digest(&path) == head);
    if !released {
        // The next patch version no snapshot has taken (the name is only a label:
        // projects record the version of the binary that wrote them).
        let (minor, patch) = env!("CARGO_PKG_VERSION").rsplit_once('.').unwrap();
        let patch: u64 = patch.parse().unwrap();
        let version = (patch + 1..)
            .map(|patch| format!("{minor}.{patch}"))
            .find(|version| !history.join(version).exists())
            .unwrap();
        copy_tree(&scratch.starter(), &history.join(version));
    }
    let this_release = Path::new(crate::support::BIN);
    let project = Project::generate_by(this_release, NAME, &[MODULE]);
    let dir = &project.dir;
    git(dir, &["init", "-q"]);
    commit(dir, "Project made with teams");
    // The team's note at the end of the module's models.
    let models = "acme/teams/models.py";
    let team_note = "\n\n# Our clinic's teams are its sites.\n";
    let mut text = read(dir, models);
    text.push_str(team_note);
    write(dir, models, &text);
    commit(dir, "A note on our teams");

    // The next release changes the module's own file and adds one.
    let next_line = "# Teams, as the next release has them.\n";
    let module_models = scratch
        .starter()
        .join("+teams/@PACKAGE_NAME@/teams/models.py");
    let text = fs::read_to_string(&module_models).unwrap();
    fs::write(&module_models, format!("{next_line}{text}")).unwrap();
    fs::write(
        scratch
            .starter()
            .join("+teams/@PACKAGE_NAME@/teams/tests/test_next_release.py"),
        "from @PACKAGE_NAME@.teams.models import Team\n\n\n\
         def test_a_team_is_shown_by_its_name():\n    \
         assert str(Team(name=\"Night shift\", slug=\"night\")) == \"Night shift\"\n",
    )
    .unwrap();
    let next = scratch.build().expect("the next starter builds");

    let upgraded = std::process::Command::new(&next)
        .arg("upgrade")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(upgraded.status.code(), Some(0), "{upgraded:?}");
    let merged = read(dir, models);
    assert!(merged.starts_with(next_line), "{merged}");
    assert!(merged.ends_with(team_note), "{merged}");
    assert!(dir.join("acme/teams/tests/test_next_release.py").is_file());
    assert!(read(dir, ".quickscale.toml").contains("\n[modules]\nteams = \"enabled\"\n"));
    commit(dir, "Upgrade");

    let env = passes_every_gate(&project, false);
    let next_tests = run(env.tool("pytest").args([
        "-q",
        "-p",
        "no:cacheprovider",
        "acme/teams/tests/test_next_release.py",
    ]));
    assert!(next_tests.contains("1 passed"), "{next_tests}");
}

/// One `starter/uv.lock` serves every project quickscale can make: rendered
/// for each combination of the starter's modules, it is exactly what `uv lock`
/// wants for that project's pyproject.toml (`scripts/lock-starter` writes it).
#[test]
fn every_combination_of_modules_is_locked() {
    let head = starter::by_digest(starter::head_digest()).unwrap();
    let names: Vec<&str> = head.modules.iter().map(|module| module.name).collect();
    assert!(names.contains(&"billing"), "{names:?}");
    for subset in 0..1u32 << names.len() {
        let with: Vec<&str> = (0..names.len())
            .filter(|i| subset & (1 << i) != 0)
            .map(|i| names[i])
            .collect();
        let project = Project::generate_with("locked", &with);
        let (locked, shown, printed) = output(project.cmd(uv()).args(["lock", "--check"]));
        assert!(
            locked,
            "`{shown}` with {with:?} failed (scripts/lock-starter rewrites the lock):\n{printed}"
        );
    }
}
