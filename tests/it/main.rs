#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "the integration tests drive the real binary, files, processes and servers: purity by lint is for src/"
)]
//! The integration tests: one binary, so that shared support compiles once and
//! every helper exists in one place (`support`).
//!
//! Fast tests run the real quickscale binary in temporary directories; the
//! slow ones build scratch copies of the workspace, build the static binary,
//! package and install quickscale the ways its users do (`dist`), or install
//! and run the generated project for real (`e2e_starter`, `e2e_accounts`,
//! `e2e_security`, `e2e_shared_app`, `e2e_supply_chain`, `e2e_teams`, `e2e_upgrade`,
//! `e2e_modules`).

mod support;

mod binary_budget;
mod diff;
mod dist;
mod docs;
mod docs_git_subtree;
mod e2e_accounts;
mod e2e_billing;
mod e2e_modules;
mod e2e_security;
mod e2e_shared_app;
mod e2e_starter;
mod e2e_supply_chain;
mod e2e_teams;
mod e2e_upgrade;
mod history;
mod init;
mod invariants;
mod merge;
mod modules;
mod scratch_build;
mod static_binary;
mod upgrade;
mod upgrade_interrupt;
mod upgrade_safety;
