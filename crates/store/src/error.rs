use eingang_forms::DraftValueError;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the store. Each has a stable [`Error::code`] the UI translates; every message
/// names the file concerned and what to do, and never contains what the user typed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the data folder {path} cannot be written ({reason}); choose another folder with --data-dir or EINGANG_DATA_DIR, or fix its permissions")]
    DataDirNotWritable { path: PathBuf, reason: String },
    #[error("no data folder could be determined (no home directory); pass --data-dir or set EINGANG_DATA_DIR")]
    NoDataDir,
    #[error("the database {path} has schema version {found}, but this Eingang understands up to {supported}; install the newer Eingang that wrote it — the file is left untouched")]
    SchemaTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("the database {path} is damaged or not an Eingang database ({detail}); it was left untouched — restore it from a backup or move it aside and contact IT support")]
    Corrupt { path: PathBuf, detail: String },
    #[error("the database {path} is locked by another program; close other Eingang windows or `eingang` commands and try again")]
    Locked { path: PathBuf },
    #[error("the disk holding {path} is full; free some space — nothing already saved was lost")]
    DiskFull { path: PathBuf },
    #[error("the database {path} is read-only; fix its permissions or choose another data folder")]
    ReadOnly { path: PathBuf },
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error("this batch is released: its pages, index values and checks can no longer be changed (the delivered documents and the log would disagree); scan the pages again into a new batch to correct them")]
    BatchReleased,
    #[error("this batch waits for its release to finish (a service it needs was unreachable; it is retried automatically); withdraw the release to change it")]
    ReleasePending,
    #[error("the list position {0:?} is not one this list handed out; load the list again from its start")]
    BadCursor(String),
    #[error("file error at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} {id} does not exist (it may have been deleted)")]
    NotFound { what: &'static str, id: String },
    #[error("form {id} version {version} is not in the catalogue")]
    UnknownForm { id: String, version: String },
    #[error("{0}")]
    InvalidValue(#[from] DraftValueError),
    #[error("the form in {origin} cannot be used: {}", errors.join("; "))]
    FormInvalid { origin: String, errors: Vec<String> },
    #[error("form {id} version {version} is already in the catalogue with different content; give the changed form a new version")]
    FormConflict { id: String, version: String },
    #[error("the stored data of {what} {id} cannot be read ({detail})")]
    BadRow {
        what: &'static str,
        id: String,
        detail: String,
    },
    #[error("the file '{name}' cannot be attached: {reason}")]
    AttachmentRefused {
        name: String,
        reason: String,
        /// `empty`, `too_large`, `unknown_type`, `type_not_accepted`, `not_attachment_field`.
        kind: &'static str,
    },
    #[error("blob {hash} is damaged: its content no longer matches its SHA-256 name; restore the data folder from a backup")]
    BlobCorrupt { hash: String },
    #[error("blob {hash} is missing from {path}")]
    BlobMissing { hash: String, path: PathBuf },
    #[error("'{input}' is not a blob name (64 lowercase hex characters expected)")]
    BadBlobName { input: String },
    #[error("internal error: {detail}")]
    Internal { detail: String },
    #[error("the data in {dir} is encrypted with a passphrase; enter it (or set EINGANG_PASSPHRASE for a service)")]
    PassphraseNeeded { dir: PathBuf },
    #[error("the passphrase is too short: use at least 12 characters (a sentence is easiest to remember)")]
    PassphraseWeak,
    #[error("the key does not open the data in {dir}: a wrong passphrase, or a key store entry from another installation; nothing was changed")]
    KeyWrong { dir: PathBuf },
    #[error("the key of the data in {dir} cannot be reached: {detail}; sign in to the desktop session that holds it, or restore the key from the backup")]
    KeyUnavailable { dir: PathBuf, detail: String },
    #[error("the key file cannot be used ({detail}); restore key.json from the backup of the data folder")]
    KeyFile { detail: String },
}

/// The messages the schema's triggers raise (migration 15).
const RAISED_RELEASED: &str = "eingang:batch_released";
const RAISED_PENDING: &str = "eingang:release_pending";

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(_, Some(m)) if m == RAISED_RELEASED => {
                Self::BatchReleased
            }
            rusqlite::Error::SqliteFailure(_, Some(m)) if m == RAISED_PENDING => {
                Self::ReleasePending
            }
            _ => Self::Sqlite(e),
        }
    }
}

impl Error {
    /// Maps "no row" to [`Error::NotFound`] naming `what` and `id`.
    pub(crate) fn not_found<'a>(
        what: &'static str,
        id: &'a (impl std::fmt::Display + ?Sized),
    ) -> impl FnOnce(rusqlite::Error) -> Self + 'a {
        move |e| match e {
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound {
                what,
                id: id.to_string(),
            },
            other => other.into(),
        }
    }

    /// Stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::DataDirNotWritable { .. } => "store.data_dir_not_writable",
            Self::NoDataDir => "store.no_data_dir",
            Self::SchemaTooNew { .. } => "store.schema_too_new",
            Self::Corrupt { .. } => "store.corrupt",
            Self::Locked { .. } => "store.locked",
            Self::DiskFull { .. } => "store.disk_full",
            Self::ReadOnly { .. } => "store.read_only",
            Self::Sqlite(_) => "store.sqlite",
            Self::BatchReleased => "batch.released",
            Self::ReleasePending => "batch.release_pending",
            Self::Io { .. } => "store.io",
            Self::BadCursor(_) => "store.bad_cursor",
            Self::NotFound { .. } => "store.not_found",
            Self::UnknownForm { .. } => "form.unknown",
            Self::InvalidValue(_) => "draft.invalid_value",
            Self::FormInvalid { .. } => "form.invalid",
            Self::FormConflict { .. } => "form.conflict",
            Self::BadRow { .. } => "store.bad_row",
            Self::Internal { .. } => "store.internal",
            Self::AttachmentRefused { kind, .. } => match *kind {
                "empty" => "attachment.empty",
                "too_large" => "attachment.too_large",
                "unknown_type" => "attachment.unknown_type",
                "type_not_accepted" => "attachment.type_not_accepted",
                _ => "attachment.not_attachment_field",
            },
            Self::BlobCorrupt { .. } => "blob.corrupt",
            Self::BlobMissing { .. } => "blob.missing",
            Self::BadBlobName { .. } => "blob.bad_name",
            Self::PassphraseNeeded { .. } => "store.passphrase_needed",
            Self::PassphraseWeak => "store.passphrase_weak",
            Self::KeyWrong { .. } => "store.key_wrong",
            Self::KeyUnavailable { .. } => "store.key_unavailable",
            Self::KeyFile { .. } => "store.key_file",
        }
    }

    /// The form field an error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidValue(e) => e.field(),
            _ => None,
        }
    }

    /// Turns a raw SQLite error into the variant a user can act on, naming `path`.
    #[must_use]
    pub fn at(self, path: &Path) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        let Self::Sqlite(e) = self else { return self };
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(C::NotADatabase | C::DatabaseCorrupt) => Self::Corrupt {
                path,
                detail: e.to_string(),
            },
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Locked { path },
            Some(C::DiskFull) => Self::DiskFull { path },
            Some(C::ReadOnly | C::CannotOpen | C::PermissionDenied) => Self::ReadOnly { path },
            _ => Self::Sqlite(e),
        }
    }

    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| {
            if source.raw_os_error() == Some(28) {
                // ENOSPC
                return Self::DiskFull {
                    path: path.to_path_buf(),
                };
            }
            Self::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}
