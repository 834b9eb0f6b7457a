use crate::blobs::BlobStore;
use crate::error::{Error, Result};
use crate::{keys, migrate, paths};
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
    /// How the data key is unlocked (the key store, else `EINGANG_PASSPHRASE`, or a
    /// passphrase the user typed).
    pub unlock: keys::Unlock,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            unlock: keys::Unlock::Auto,
        }
    }
}

/// What the database file is, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    Missing,
    /// A plain SQLite file (from before encryption, or made by another tool).
    Plain,
    /// Anything else: SQLCipher's pages look like noise (or the file is damaged).
    Encrypted,
}

pub(crate) fn file_state(path: &Path) -> Result<FileState> {
    use std::io::Read as _;
    let mut head = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => match f.read(&mut head).map_err(Error::io(path))? {
            0 => Ok(FileState::Missing),
            n if n == 16 && &head == b"SQLite format 3\0" => Ok(FileState::Plain),
            _ => Ok(FileState::Encrypted),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(e) => Err(Error::io(path)(e)),
    }
}

/// An open store: the database connection, the blob store and the data folder.
///
/// One connection behind a mutex: every write is short, and the lock is never held
/// across an `.await` (callers run store work on blocking threads).
/// Free pages [`Store::reclaim`] returns per lock (4 MiB at SQLite's default page size).
pub const RECLAIM_STEP: u64 = 1024;

