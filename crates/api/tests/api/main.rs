//! The use cases against a real store (SQLite/SQLCipher files on disk, the blob store).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod auto;
mod disk;
mod evidence;
mod loops;
mod provision;
mod submissions;
mod targets;
mod viewer;

use eingang_store::Store;
use tempfile::TempDir;

/// A fresh data folder with an opened store.
pub fn fresh() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("a new data folder must open");
    (dir, store)
}
