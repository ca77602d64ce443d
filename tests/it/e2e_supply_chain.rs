//! The generated project's supply chain, checked on a project as `init` writes it:
//!
//! - every image (the Dockerfile's base, compose's and CI's PostgreSQL) is pinned
//!   by digest, CI's PostgreSQL is compose's, and Dependabot watches both files;
//! - the uv that the Dockerfile installs is the one CI uses, and its hashes are
//!   those of the real wheels on PyPI, one per platform of the base image
//!   (pip downloads each with `--require-hashes`);
//! - zizmor finds nothing in the workflow or Dependabot's configuration, and
//!   every checkout leaves no credentials behind;
//! - CI's vulnerability audit runs here as written, up to the query itself
//!   (`--dry-run`): the lock exports and pip-audit reads every pinned package.
//!
//! What no test here can do: pull the images (no Docker registry is reachable),
//! and query PyPI's advisory data (not reachable from these machines).

use std::fs;

use crate::support::e2e::{python, run, tool, tools, Project};

/// `name:tag@sha256:<64 hex>`, the form Dependabot keeps fresh.
fn assert_pinned(image: &str, file: &str) {
    let (reference, digest) = image
        .split_once("@sha256:")
        .unwrap_or_else(|| panic!("{file}: {image} is not pinned by digest"));
    let (name, tag) = reference
        .split_once(':')
        .unwrap_or_else(|| panic!("{file}: {image} names no tag beside its digest"));
    assert!(!name.is_empty() && !tag.is_empty(), "{file}: {image}");
    assert!(
        digest.len() == 64
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{file}: {image} has a malformed digest"
    );
}

/// The value after `key:` on each line that has it, quotes removed.
fn yaml_values<'t>(text: &'t str, key: &str) -> Vec<&'t str> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix(key))
        .map(|value| value.trim().trim_matches('"'))
        .collect()
}

/// One of the project's YAML files as JSON, read by PyYAML (pre-commit's
/// dependency in the test tools' virtualenv).
fn yaml(project: &Project, file: &str) -> serde_json::Value {
    let out = run(project.cmd(tool(tools().join("venv/bin/python"))).args([
        "-c",
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        file,
    ]));
    serde_json::from_str(&out).unwrap()
}

#[test]
fn images_are_pinned_by_digest_and_watched_by_dependabot() {
    let project = Project::generate("pinned");
    let read = |file: &str| fs::read_to_string(project.dir.join(file)).unwrap();

    let dockerfile = read("Dockerfile");
    let bases: Vec<&str> = dockerfile
        .lines()
        .filter_map(|line| line.strip_prefix("FROM "))
        .map(|rest| rest.split_whitespace().next().unwrap())
        // Later stages start from earlier ones by name.
        .filter(|image| image.contains(':'))
        .collect();
    assert_eq!(bases.len(), 1, "one base image: {bases:?}");
    assert_pinned(bases[0], "Dockerfile");
    assert!(bases[0].starts_with("python:3.13-slim-"), "{}", bases[0]);

    let compose = read("docker-compose.yml");
    let compose_images = yaml_values(&compose, "image:");
    let db = compose_images
        .iter()
        .find(|image| image.starts_with("postgres:"))
        .expect("compose runs PostgreSQL");
    assert_pinned(db, "docker-compose.yml");
    // The web image is built here, not pulled: it has a name and no registry.
    for image in compose_images.iter().filter(|image| *image != db) {
        assert!(!image.contains(':'), "docker-compose.yml pulls {image}");
    }

    let ci = read(".github/workflows/ci.yml");
    let ci_images = yaml_values(&ci, "image:");
    assert_eq!(ci_images, [*db], "CI's PostgreSQL is compose's");

    // Dependabot watches the Dockerfile and the compose file, at the root.
    let dependabot = yaml(&project, ".github/dependabot.yml");
    let watched: Vec<(&str, &str)> = dependabot["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|update| {
            (
                update["package-ecosystem"].as_str().unwrap(),
                update["directory"].as_str().unwrap(),
            )
        })
        .collect();
    for ecosystem in ["docker", "docker-compose", "github-actions", "uv"] {
        assert!(
            watched.contains(&(ecosystem, "/")),
            "Dependabot does not watch {ecosystem}: {watched:?}"
        );
    }
}

