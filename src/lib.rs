//! quickscale: writes a production-ready Django project from the starter
//! compiled into the binary, and compares projects with it.
//!
//! Module map: `cli` parses arguments and maps results to exit codes;
//! `starter` is the embedded table; `render` turns it into files; `names`
//! validates project names; `init` writes a project atomically, with
//! `interrupt` turning SIGINT/SIGTERM into a clean stop; `manifest`
//! records what init wrote; `diff` compares a project with the starter and
//! `report` shows the result (`patch_target` says where a patch applies);
//! `merge` is the three-way line merge (git's diff3 semantics) that upgrades
//! use; `error` is the single error type.

pub mod apply;
pub mod cli;
pub mod compare;
pub mod deadline;
pub mod diff;
pub mod env_file;
pub mod error;
pub mod git;
pub mod git_index;
pub mod init;
pub mod interrupt;
pub mod journal;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod modules;
pub mod names;
pub mod patch_target;
pub mod project;
pub mod random;
pub mod release_notes;
pub mod render;
pub mod report;
pub mod sources;
pub mod starter;
pub mod text;
pub mod upgrade;
