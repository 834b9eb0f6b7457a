//! Read-only look at a data folder for `eingang doctor`: never creates, migrates or
//! repairs anything.

use crate::error::Error;
use crate::{migrate, DB_FILE_NAME};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What doctor reports about the database.
#[derive(Debug)]
pub struct DbReport {
    pub path: PathBuf,
    /// `None` when there is no database yet (it is created on first start).
    pub size_bytes: Option<u64>,
    /// Schema version, or why it could not be read.
    pub schema: Result<u32, Error>,
    pub supported_schema: u32,
    pub sqlite_version: String,
    /// SQLCipher's version; `None` would mean a build without SQLCipher.
    pub cipher_version: Option<String>,
    /// Number of drafts, when the schema could be read.
    pub drafts: Option<u32>,
    /// Where the data key is kept (`None`: not encrypted yet — it is on the next start),
    /// or, when it cannot be unlocked, the error's code (`schema` holds the error).
    pub encryption: Result<Option<crate::keys::Mode>, &'static str>,
    /// What the files in the blob store hold, when the schema could be read.
    pub storage: Option<Storage>,
    /// Free pages in the database file (bytes), and whether a purge returns them to the
    /// disk (incremental auto-vacuum) or only reuses them.
    pub free: Option<(u64, bool)>,
}

/// The blob store by kind, and how much it grew lately (for the forecast).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Storage {
    pub total: u64,
    /// Raw scans, page images and thumbnails.
    pub pages: u64,
    /// Released PDFs and Transfervermerke.
    pub documents: u64,
    /// Submissions' PDFs (attachments count under `total`).
    pub submissions: u64,
    /// Bytes stored in the last seven days.
    pub last_week: u64,
}

/// How many days of the last week's growth `free` bytes hold; `None` without growth.
pub fn days_left(storage: &Storage, free: u64) -> Option<u64> {
    let per_day = storage.last_week / 7;
    (per_day > 0).then(|| free / per_day)
}

/// Bytes stored in the last seven days (along `blobs_by_created`: the cost follows the week,
/// not the store).
pub fn last_week(conn: &Connection) -> rusqlite::Result<u64> {
    let week_ago = crate::now_ms() - 7 * 24 * 3600 * 1000;
    let v: i64 = conn.query_row(
        "SELECT coalesce(sum(size), 0) FROM blobs WHERE created_at > ?1",
        [week_ago],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// The blob store by kind (reads every blob row: for `doctor` and on request, not polls).
pub fn storage(conn: &Connection) -> rusqlite::Result<Storage> {
    let week_ago = crate::now_ms() - 7 * 24 * 3600 * 1000;
    let sum = |sql: &str| -> rusqlite::Result<u64> {
        let v: i64 = conn.query_row(sql, [week_ago], |r| r.get(0))?;
        Ok(u64::try_from(v).unwrap_or(0))
    };
    Ok(Storage {
        total: sum("SELECT coalesce(sum(size), 0) FROM blobs WHERE ?1 IS NOT NULL")?,
        last_week: last_week(conn)?,
        pages: sum(
            "SELECT coalesce(sum(size), 0) FROM blobs WHERE ?1 IS NOT NULL AND hash IN
               (SELECT raw_blob FROM pages UNION SELECT image_blob FROM pages
                UNION SELECT thumb_blob FROM pages)",
        )?,
        documents: sum(
            "SELECT coalesce(sum(size), 0) FROM blobs WHERE ?1 IS NOT NULL AND hash IN
               (SELECT pdf_blob FROM documents UNION SELECT transfer_blob FROM documents)",
        )?,
        submissions: sum(
            "SELECT coalesce(sum(size), 0) FROM blobs WHERE ?1 IS NOT NULL AND hash IN
               (SELECT pdf_blob FROM submissions)",
        )?,
    })
}

/// Reports on `data_dir/eingang.db` without changing it.
pub fn inspect(data_dir: &Path) -> DbReport {
    let path = data_dir.join(DB_FILE_NAME);
    let (sqlite_version, cipher_version) = library_versions();
    let size_bytes = std::fs::metadata(&path).ok().map(|m| m.len());
    let mut report = DbReport {
        path: path.clone(),
        size_bytes,
        schema: Ok(0),
        supported_schema: migrate::LATEST,
        sqlite_version,
        cipher_version,
        drafts: None,
        encryption: Ok(None),
        storage: None,
        free: None,
    };
    if size_bytes.is_none() {
        return report;
    }
    let plain = matches!(
        crate::db::file_state(&path),
        Ok(crate::db::FileState::Plain)
    );
    let key = if plain {
        None
    } else {
        match crate::keys::existing(data_dir, &crate::keys::Unlock::Auto) {
            Ok(k) => k,
            Err(e) => {
                report.encryption = Err(e.code());
                report.schema = Err(e);
                return report;
            }
        }
    };
    report.encryption = Ok(key.as_ref().map(|(_, m)| *m));
    let opened = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|c| {
        if let Some((k, _)) = &key {
            k.apply(&c)?;
        }
        c.busy_timeout(Duration::from_secs(2))?;
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(c)
    });
    let conn = match opened {
        Ok(c) => c,
        Err(e) => {
            report.schema = Err(Error::from(e).at(&path));
            return report;
        }
    };
    report.schema = match migrate::schema_version(&conn) {
        Ok(v) if v > migrate::LATEST => Err(Error::SchemaTooNew {
            path: path.clone(),
            found: v,
            supported: migrate::LATEST,
        }),
        Ok(v) => Ok(v),
        Err(e) => Err(Error::from(e).at(&path)),
    };
    if matches!(report.schema, Ok(v) if v >= 1) {
        report.drafts = crate::tables::drafts::count(&conn).ok();
    }
    if matches!(report.schema, Ok(v) if v >= 9) {
        report.storage = storage(&conn).ok();
    }
    report.free = free_pages(&conn).ok();
    report
}

fn free_pages(conn: &Connection) -> rusqlite::Result<(u64, bool)> {
    let get = |p: &str| -> rusqlite::Result<i64> {
        conn.query_row(
            &format!("SELECT CAST({p} AS INTEGER) FROM pragma_{p}"),
            [],
            |r| r.get(0),
        )
    };
    let bytes = get("freelist_count")? * get("page_size")?;
    Ok((u64::try_from(bytes).unwrap_or(0), get("auto_vacuum")? == 2))
}

/// SQLite's and SQLCipher's versions, from an in-memory database.
pub fn library_versions() -> (String, Option<String>) {
    let sqlite = rusqlite::version().to_owned();
    let cipher = Connection::open_in_memory().ok().and_then(|c| {
        c.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0))
            .ok()
    });
    (sqlite, cipher)
}
