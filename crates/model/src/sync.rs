//! What the sync view shows: outbox items with their state, reason and receipt, and the
//! delivery targets with their reachability.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    Pending,
    InFlight,
    Delivered,
    /// Failed; retried automatically after a backoff.
    Failed,
    /// Failed for a reason retrying cannot fix; waits for the user.
    FailedPermanently,
    /// The target refused the credentials; waits until they are fixed.
    Paused,
}

/// Why something failed: a stable code the UI words in the user's language, and the
/// technical detail (English, without personal data) shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncIssue {
    pub code: String,
    pub detail: String,
}

/// Proof of delivery: where the item is on the target and the hash the target confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Receipt {
    pub location: String,
    /// SHA-256 of the completion marker (the index/manifest that lists every file's hash).
    pub sha256: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// One outbox row as the sync view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxItem {
    #[ts(type = "number")]
    pub id: i64,
    /// `submission`, `document` or `checkpoint` (an anchor of the audit log).
    pub item_kind: String,
    pub item_id: String,
    pub target: String,
    pub state: OutboxState,
    #[ts(type = "number")]
    pub attempts: i64,
    #[ts(type = "number | null")]
    pub next_attempt_at: Option<i64>,
    pub error: Option<SyncIssue>,
    pub receipt: Option<Receipt>,
    #[ts(type = "number")]
    pub created_at: i64,
    /// The form of a submission, or the title of a scanned document.
    pub form_id: Option<String>,
    pub form_version: Option<String>,
    /// What people call it: a submission's caption (its first text answer, e.g. the
    /// Aktenzeichen), a document's Aktenzeichen index value.
    pub caption: Option<String>,
    /// A submission's short reference number.
    pub reference: Option<String>,
    /// The batch a document came from (its name).
    pub batch: Option<String>,
}

/// A delivery target as the status bar and the sync view show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TargetStatus {
    pub id: String,
    /// The name the administrator gave it.
    pub name: String,
    /// `folder`, `webdav`, `nextcloud`, `cmis`, `mayan`.
    pub kind: String,
    /// Where it delivers (URL without credentials, or folder).
    pub location: String,
    /// From the last probe; `null` before the first.
    pub online: Option<bool>,
    #[ts(type = "number | null")]
    pub last_probe_at: Option<i64>,
    #[ts(type = "number | null")]
    pub last_success_at: Option<i64>,
    pub last_error: Option<SyncIssue>,
    /// Set while the target is paused (credentials refused).
    pub paused: Option<SyncIssue>,
    pub waiting: u32,
    pub failed: u32,
}

/// A delivery target as the settings show and edit it (passwords never cross here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TargetSetting {
    pub id: String,
    pub name: Option<String>,
    /// `folder`, `webdav`, `nextcloud`, `cmis`, `mayan`.
    pub kind: String,
    pub url: Option<String>,
    pub path: Option<String>,
    pub user: Option<String>,
    /// Sub-folders (a template such as `{{formular}}/{{jahr}}`).
    pub folder: String,
    /// Set in the user's own settings (not by the administrator's machine configuration,
    /// and not the built-in local folder): may be changed or removed here.
    pub editable: bool,
    pub has_password: bool,
}