#[test]
fn the_image_installs_the_pinned_uv_by_its_pypi_hashes() {
    let project = Project::generate("uv-pin");
    let dockerfile = fs::read_to_string(project.dir.join("Dockerfile")).unwrap();
    // The requirement line the Dockerfile writes: `uv==V --hash=... --hash=...`.
    let start = dockerfile.find("\"uv==").expect("the Dockerfile pins uv") + 1;
    let end = start + dockerfile[start..].find('"').unwrap();
    let requirement: String = dockerfile[start..end]
        .split_whitespace()
        .filter(|word| *word != "\\")
        .collect::<Vec<_>>()
        .join(" ");
    let version = requirement
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches("uv==");
    let hashes = requirement.matches("--hash=sha256:").count();
    assert_eq!(hashes, 7, "{requirement}");
    assert!(
        dockerfile.contains("--require-hashes -r /tmp/uv-requirements.txt"),
        "{dockerfile}"
    );

    // CI uses the same uv.
    let ci = fs::read_to_string(project.dir.join(".github/workflows/ci.yml")).unwrap();
    let versions = yaml_values(&ci, "version:");
    assert!(!versions.is_empty(), "CI pins uv");
    assert!(versions.iter().all(|v| *v == version), "{versions:?}");

    // Each platform of the base image gets a wheel whose hash is listed: pip
    // refuses a download whose hash is not.
    let scratch = tempfile::tempdir().unwrap();
    let requirements = scratch.path().join("uv-requirements.txt");
    fs::write(&requirements, format!("{requirement}\n")).unwrap();
    let pip = tool(tools().join("venv/bin/pip"));
    for platform in [
        "manylinux2014_x86_64",
        "manylinux_2_28_aarch64",
        "manylinux2014_aarch64",
        "manylinux2014_armv7l",
        "manylinux2014_i686",
        "manylinux2014_ppc64le",
    ] {
        let dest = scratch.path().join(platform);
        run(project
            .cmd(&pip)
            .args(["download", "--quiet", "--no-deps", "--only-binary=:all:"])
            .args(["--python-version", "3.13", "--platform", platform])
            .arg("--require-hashes")
            .arg("--requirement")
            .arg(&requirements)
            .arg("--dest")
            .arg(&dest));
        let wheels: Vec<String> = fs::read_dir(&dest)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(wheels.len(), 1, "{platform}: {wheels:?}");
        assert!(
            wheels[0].starts_with(&format!("uv-{version}-")),
            "{platform}: {wheels:?}"
        );
    }
}

#[test]
fn zizmor_finds_nothing_and_checkouts_keep_no_credentials() {
    let project = Project::generate("audited");
    let out = run(project.cmd(tool(tools().join("venv/bin/zizmor"))).args([
        "--offline",
        "--no-progress",
        ".",
    ]));
    assert!(out.contains("No findings to report"), "{out}");

    let ci = yaml(&project, ".github/workflows/ci.yml");
    let mut checkouts = 0;
    for (job, spec) in ci["jobs"].as_object().unwrap() {
        for step in spec["steps"].as_array().unwrap() {
            if step["uses"]
                .as_str()
                .is_some_and(|uses| uses.starts_with("actions/checkout@"))
            {
                checkouts += 1;
                assert_eq!(
                    step["with"]["persist-credentials"],
                    serde_json::json!(false),
                    "job {job}: {step}"
                );
            }
        }
    }
    assert_eq!(checkouts, 3, "lint, audit and test check out the code");
}

#[test]
fn the_ci_audit_runs_on_the_lock_up_to_the_query() {
    let project = Project::generate("audit-me");
    let ci = yaml(&project, ".github/workflows/ci.yml");
    let steps = ci["jobs"]["audit"]["steps"].as_array().unwrap();
    let script = steps
        .iter()
        .find_map(|step| step["run"].as_str())
        .expect("the audit job runs a command");
    assert!(script.contains("pip-audit"), "{script}");
    assert!(script.contains("uv export --locked"), "{script}");
    // The step as CI runs it, with pip-audit told to stop before the query: it
    // still installs, reads the exported lock and checks every hash is there.
    let script = script.replace(
        "--requirement \"$RUNNER_TEMP/requirements.txt\"\n",
        "--requirement \"$RUNNER_TEMP/requirements.txt\" --dry-run\n",
    );
    assert!(script.ends_with("--dry-run\n"), "{script}");
    let runner_temp = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        tools().join("venv/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = run(project
        .cmd("bash")
        .args(["-e", "-o", "pipefail", "-c", &script])
        .env("RUNNER_TEMP", runner_temp.path())
        .env("UV_PYTHON", python("3.13"))
        .env("PATH", path));
    assert!(
        out.contains("Dry run: would have audited"),
        "pip-audit read the lock: {out}"
    );
    let exported = fs::read_to_string(runner_temp.path().join("requirements.txt")).unwrap();
    assert!(exported.contains("django==5.2"), "{exported}");
    assert!(exported.contains("--hash=sha256:"), "{exported}");
}
