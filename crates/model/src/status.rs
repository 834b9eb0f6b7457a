//! What the shell tells the UI about itself and the store: the status bar's facts
//! and the one boundary error shape.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The one error shape that crosses the IPC boundary. The UI translates `code`;
/// `message` is the English detail (never containing personal data) shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BoundaryError {
    pub code: String,
    pub message: String,
    /// The form field the error is about, when there is one.
    pub field: Option<String>,
}

/// Result of the last delivery attempt (written by the sync worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    #[ts(type = "number | null")]
    pub last_attempt_at: Option<i64>,
    #[ts(type = "number | null")]
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The truth for the status bar, read from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusSnapshot {
    /// Outbox rows not yet delivered.
    pub outbox_pending: u32,
    pub sync: SyncStatus,
    /// Each delivery target: reachable or not, paused, what waits.
    pub targets: Vec<crate::TargetStatus>,
    /// Set when the configuration file cannot be used (nothing is delivered then).
    pub config_error: Option<String>,
    /// What was ignored or refused from the configuration (a user's file setting a locked
    /// section, a central master-data file with errors); English detail for IT.
    pub config_warnings: Vec<String>,
    pub update: UpdateInfo,
    pub data_dir: String,
    pub schema_version: u32,
    /// The data folder's disk: `ok`, `low` (intake warns) or `full` (no new pages).
    pub disk: String,
    #[ts(type = "number | null")]
    pub disk_free_bytes: Option<u64>,
    /// Days of room at last week's growth (`None`: nothing stored lately).
    pub disk_days_left: Option<u32>,
}

/// What the data folder holds, by kind (read on request: it sums every file's row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoreUsage {
    /// Raw scans, page images and thumbnails.
    #[ts(type = "number")]
    pub pages: u64,
    /// Released PDFs and Transfervermerke.
    #[ts(type = "number")]
    pub documents: u64,
    /// Submissions' PDFs.
    #[ts(type = "number")]
    pub submissions: u64,
    /// Every file of the blob store (attachments and the rest included).
    #[ts(type = "number")]
    pub files: u64,
    /// The database file.
    #[ts(type = "number")]
    pub database: u64,
    /// Bytes stored in the last seven days.
    #[ts(type = "number")]
    pub last_week: u64,
}

/// Updates from the city's own source (`[update]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UpdateInfo {
    /// Whether an update source is configured at all.
    pub configured: bool,
    /// A newer version, downloaded and its signature checked: ready to install.
    pub ready: Option<String>,
    pub notes: Option<String>,
    /// The last check's or installation's problem. An unreachable source is not one: the
    /// app works on and looks again later.
    pub error: Option<BoundaryError>,
    #[ts(type = "number | null")]
    pub checked_at: Option<i64>,
}

/// What the UI needs at start: version, where the data is, and whether the store opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// Set when the store could not be opened; the UI shows it instead of the workspaces.
    pub store_error: Option<BoundaryError>,
    /// The user's interface language (`de` or `en`).
    pub language: String,
    /// What this machine is for (`[station] role` in the machine's configuration).
    pub role: Role,
    /// The store waits for a passphrase: `enter` it, or `choose` one (a new data folder on
    /// a machine without an OS key store).
    pub unlock: Option<String>,
    /// Where to report accessibility barriers (`[station] accessibility_contact`), shown in
    /// the accessibility statement (BITV 2.0 § 7).
    pub accessibility_contact: Option<String>,
}

/// The machine's role, set by the administrator: which workspaces the app shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Role {
    /// Every workspace (the zero-configuration default).
    #[default]
    All,
    /// The scan office: batches, index, check, release; and the outbox.
    Scan,
    /// A field worker's laptop: forms, drafts, the outbox.
    Field,
    /// A citizens' self-service terminal: the terminal workspace only.
    Terminal,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Scan => "scan",
            Self::Field => "field",
            Self::Terminal => "terminal",
        }
    }
}
