//! Eingang's local store: the source of truth on the machine.
//!
//! - [`Store::open`] is the one place that decides durability and concurrency: it creates
//!   the data folder, checks that it is writable, sets the pragmas (WAL, `synchronous=FULL`,
//!   foreign keys, busy timeout, temp store in memory) and runs the embedded migrations.
//! - The database is SQLite built with SQLCipher (rusqlite `bundled-sqlcipher`), encrypted
//!   with a random data key ([`keys`]: in the OS key store, or wrapped under a passphrase);
//!   a plain database from before is encrypted in place on the first open.
//! - [`tables`] holds one module per table with its read and write functions;
//!   [`Store::with_tx`] is the visible boundary of a multi-table write.
//! - [`blobs::BlobStore`] keeps large bytes outside SQLite, named by their SHA-256.
//!
//! Nothing here ever deletes or resets a database it cannot read: it reports why.

pub mod blobs;
mod db;
pub mod durable;
mod error;
mod forget;
pub mod inspect;
pub mod keys;
pub mod migrate;
pub mod paths;
pub mod retention;
pub mod seal;
pub mod tables;

pub use blobs::Sweep;
pub use db::{connect, OpenOptions, Store, DB_FILE_NAME};
pub use eingang_model::time::{now_ms, rfc3339_utc};
pub use error::{Error, Result};
pub use forget::Forgotten;
pub use rusqlite::Connection;
