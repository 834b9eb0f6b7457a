//! Drafts: forms being filled in. A draft holds whatever the user typed so far —
//! incomplete and even invalid values are kept (nothing typed may be lost); only
//! what cannot belong to the form at all is refused.

use crate::ids::DraftId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Field key → value as typed: objects for groups, arrays of objects for repeat groups
/// (see `docs/forms.md`). Checked against the form by `eingang_forms::Form::check_draft`.
pub type DraftValues = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Draft {
    pub id: DraftId,
    pub form_id: String,
    pub form_version: String,
    pub values: DraftValues,
    /// Increases by one on every saved change.
    #[ts(type = "number")]
    pub revision: i64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// One row of the draft list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftSummary {
    pub id: DraftId,
    pub form_id: String,
    pub form_version: String,
    /// A short text the user recognises the draft by (the first filled text field).
    pub caption: String,
    /// Problems left before it can be finalised; `None` until first evaluated.
    pub open_issues: Option<u32>,
    #[ts(type = "number")]
    pub revision: i64,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// What a draft's attachment field stores per file; the bytes are in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentRef {
    /// SHA-256 of the content (the blob's name).
    pub blob: String,
    /// The file name as the user chose it (without folders).
    pub name: String,
    /// Determined from the content, never from the name.
    pub media_type: String,
    #[ts(type = "number")]
    pub size: i64,
}

/// One finalised submission, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubmissionSummary {
    /// UUIDv7 made at finalisation; the reference the user and the DMS see.
    pub id: String,
    pub form_id: String,
    pub form_version: String,
    pub caption: String,
    pub attachments: u32,
    /// SHA-256 of the submission's data as stored.
    pub sha256: String,
    /// The outbox state: `pending`, `in_flight`, `delivered`, `failed`, `paused`.
    pub delivery: String,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// What importing one file into the form catalogue did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    /// The file's name (or path).
    pub file: String,
    /// `added`, `unchanged`, `code_list` (a genericode list used for FIM schemas), `failed`.
    pub result: String,
    pub form_id: Option<String>,
    pub version: Option<String>,
    /// Why it failed (with the stable error code in brackets).
    pub error: Option<String>,
    /// For FIM schemas: what could not be mapped exactly, element by element.
    pub report: Vec<String>,
}
