//! Modules end to end, on a scratch starter with a module of its own beside
//! the real starter's (teams): `init --with`, `add` onto a project with a
//! team's edits, the property that `init --with X` equals `init` then `add X`,
//! `modules`, the refusals, and `upgrade` carrying a module forward.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pretty_assertions::assert_eq;

use crate::support::starters::project_0_1_0;
use crate::support::{copy_tree, git, project_snapshot, stderr, stdout, ScratchWorkspace};

const APP_LINE: &str = "    \"acme.demo\",\n";

/// Gives the scratch starter the module `demo`: an app of its own, its line in
/// INSTALLED_APPS, a README section, and a line only projects without it get.
fn add_demo_module(starter: &Path, app_body: &str) {
    let write = |rel: &str, text: &str| {
        let file = starter.join(rel);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, text).unwrap();
    };
    write(
        "+demo/module.toml",
        "description = \"A demo for the tests\"\nenv = [\"DEMO_TOKEN\"]\n",
    );
    write("+demo/@PACKAGE_NAME@/demo/__init__.py", "");
    write("+demo/@PACKAGE_NAME@/demo/apps.py", app_body);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = starter.join(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} holds {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "config/settings/base.py",
        "    \"@PACKAGE_NAME@.users\",\n",
        "    \"@PACKAGE_NAME@.users\",\n@IF(demo)@    \"@PACKAGE_NAME@.demo\",\n",
    );
    let readme = starter.join("README.md");
    let mut text = fs::read_to_string(&readme).unwrap();
    text.push_str("\n@BEGIN(demo)@\n## Demo\n\nThe demo module of @PROJECT_NAME@.\n@END(demo)@\n");
    fs::write(&readme, text).unwrap();
}

fn run(binary: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `init acme [--with ...]` in a new directory under `parent`, committed.
fn init(binary: &Path, parent: &Path, with: &[&str]) -> PathBuf {
    fs::create_dir_all(parent).unwrap();
    let mut args = vec!["init", "acme"];
    args.extend(with);
    let output = run(binary, parent, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let root = parent.join("acme");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "init"]);
    root
}

/// The tree without `.env` (its secrets differ) and `.git`.
fn files(root: &Path) -> std::collections::BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut snapshot = project_snapshot(root);
    snapshot.retain(|path, _| !path.starts_with(".git") && !path.starts_with(".env"));
    snapshot
}

