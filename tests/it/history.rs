//! The starter history compiled into the binary: each snapshot is exactly
//! what its version shipped, and projects made by a released quickscale find
//! their exact base in it.

use std::collections::BTreeMap;
use std::fs;

use quickscale::manifest::Manifest;
use quickscale::names::project_names;
use quickscale::render::{render, Values};
use quickscale::starter::{self, top_level_modules, HISTORY};
use quickscale::text::content_hash;

use crate::support::starters::{real_0_1_0_manifest, V0_1_0_DIGEST};
use crate::support::{repo_root, tree_digest, Generated};

/// `history/RELEASES`: version -> the digest that version shipped.
fn recorded_releases() -> BTreeMap<String, String> {
    let text = fs::read_to_string(repo_root().join("history/RELEASES")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (version, digest) = line.split_once(' ').expect("`<version> <digest>`");
            (version.to_owned(), digest.to_owned())
        })
        .collect()
}

#[test]
fn every_snapshot_is_what_its_version_shipped() {
    let recorded = recorded_releases();
    let compiled: BTreeMap<String, String> = HISTORY
        .values()
        .map(|s| (s.version.to_owned(), s.digest.to_owned()))
        .collect();
    assert_eq!(
        compiled, recorded,
        "history/<version>/ no longer matches history/RELEASES: a released snapshot was edited \
         (restore it with git), or scripts/release was not used"
    );
    assert_eq!(
        recorded.get("0.1.0").map(String::as_str),
        Some(V0_1_0_DIGEST)
    );
    for (version, digest) in &recorded {
        let dir = repo_root().join("history").join(version);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        assert_eq!(
            starter::by_digest(digest).map(|s| s.version),
            Some(version.as_str())
        );
    }
}

/// Every starter digest comes from one implementation, macros/src/digest.rs:
/// the macro embeds it, scripts/release records what a fresh build's `init`
/// writes into its manifest, and the tests digest trees on disk with the same
/// code (tests/it/support). Checked here from the files themselves, not from
/// the compiled table.
#[test]
fn every_digest_comes_from_the_one_implementation() {
    // What scripts/release reads: `starter_digest` in the manifest of a
    // project the freshly built binary makes.
    let project = Generated::new("acme");
    let manifest = fs::read_to_string(project.root.join(".quickscale.toml")).unwrap();
    let written = manifest
        .lines()
        .find_map(|line| line.strip_prefix("starter_digest = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the manifest records a starter digest");
    assert_eq!(written, tree_digest(&repo_root().join("starter")));
    assert_eq!(written, starter::HEAD.digest);
    // What scripts/release appended to history/RELEASES, against each
    // snapshot's files as they are now.
    for (version, digest) in recorded_releases() {
        assert_eq!(
            tree_digest(&repo_root().join("history").join(&version)),
            digest,
            "history/{version}/ was edited after its release; restore it with git"
        );
    }
}

#[test]
fn projects_made_by_the_real_0_1_0_find_their_exact_base() {
    let base = starter::by_digest(V0_1_0_DIGEST).expect("0.1.0 is compiled in");
    for name in ["acme", "my-app", "Client_Site"] {
        let manifest = Manifest::parse(&real_0_1_0_manifest(name), name).unwrap();
        assert_eq!(manifest.starter_digest, V0_1_0_DIGEST);
        let names = project_names(name, &top_level_modules()).unwrap();
        let rendered: BTreeMap<String, String> = render(base, &Values::for_names(&names))
            .into_iter()
            .map(|file| (file.path, content_hash(&file.bytes)))
            .collect();
        let recorded: BTreeMap<String, String> = manifest.files.into_iter().collect();
        assert_eq!(
            rendered, recorded,
            "{name}: every re-rendered file equals its manifest hash"
        );
    }
}

#[test]
fn identical_files_are_stored_once() {
    let mut references = 0;
    let mut blobs = std::collections::BTreeSet::new();
    for starter in std::iter::once(&starter::HEAD).chain(HISTORY.values()) {
        for file in starter.files {
            references += 1;
            blobs.insert(file.blob);
            assert!(
                starter::BLOBS.get(file.blob).is_some(),
                "{} has its body",
                file.starter_path
            );
        }
    }
    assert_eq!(
        blobs.len(),
        starter::BLOBS.len(),
        "no body is stored that no file uses"
    );
    assert!(
        blobs.len() < references,
        "the head and 0.1.0 share most files"
    );
}

#[test]
fn the_release_script_refuses_what_it_cannot_release() {
    let current = env!("CARGO_PKG_VERSION");
    for (version, expected) in [
        ("", "usage"),
        ("1.2", "is not a version"),
        ("v1.2.3", "is not a version"),
        ("01.2.3", "is not a version"),
        (current, "is not newer"),
        ("0.0.1", "is not newer"),
    ] {
        let mut command = std::process::Command::new(repo_root().join("scripts/release"));
        if !version.is_empty() {
            command.arg(version);
        }
        let output = command.current_dir(repo_root()).output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{version}: {err}");
        assert!(err.contains(expected), "{version}: {err}");
    }
}
