//! Integration tests of the store against real SQLite/SQLCipher files on disk.

// In tests a failed unwrap is a failed test, with its location; fixtures are small.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod attachments;
mod audit;
mod bad_input;
mod blobs;
mod drafts;
mod encryption;
mod forget;
mod forms;
mod full_disk;
mod migrations;
mod paging;
mod release;
mod retention;
mod tx;
mod vacuum;

use eingang_store::Store;
use tempfile::TempDir;

/// A fresh data folder with an opened store.
pub fn fresh() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("a new data folder must open");
    (dir, store)
}
