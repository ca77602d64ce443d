//! quickscale: writes a production-ready Django project from the starter
//! compiled into the binary, and compares projects with it.
//!
//! **This library is not a stable API.** It exists for the `quickscale`
//! binary (`src/main.rs`) and the repository's own tests, and follows no
//! semantic versioning: anything here may change or vanish in any release.
//! Only what those use is public (a tidy test in `tests/it/invariants.rs`
//! holds the list): `cli::run` and `interrupt::ignore_file_size_limit` for the
//! binary; the starter tables, rendering, names, the manifest, the content
//! hash, the line merge and the conflict reasons for the tests. Every other
//! module is private; docs/ARCHITECTURE.md's code map says what each does.

// What the binary uses.
pub mod cli;
pub mod interrupt;

// What the integration tests use.
pub mod conflict;
pub mod git_index;
pub mod manifest;
pub mod merge;
pub mod names;
pub mod render;
pub mod starter;
pub mod text;

mod apply;
mod compare;
mod deadline;
mod diff;
mod env_file;
mod error;
mod git;
mod init;
mod journal;
mod lock;
mod modules;
mod patch_target;
mod project;
mod random;
mod release_notes;
mod report;
mod sources;
mod upgrade;