#[test]
fn modules_are_chosen_at_init_or_added_later_with_a_three_way_merge() {
    let scratch = ScratchWorkspace::new();
    add_demo_module(
        &scratch.starter(),
        "from django.apps import AppConfig\n\n\nclass DemoConfig(AppConfig):\n    name = \"acme.demo\"\n",
    );
    let binary = scratch.build().expect("a starter with a module builds");
    let tmp = tempfile::tempdir().unwrap();

    // Without --with, no trace of the module; with it, its files and lines.
    let plain = init(&binary, &tmp.path().join("plain"), &[]);
    assert!(!plain.join("acme/demo").exists());
    let settings = fs::read_to_string(plain.join("config/settings/base.py")).unwrap();
    assert!(!settings.contains("acme.demo") && !settings.contains("@IF"));
    assert!(!fs::read_to_string(plain.join(".quickscale.toml"))
        .unwrap()
        .contains("[modules]"));
    let with = init(&binary, &tmp.path().join("with"), &["--with", "demo"]);
    assert!(with.join("acme/demo/apps.py").exists());
    let settings = fs::read_to_string(with.join("config/settings/base.py")).unwrap();
    assert!(settings.contains(&format!("    \"acme.users\",\n{APP_LINE}")));
    assert!(fs::read_to_string(with.join("README.md"))
        .unwrap()
        .ends_with("\n## Demo\n\nThe demo module of acme.\n"));
    assert!(fs::read_to_string(with.join(".quickscale.toml"))
        .unwrap()
        .contains("\n[modules]\ndemo = \"enabled\"\n"));

    // `modules` lists it, and marks it where a project has it.
    let listed = stdout(&run(&binary, &with, &["modules", "."]));
    assert_eq!(
        listed.lines().find(|line| line.contains("demo")),
        // Aligned with the real starter's longest name, `billing`.
        Some("* demo     A demo for the tests"),
        "{listed}"
    );
    let unmarked = stdout(&run(&binary, &plain, &["modules", "."]));
    assert!(
        unmarked.lines().any(|line| line.starts_with("  demo  ")),
        "{unmarked}"
    );

    // The property: init --with X gives what init then add X gives.
    let output = run(&binary, &plain, &["add", "demo"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = stdout(&output);
    for said in [
        "Added the module demo to acme:",
        "uv run python manage.py migrate",
        "set DEMO_TOKEN in .env",
        "git add -A && git commit -m 'Add the demo module'",
    ] {
        assert!(report.contains(said), "{said:?} in\n{report}");
    }
    assert_eq!(files(&plain), files(&with));
    let again = run(&binary, &plain, &["add", "demo"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        "acme already has the module demo; nothing to do.\n"
    );

    // Onto a project with a team's edits: their edits stay, the module's
    // lines merge in; a conflict only where they edited the module's anchor.
    let edited = init(&binary, &tmp.path().join("edited"), &[]);
    let settings_path = edited.join("config/settings/base.py");
    let settings = fs::read_to_string(&settings_path).unwrap();
    let settings = settings
        .replacen("TIME_ZONE", "# Our clinic's settings.\nTIME_ZONE", 1)
        .replacen(
            "    \"acme.core\",\n",
            "    \"acme.core\",\n    \"acme.booking\",\n",
            1,
        );
    fs::write(&settings_path, &settings).unwrap();
    let readme_path = edited.join("README.md");
    let readme = fs::read_to_string(&readme_path)
        .unwrap()
        .replacen("# acme", "# Acme clinic", 1);
    fs::write(&readme_path, &readme).unwrap();
    fs::create_dir_all(edited.join("acme/booking")).unwrap();
    fs::write(edited.join("acme/booking/models.py"), "# bookings\n").unwrap();
    git(&edited, &["commit", "-q", "-a", "-m", "the team's work"]);
    git(&edited, &["add", "-A"]);
    git(&edited, &["commit", "-q", "-m", "booking"]);
    let output = run(&binary, &edited, &["add", "demo"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let merged = fs::read_to_string(&settings_path).unwrap();
    assert!(merged.contains("# Our clinic's settings.\n"), "{merged}");
    assert!(merged.contains("    \"acme.booking\",\n"), "{merged}");
    assert!(
        merged.contains(&format!("    \"acme.users\",\n{APP_LINE}")),
        "{merged}"
    );
    assert!(fs::read_to_string(&readme_path)
        .unwrap()
        .starts_with("# Acme clinic"));
    assert_eq!(
        fs::read_to_string(edited.join("acme/booking/models.py")).unwrap(),
        "# bookings\n"
    );

    let anchored = init(&binary, &tmp.path().join("anchored"), &[]);
    let path = anchored.join("config/settings/base.py");
    let text = fs::read_to_string(&path).unwrap().replacen(
        "    \"acme.users\",\n",
        "    \"acme.users\",\n    \"acme.ours\",\n",
        1,
    );
    fs::write(&path, text).unwrap();
    git(
        &anchored,
        &["commit", "-q", "-a", "-m", "our app where the module goes"],
    );
    let output = run(&binary, &anchored, &["add", "demo"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(fs::read_to_string(&path).unwrap().contains("<<<<<<< yours"));
    let status = stdout(&git(&anchored, &["status", "--porcelain=v1"]));
    assert!(status.contains("UU config/settings/base.py"), "{status}");

    // Refusals: an unknown module, and a project behind this starter.
    let before = files(&plain);
    let unknown = run(&binary, &plain, &["add", "payments"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown module 'payments'; the modules are: billing ("),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(files(&plain), before);
    let old = project_0_1_0(&tmp.path().join("old"), "acme");
    let behind = run(&binary, &old, &["add", "demo"]);
    assert_eq!(behind.status.code(), Some(2), "{}", stdout(&behind));
    assert!(
        stderr(&behind).contains("run `quickscale upgrade` and commit first"),
        "{}",
        stderr(&behind)
    );
}

#[test]
fn upgrade_carries_a_module_forward() {
    let scratch = ScratchWorkspace::new();
    let v1 = "from django.apps import AppConfig\n\n\nclass DemoConfig(AppConfig):\n    name = \"acme.demo\"\n";
    add_demo_module(&scratch.starter(), v1);
    // The release of this starter, as scripts/release would snapshot it.
    copy_tree(
        &scratch.starter(),
        &scratch.dir.path().join("history/0.2.1"),
    );
    let first = scratch.build().expect("the released starter builds");
    let tmp = tempfile::tempdir().unwrap();
    let project = init(&first, tmp.path(), &["--with", "demo"]);
    let apps = project.join("acme/demo/apps.py");
    let mut text = fs::read_to_string(&apps).unwrap();
    text.push_str("\n# the team's note\n");
    fs::write(&apps, &text).unwrap();
    // And their words for the module's README section, which the next starter
    // rewords too: a conflict in a line only projects with the module have.
    let readme = project.join("README.md");
    let ours = fs::read_to_string(&readme).unwrap().replace(
        "The demo module of acme.",
        "Our demo, as the clinic runs it.",
    );
    fs::write(&readme, ours).unwrap();
    git(&project, &["commit", "-q", "-a", "-m", "note"]);

    // The next starter changes the module's own file.
    let next = v1.replace(
        "AppConfig):\n",
        "AppConfig):\n    verbose_name = \"Demo\"\n",
    );
    fs::write(
        scratch.starter().join("+demo/@PACKAGE_NAME@/demo/apps.py"),
        &next,
    )
    .unwrap();
    let starter_readme = scratch.starter().join("README.md");
    let next_readme = fs::read_to_string(&starter_readme).unwrap().replace(
        "The demo module of @PROJECT_NAME@.",
        "Demo, the module of @PROJECT_NAME@.",
    );
    fs::write(&starter_readme, next_readme).unwrap();
    let second = scratch.build().expect("the next starter builds");
    let output = run(&second, &project, &["upgrade"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // git holds the conflict's three sides, the base rendered with the module.
    let stage = |n: u8| stdout(&git(&project, &["show", &format!(":{n}:README.md")]));
    assert!(
        stage(1).ends_with("\n## Demo\n\nThe demo module of acme.\n"),
        "{}",
        stage(1)
    );
    assert!(stage(2).ends_with("\nOur demo, as the clinic runs it.\n"));
    assert!(stage(3).ends_with("\nDemo, the module of acme.\n"));
    let merged = fs::read_to_string(&apps).unwrap();
    assert!(merged.contains("    verbose_name = \"Demo\"\n"), "{merged}");
    assert!(merged.ends_with("\n# the team's note\n"), "{merged}");
    assert!(fs::read_to_string(project.join(".quickscale.toml"))
        .unwrap()
        .contains("\n[modules]\ndemo = \"enabled\"\n"));
}

#[test]
fn each_module_of_the_starter_added_later_gives_what_init_with_it_gives() {
    let binary = Path::new(crate::support::BIN);
    let tmp = tempfile::tempdir().unwrap();
    let listed = stdout(&run(binary, tmp.path(), &["modules"]));
    let modules: Vec<&str> = listed
        .lines()
        .filter(|line| line.starts_with("* ") || line.starts_with("  "))
        .filter_map(|line| line[2..].split_whitespace().next())
        .collect();
    assert!(modules.contains(&"teams"), "{listed}");
    for module in modules {
        let plain = init(binary, &tmp.path().join(format!("plain-{module}")), &[]);
        let before = files(&plain);
        let planned = stdout(&run(binary, &plain, &["add", module, "--dry-run"]));
        assert!(
            planned.starts_with(&format!("Plan for adding the module {module} to acme ")),
            "{planned}"
        );
        assert!(planned.ends_with("Nothing was written (--dry-run).\n"));
        assert_eq!(files(&plain), before);
        let output = run(binary, &plain, &["add", module]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let with = init(
            binary,
            &tmp.path().join(format!("with-{module}")),
            &["--with", module],
        );
        assert_eq!(files(&plain), files(&with), "{module}");
        // Run from inside the project, `modules` marks what it has.
        let inside = stdout(&run(binary, &with.join("acme"), &["modules"]));
        assert!(inside.contains(&format!("* {module} ")), "{inside}");
        assert!(inside.contains("enabled in this project"), "{inside}");
    }
    // Outside any project, nothing is marked.
    assert!(!listed.contains("* "), "{listed}");
}
