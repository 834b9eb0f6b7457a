//! End-to-end tests of the real Eingang app: the debug build, started by WebKitWebDriver
//! through tauri-driver under Xvfb, driven over WebDriver with a keep-alive client
//! (fantoccini). Nothing is mocked: the app talks to its real SQLite store.
//!
//! Run with `scripts/test.sh` (which builds the app and installs tauri-driver), or by hand:
//! `EINGANG_APP=target/debug/eingang-app TAURI_DRIVER=.tools/bin/tauri-driver
//!  cargo test -p eingang-e2e`. The harness starts its own Xvfb when `DISPLAY` is unset.

// In tests a failed unwrap is a failed test, with its location; fixtures are small.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines
)]

mod accessibility;
mod archive;
mod auto;
mod forms;
mod harness;
mod mailbox;
mod operations;
mod persistence;
mod scan;
mod scenario;
mod security;
#[path = "../../../../crates/sync/tests/sync/servers.rs"]
#[allow(dead_code)]
mod servers;
mod startup_errors;
mod sync;
mod team;
mod terminal;
mod workbench;
