//! What a release would make, for the summary the clerk confirms: the documents with their
//! index values and what the master data misses in them, the check, the protection the
//! documents would carry, and the first reason the release would be refused.

use super::{gate, index, Release};
use crate::masterdata::{self, FieldError};
use crate::pages::segments;
use crate::profile::{Protection as Need, ScanProfile};
use crate::qc;
use crate::transfer::Protection;
use crate::BatchError;
use eingang_model::BatchId;
use eingang_store::Store;

/// One document as it would be released.
#[derive(Debug, Clone)]
pub struct DocumentPreview {
    pub title: String,
    pub pages: usize,
    pub index: Vec<(String, String)>,
    pub issues: Vec<FieldError>,
}

/// A release before it happens.
#[derive(Debug)]
pub struct Preview {
    pub documents: Vec<DocumentPreview>,
    pub pages: usize,
    pub qc_open: usize,
    pub qc_failed: usize,
    pub qc_passed: bool,
    pub need: Need,
    /// What the documents would carry (with the configured sealer).
    pub protection: Protection,
    /// The written justification for going without a seal, when it applies.
    pub justification: Option<String>,
    /// The first reason the release would be refused now.
    pub blocked: Option<BatchError>,
}

impl Preview {
    /// The originals may be destroyed once every document is delivered.
    pub fn eligible(&self) -> bool {
        self.blocked.is_none()
            && self.qc_passed
            && (self.protection != Protection::None || self.justification.is_some())
    }
}

/// What releasing `batch_id` with `r` would make, without making anything.
pub fn preview(store: &Store, batch_id: &BatchId, r: &Release<'_>) -> Result<Preview, BatchError> {
    let (batch, pages, master) = super::load(store, batch_id)?;
    let need = serde_json::from_str::<ScanProfile>(&batch.profile_json)
        .map(|p| p.qc.protection)
        .unwrap_or_default();
    let today = eingang_store::rfc3339_utc(eingang_store::now_ms());
    let segs = segments(&pages);
    let total = segs.len();
    let documents: Vec<DocumentPreview> = segs
        .iter()
        .enumerate()
        .map(|(n, seg)| {
            let idx = index::merged(seg, r.index);
            DocumentPreview {
                title: super::numbered(r.title, n, total),
                pages: seg.len(),
                issues: masterdata::validate(&master, &idx, &today[..10]),
                index: idx,
            }
        })
        .collect();
    let state = qc::state(store, batch_id)?;
    let mut preview = Preview {
        pages: documents.iter().map(|d| d.pages).sum(),
        documents,
        qc_open: state.open,
        qc_failed: state.failed,
        qc_passed: state.passed,
        need,
        protection: Protection::None,
        justification: None,
        blocked: None,
    };
    let gate = gate::check(store, &batch, &pages)
        .and_then(|qc| gate::evidence(&qc, r.sealer, r.justification, r.authenticated));
    match gate {
        Ok((protection, justification)) => {
            preview.protection = protection;
            preview.justification = justification;
        }
        Err(e) => preview.blocked = Some(e),
    }
    if preview.blocked.is_none() {
        preview.blocked = if total == 0 {
            Some(BatchError::NoPages)
        } else {
            preview
                .documents
                .iter()
                .position(|d| !d.issues.is_empty())
                .map(|n| BatchError::IndexInvalid {
                    document: n + 1,
                    problems: preview.documents[n]
                        .issues
                        .iter()
                        .map(|e| e.message.clone())
                        .collect(),
                })
        };
    }
    Ok(preview)
}
