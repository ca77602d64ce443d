//! Makes any change under starter/ rebuild quickscale, and exports a digest of
//! the starter (QUICKSCALE_STARTER_DIGEST) that the manifest records.
//!
//! `rerun-if-changed` on a directory makes cargo rescan the whole tree, so
//! added, removed and edited files all rerun this script; the digest changing
//! then forces the crate (and so the embedding macro) to recompile.

use std::path::Path;

use sha2::{Digest, Sha256};

#[path = "macros/src/walk.rs"]
mod walk;

fn main() {
    println!("cargo:rerun-if-changed=starter");
    println!("cargo:rerun-if-changed=build.rs");
    let entries = match walk::walk_starter(Path::new("starter")) {
        Ok(entries) => entries,
        Err(message) => {
            // The macro reports the same error with its own location; a
            // panic here would only bury it under a backtrace.
            println!("cargo:warning={message}");
            println!("cargo:rustc-env=QUICKSCALE_STARTER_DIGEST=invalid");
            return;
        }
    };
    let mut hasher = Sha256::new();
    for entry in &entries {
        let bytes = std::fs::read(&entry.abs)
            .unwrap_or_else(|e| panic!("starter/{}: cannot read: {e}", entry.rel));
        // Length-prefix each field so that no two different trees hash alike.
        for field in [entry.rel.as_bytes(), &[u8::from(entry.executable)], &bytes] {
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field);
        }
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=QUICKSCALE_STARTER_DIGEST=sha256:{digest}");
}
