use crate::blobs::BlobStore;
use crate::error::{Error, Result};
use crate::{migrate, paths};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// File name of the database inside the data folder.
pub const DB_FILE_NAME: &str = "eingang.db";

/// Knobs for [`Store::open_with`]; the defaults are what the app and CLI use.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long a writer waits for another writer before giving up with [`Error::Locked`].
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// An open store: the database connection, the blob store and the data folder.
///
/// One connection behind a mutex: every write is short, and the lock is never held
/// across an `.await` (callers run store work on blocking threads).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    data_dir: PathBuf,
    db_path: PathBuf,
    blobs: BlobStore,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` with default options.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, &OpenOptions::default())
    }

    pub fn open_with(data_dir: &Path, opts: &OpenOptions) -> Result<Self> {
        paths::ensure_writable(data_dir)?;
        let db_path = data_dir.join(DB_FILE_NAME);
        let mut conn = open_connection(&db_path, opts)?;
        let version = migrate::migrate(&mut conn, &db_path)?;
        let seeded = crate::tables::forms::seed_samples(&conn).map_err(|e| e.at(&db_path))?;
        if seeded > 0 {
            tracing::info!(forms = seeded, "sample forms added to the catalogue");
        }
        let blobs = BlobStore::open(&data_dir.join("blobs"))?;
        tracing::info!(schema_version = version, "store opened");
        Ok(Self {
            conn: Mutex::new(conn),
            data_dir: data_dir.to_path_buf(),
            db_path,
            blobs,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Runs `f` with the connection (single statements and reads).
    pub fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&conn).map_err(|e| e.at(&self.db_path))
    }

    /// Runs `f` in one write transaction: committed when `f` returns `Ok`, rolled back
    /// (nothing of it stored) when it returns `Err` or panics.
    pub fn with_tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let run = || {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run().map_err(|e: Error| e.at(&self.db_path))
    }
}

/// Opens the database file and sets the pragmas that decide durability and concurrency.
fn open_connection(path: &Path, opts: &OpenOptions) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::from(e).at(path))?;
    let setup = || -> rusqlite::Result<()> {
        conn.busy_timeout(opts.busy_timeout)?;
        // The first read of the file: a damaged or foreign file fails here, before any write.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(())
    };
    setup().map_err(|e| Error::from(e).at(path))?;
    // A database from a newer Eingang is refused before anything (even the journal mode)
    // is written to it.
    let found = migrate::schema_version(&conn).map_err(|e| Error::from(e).at(path))?;
    if found > migrate::LATEST {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: migrate::LATEST,
        });
    }
    let pragmas = || -> rusqlite::Result<()> {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "journal_mode WAL not available");
        }
        // A change the UI reported as saved must survive a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Temporary tables and sort spills never touch the disk as plaintext.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(())
    };
    pragmas().map_err(|e| Error::from(e).at(path))?;
    Ok(conn)
}
