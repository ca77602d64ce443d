#![allow(
    clippy::disallowed_macros,
    reason = "a build script talks to cargo on standard output"
)]
//! Makes any change under starter/ or history/ rebuild quickscale.
//!
//! `rerun-if-changed` on a directory makes cargo rescan the whole tree, so
//! added, removed and edited files all rerun this script, and a rerun build
//! script recompiles the crate, so the `#[starter]` macro reads the trees
//! again. The macro itself computes the digests and the table.

fn main() {
    println!("cargo:rerun-if-changed=starter");
    println!("cargo:rerun-if-changed=history");
    println!("cargo:rerun-if-changed=build.rs");
}