#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    data_dir: PathBuf,
    db_path: PathBuf,
    blobs: BlobStore,
    key_mode: keys::Mode,
    unlock: keys::Unlock,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` with default options.
    pub fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, &OpenOptions::default())
    }

    pub fn open_with(data_dir: &Path, opts: &OpenOptions) -> Result<Self> {
        paths::ensure_writable(data_dir)?;
        let db_path = data_dir.join(DB_FILE_NAME);
        let state = file_state(&db_path)?;
        match state {
            // A database from before encryption: refused untouched if too new or damaged,
            // else encrypted in place below, once its key exists.
            FileState::Plain => check_plain(&db_path)?,
            // Encrypted, but with no key file beside it: never make a new key over it.
            FileState::Encrypted if keys::mode(data_dir)?.is_none() => {
                return Err(Error::Corrupt {
                    path: db_path,
                    detail: format!(
                        "not a plain SQLite file and there is no {} beside it: damaged, or encrypted with a key whose file is missing (restore {} from the backup)",
                        keys::KEY_FILE,
                        keys::KEY_FILE
                    ),
                });
            }
            _ => {}
        }
        let opening = keys::for_store(data_dir, &opts.unlock)?;
        let mut key = opening.key.clone();
        if state == FileState::Plain {
            encrypt_in_place(&db_path, &key)?;
            tracing::info!("database encrypted in place");
        }
        // A key rotation that a crash interrupted: finished or undone, by what the file says.
        if let Some(next) = keys::next(data_dir, &opts.unlock)? {
            if opens(&db_path, &key) {
                keys::drop_next(data_dir);
            } else if opens(&db_path, &next) {
                keys::promote_next(data_dir)?;
                key = next;
                tracing::info!("key rotation completed after an interruption");
            }
        }
        let mut conn = open_connection(&db_path, opts, &key)?;
        let version = migrate::migrate(&mut conn, &db_path)?;
        let seeded = crate::tables::forms::seed_samples(&conn).map_err(|e| e.at(&db_path))?;
        if seeded > 0 {
            tracing::info!(forms = seeded, "sample forms added to the catalogue");
        }
        let blob_key = crate::seal::BlobKey::in_store(&conn).map_err(|e| e.at(&db_path))?;
        let blobs = BlobStore::open_sealed(&data_dir.join("blobs"), blob_key)?;
        tracing::info!(schema_version = version, "store opened");
        Ok(Self {
            conn: Mutex::new(conn),
            data_dir: data_dir.to_path_buf(),
            db_path,
            blobs,
            key_mode: opening.mode,
            unlock: opts.unlock.clone(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Returns free database pages to the disk, [`RECLAIM_STEP`] pages per lock so the app
    /// never waits long, at most `max_pages`; the bytes returned. A database made before
    /// Eingang chose incremental auto-vacuum keeps its free pages for reuse instead (until
    /// [`Store::compact`]).
    pub fn reclaim(&self, max_pages: u32) -> Result<u64> {
        let count = |c: &Connection, pragma: &str| -> rusqlite::Result<u64> {
            // SQLCipher answers `PRAGMA page_size` with a notice row first, and as text.
            let sql = format!("SELECT CAST({pragma} AS INTEGER) FROM pragma_{pragma}");
            let n: i64 = c.query_row(&sql, [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let page_size = self.with_conn(|c| Ok(count(c, "page_size")?))?;
        let mut freed = 0u64;
        let mut left = u64::from(max_pages);
        while left > 0 {
            let step = left.min(RECLAIM_STEP);
            let done = self.with_conn(|c| {
                let mode = count(c, "auto_vacuum")?;
                let free = count(c, "freelist_count")?;
                if mode != 2 || free == 0 {
                    return Ok(0);
                }
                c.execute_batch(&format!("PRAGMA incremental_vacuum({step})"))?;
                let after = count(c, "freelist_count")?;
                Ok(free.saturating_sub(after))
            })?;
            if done == 0 {
                break;
            }
            freed += done * page_size;
            left = left.saturating_sub(done);
        }
        Ok(freed)
    }

    /// Rewrites the database once with incremental auto-vacuum (a database from before
    /// it): later purges then return its free space to the disk. Holds the database for the
    /// whole rewrite and needs free disk the size of the database — run it with the app
    /// closed. Returns the file's size before and after.
    pub fn compact(&self) -> Result<(u64, u64)> {
        let size = || std::fs::metadata(&self.db_path).map_or(0, |m| m.len());
        let before = size();
        self.with_conn(|c| {
            c.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
            c.execute_batch("VACUUM")?;
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })?;
        Ok((before, size()))
    }

    /// Copies the data folder while the store is in use: the database as one consistent
    /// snapshot (exported encrypted under the same key), `key.json`, and every blob file it
    /// names (sealed, as they are). `dest` must not exist or be empty. Returns the number
    /// of blob files copied.
    pub fn backup_to(&self, dest: &Path) -> Result<usize> {
        if dest.exists()
            && std::fs::read_dir(dest)
                .map_err(Error::io(dest))?
                .next()
                .is_some()
        {
            return Err(Error::DataDirNotWritable {
                path: dest.to_path_buf(),
                reason: "the backup folder is not empty".into(),
            });
        }
        std::fs::create_dir_all(dest).map_err(Error::io(dest))?;
        let key_file = self.data_dir.join(keys::KEY_FILE);
        std::fs::copy(&key_file, dest.join(keys::KEY_FILE)).map_err(Error::io(&key_file))?;
        let key = keys::existing(&self.data_dir, &self.unlock)?
            .map(|(k, _)| k)
            .ok_or_else(|| Error::KeyFile {
                detail: "no key file".into(),
            })?;
        let db = dest.join(DB_FILE_NAME);
        let at = |e: rusqlite::Error| Error::from(e).at(&db);
        {
            let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
            export(&conn, &db, &key).map_err(at)?;
        }
        // The blob files the snapshot names, read from the snapshot itself: the store stays
        // free for the app while they are copied, and the list is streamed, not held.
        let snapshot = Connection::open_with_flags(
            &db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(at)?;
        key.apply(&snapshot).map_err(at)?;
        let mut stmt = snapshot.prepare("SELECT hash FROM blobs").map_err(at)?;
        let mut rows = stmt.query([]).map_err(at)?;
        let mut copied = 0;
        while let Some(row) = rows.next().map_err(at)? {
            let h: String = row.get(0).map_err(at)?;
            let from = self.blobs.path(&h)?;
            let to = dest.join("blobs").join(&h[..2]).join(&h);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
            }
            std::fs::copy(&from, &to).map_err(Error::io(&to))?;
            copied += 1;
        }
        Ok(copied)
    }

    /// Where the data key is kept.
    pub fn key_mode(&self) -> keys::Mode {
        self.key_mode
    }

    /// Re-encrypts the database under a new random key, stored as `new` says (the key
    /// store, or wrapped under a new passphrase), and drops the old key. Crash-safe: the
    /// new key is staged before the database is swapped, and the next open finishes or
    /// undoes an interrupted rotation. Needs the store to itself (the app closed).
    pub fn rotate_key(self, new: &keys::Unlock) -> Result<keys::Mode> {
        let dir = self.data_dir.clone();
        let path = self.db_path.clone();
        let new_key = keys::random()?;
        let tmp = path.with_extension("db.rekeyed");
        let _ = std::fs::remove_file(&tmp);
        {
            let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
            let at = |e: rusqlite::Error| Error::from(e).at(&path);
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(at)?;
            export(&conn, &tmp, &new_key).map_err(at)?;
        }
        let mode = keys::stage_next(&dir, &new_key, new)?;
        drop(self);
        swap_in(&tmp, &path)?;
        keys::promote_next(&dir)?;
        Ok(mode)
    }

    /// Starts a rotation of the blob key (the files' key, beside the database key): a new
    /// key for new files, the old one kept until [`Store::reseal_blobs`] has re-sealed every
    /// file. `false` when an earlier rotation is still unfinished (it is resumed instead).
    /// Reopen the store for new files to use the new key.
    pub fn rotate_blob_key(&self) -> Result<bool> {
        self.with_tx(|tx| crate::seal::BlobKey::rotate_in_store(tx))
    }

    /// Re-seals the blob files a rotation left under the previous key, file by file
    /// (resumable: a stop or a crash keeps everything readable); when all are done, the
    /// previous key is deleted. Returns (re-sealed, already current), or `None` when no
    /// rotation is pending.
    pub fn reseal_blobs(
        &self,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<Option<(usize, usize)>> {
        let key = self.with_conn(crate::seal::BlobKey::in_store)?;
        if !key.rotating() {
            return Ok(None);
        }
        let done = self.blobs.reseal_all(&key, stop)?;
        if !stop.load(std::sync::atomic::Ordering::Relaxed) {
            self.with_tx(|tx| crate::seal::BlobKey::finish_rotation(tx))?;
        }
        Ok(Some(done))
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

    /// [`Store::with_tx`] for work whose errors are not only the store's (a use case that
    /// validates, renders and writes in one transaction): rolled back on any `Err`.
    pub fn try_tx<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::from(e).at(&self.db_path))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| Error::from(e).at(&self.db_path))?;
        Ok(out)
    }
}

/// A database from a newer Eingang is refused before anything is written to it.
fn refuse_too_new(conn: &Connection, path: &Path) -> Result<()> {
    let found = migrate::schema_version(conn).map_err(|e| Error::from(e).at(path))?;
    if found > migrate::LATEST {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: migrate::LATEST,
        });
    }
    Ok(())
}

/// A plain database is only encrypted if this Eingang can read and migrate it.
fn check_plain(path: &Path) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::from(e).at(path))?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| Error::from(e).at(path))?;
    refuse_too_new(&conn, path)?;
    Ok(())
}

/// Encrypts a plain database with `key`: exported page by page into `<db>.encrypting`
/// (SQLCipher's `sqlcipher_export`), fsynced, then renamed over the original. A crash
/// before the rename leaves the plain file and the key file: the next start does it again.
fn encrypt_in_place(path: &Path, key: &keys::DataKey) -> Result<()> {
    let tmp = path.with_extension("db.encrypting");
    let at = |e: rusqlite::Error| Error::from(e).at(path);
    let _ = std::fs::remove_file(&tmp);
    {
        let conn = Connection::open(path).map_err(at)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(at)?;
        // Everything from the WAL into the file, and the WAL emptied.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(at)?;
        export(&conn, &tmp, key).map_err(at)?;
    }
    swap_in(&tmp, path)
}

/// Copies the open database into a new file encrypted with `key` (schema, rows, version).
fn export(conn: &Connection, to: &Path, key: &keys::DataKey) -> rusqlite::Result<()> {
    let version = migrate::schema_version(conn)?;
    let quoted = to.display().to_string().replace('\'', "''");
    let attach = zeroize::Zeroizing::new(format!(
        "ATTACH DATABASE '{quoted}' AS enc KEY \"{}\"",
        key.pragma().as_str()
    ));
    keys::one_keying_at_a_time(|| conn.execute_batch(&attach))?;
    conn.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
    conn.execute_batch(&format!(
        "PRAGMA enc.user_version = {version}; DETACH DATABASE enc;"
    ))
}

/// A keyed connection to the existing database of `data_dir`, without migrations or
/// pragmas — for `doctor`, repairs and tests that must look beneath the store. A plain
/// (not yet encrypted) database opens as it is.
pub fn connect(data_dir: &Path, unlock: &keys::Unlock) -> Result<Connection> {
    let path = data_dir.join(DB_FILE_NAME);
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::from(e).at(&path))?;
    if file_state(&path)? != FileState::Plain {
        if let Some((key, _)) = keys::existing(data_dir, unlock)? {
            key.apply(&conn).map_err(|e| Error::from(e).at(&path))?;
        }
    }
    Ok(conn)
}

/// Whether `key` opens the database at `path`.
fn opens(path: &Path, key: &keys::DataKey) -> bool {
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return false;
    };
    key.apply(&conn).is_ok()
        && conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .is_ok()
}

/// Replaces the file at `path` by `tmp` (fsynced first), dropping the old one's WAL.
fn swap_in(tmp: &Path, path: &Path) -> Result<()> {
    crate::durable::sync_file(tmp).map_err(Error::io(tmp))?;
    for side in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    crate::durable::replace(tmp, path).map_err(Error::io(path))?;
    if let Some(dir) = path.parent() {
        let _ = crate::durable::sync_dir(dir);
    }
    Ok(())
}

/// Opens the database file with its key and sets the pragmas that decide durability and
/// concurrency.
fn open_connection(path: &Path, opts: &OpenOptions, key: &keys::DataKey) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::from(e).at(path))?;
    key.apply(&conn).map_err(|e| Error::from(e).at(path))?;
    let setup = || -> rusqlite::Result<()> {
        conn.busy_timeout(opts.busy_timeout)?;
        // The first read of the file: a damaged or foreign file fails here, before any write.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(())
    };
    setup().map_err(|e| Error::from(e).at(path))?;
    // A database from a newer Eingang is refused before anything (even the journal mode)
    // is written to it.
    refuse_too_new(&conn, path)?;
    let pragmas = || -> rusqlite::Result<()> {
        // A new database returns the space a purge frees to the disk, step by step
        // ([`Store::reclaim`]); this can only be chosen before its first table.
        let fresh: bool =
            conn.query_row("SELECT count(*) = 0 FROM sqlite_schema", [], |r| r.get(0))?;
        if fresh {
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        }
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
        // Deleted content is overwritten, not left in free pages (a forgotten terminal
        // session, a deleted draft).
        conn.pragma_update(None, "secure_delete", true)?;
        Ok(())
    };
    pragmas().map_err(|e| Error::from(e).at(path))?;
    Ok(conn)
}
