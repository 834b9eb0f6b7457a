//! The quality check station (TR-RESISCAN A.SC.8, A.NB.1–3).
//!
//! - **Sampling by protection need**: `normal` checks one document in ten, `hoch` one in
//!   two, `sehr_hoch` every document (so every page). Which documents are drawn follows from
//!   a hash of the batch and the document's first page: stable, and not the scanner's choice.
//!   A batch always has at least one document drawn. Documents split off for
//!   straight-through release are drawn as in the batch they came from.
//! - **Automatic flags** a person reviews: blank pages, too dark or too light, skew left,
//!   page-count mismatch, barcode unread, OCR or processing failed. A flagged document must
//!   be checked even when not drawn. Where the profile expects blank backs (duplex scans), a
//!   blank page on the back of a sheet that is not blank — an even page of its document right
//!   after one that is not blank — is noted (`blank_back:N`, in the Transfervermerk), not
//!   flagged; any other blank page is flagged as before.
//! - **An explicit verdict** per document (passed / failed with a reason), by a person;
//!   **four-eyes** when the profile asks for it: the checker is not who scanned the batch.
//!   A verdict holds for the pages it saw: after an edit the document is checked again.
//! - The batch may be released when every document that needs a check has passed; its
//!   originals may be destroyed only then (recorded at release).

use crate::pages::segments;
use crate::profile::ScanProfile;
pub use crate::profile::{Protection, QcSettings};
use crate::BatchError;
use eingang_model::{BatchId, PageId};
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::tables::qc;
use eingang_store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A document of the batch as the checker sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocCheck {
    pub first_page: PageId,
    pub page_ids: Vec<PageId>,
    /// `code` or `code:page` (1-based page within the document).
    pub flags: Vec<String>,
    /// What is recorded but needs no check: `blank_back:page` where blank backs are expected.
    pub notes: Vec<String>,
    pub sampled: bool,
    /// Needs a verdict: drawn or flagged.
    pub required: bool,
    /// The latest verdict that still holds for these pages.
    pub verdict: Option<qc::Verdict>,
}

/// The batch's check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QcState {
    pub settings: QcSettings,
    pub scanned_by: String,
    pub documents: Vec<DocCheck>,
    /// Documents that need a verdict and have none that holds.
    pub open: usize,
    pub failed: usize,
    /// Every required document passed.
    pub passed: bool,
}

/// Whether the document is drawn for the check: a hash of the batch's and the first page's
/// ids, so the draw is stable and cannot be steered.
fn drawn<B, P>(batch_id: &B, first_page: &P, rate: f64) -> bool
where
    B: std::fmt::Display + ?Sized,
    P: std::fmt::Display + ?Sized,
{
    let h = Sha256::digest(format!("{batch_id}\n{first_page}").as_bytes());
    let n = u16::from_be_bytes([h[0], h[1]]);
    f64::from(n) / 65536.0 < rate
}

/// Whether page `i` (0-based) of the document is the blank back of a sheet whose front is
/// not blank: an even page (1-based) right after one that is not blank.
fn blank_back(doc: &[&pages::PageRow], i: usize) -> bool {
    i % 2 == 1 && doc[i].blank && !doc[i - 1].blank
}

/// The document's flags (a person must check it) and notes (recorded only).
fn flags(doc: &[&pages::PageRow], profile: &ScanProfile) -> (Vec<String>, Vec<String>) {
    let s = &profile.qc;
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    for (i, p) in doc.iter().enumerate() {
        let n = i + 1;
        if p.state == "failed" {
            out.push(format!("processing_failed:{n}"));
        }
        if s.blank_backs && blank_back(doc, i) {
            notes.push(format!("blank_back:{n}"));
        } else if p.blank {
            out.push(format!("blank:{n}"));
        }
        #[allow(clippy::cast_possible_truncation)]
        let ink = p.ink.unwrap_or(0.0) as f32;
        if ink > s.dark_percent {
            out.push(format!("too_dark:{n}"));
        } else if !p.blank && p.ink.is_some() && ink < s.light_percent {
            out.push(format!("too_light:{n}"));
        }
        #[allow(clippy::cast_possible_truncation)]
        let skew = p.skew.map(|k| k.abs() as f32);
        let limit = if profile.processing.deskew { 14.5 } else { 0.5 };
        if skew.is_some_and(|k| k > limit) {
            out.push(format!("skew:{n}"));
        }
        if p.ocr_state.as_deref() == Some("failed") {
            out.push(format!("ocr_failed:{n}"));
        }
    }
    if let Some(every) = profile.separation.every_n_pages {
        if doc.len() != every as usize {
            out.push("page_count".into());
        }
    }
    let wanted = &profile.separation.index_from_barcodes;
    if let Some(first) = doc.first() {
        if wanted
            .iter()
            .any(|rule| !first.index.iter().any(|(f, _)| f == &rule.field))
        {
            out.push("barcode_unread".into());
        }
    }
    (out, notes)
}

/// The batch's documents with their flags, whether each was drawn, and the verdicts.
pub fn state(store: &Store, batch_id: &BatchId) -> Result<QcState, BatchError> {
    let (batch, pages, verdicts) = store.with_conn(|c| {
        Ok((
            batches::batch(c, batch_id)?,
            pages::pages(c, batch_id)?,
            qc::verdicts(c, batch_id)?,
        ))
    })?;
    let profile: ScanProfile =
        serde_json::from_str(&batch.profile_json).map_err(|e| BatchError::Profile {
            reason: e.to_string(),
        })?;
    let rate = profile.qc.protection.sample_rate();
    // Documents split off (straight-through) are drawn as in the batch they came from.
    let draws_as = batch.split_from.unwrap_or(batch.id);
    let mut documents: Vec<DocCheck> = segments(&pages)
        .into_iter()
        .map(|doc| {
            let first_page = doc[0].id;
            let page_ids: Vec<PageId> = doc.iter().map(|p| p.id).collect();
            let (flags, notes) = flags(&doc, &profile);
            let sampled = drawn(&draws_as, &first_page, rate);
            let verdict = verdicts
                .iter()
                .rev()
                .find(|v| v.first_page == first_page)
                .filter(|v| v.page_ids == page_ids)
                .cloned();
            DocCheck {
                required: sampled || !flags.is_empty(),
                first_page,
                page_ids,
                flags,
                notes,
                sampled,
                verdict,
            }
        })
        .collect();
    // A batch has at least one document drawn; a split-off one had its draw in its origin.
    if batch.split_from.is_none() && !documents.iter().any(|d| d.sampled) {
        if let Some(first) = documents.first_mut() {
            first.sampled = true;
            first.required = true;
        }
    }
    let open = documents
        .iter()
        .filter(|d| d.required && d.verdict.is_none())
        .count();
    let failed = documents
        .iter()
        .filter(|d| d.verdict.as_ref().is_some_and(|v| !v.passed))
        .count();
    Ok(QcState {
        settings: profile.qc,
        scanned_by: batch.scanned_by,
        passed: open == 0 && failed == 0 && !documents.is_empty(),
        documents,
        open,
        failed,
    })
}

/// Records `checker`'s verdict on the document starting at `first_page` (the app and the
/// CLI pass the person signed in, [`eingang_store::tables::audit::actor`]). Refused: an unknown document, four-eyes
/// broken, a failed verdict without a reason.
pub fn record_verdict(
    store: &Store,
    batch_id: &BatchId,
    first_page: &PageId,
    checker: &str,
    passed: bool,
    note: &str,
) -> Result<(), BatchError> {
    let st = state(store, batch_id)?;
    let doc = st
        .documents
        .iter()
        .find(|d| d.first_page == *first_page)
        .ok_or(BatchError::DocumentChanged)?;
    let checker = checker.trim().to_owned();
    if checker.is_empty() {
        return Err(BatchError::CheckerMissing);
    }
    if st.settings.four_eyes && checker.trim().eq_ignore_ascii_case(st.scanned_by.trim()) {
        return Err(BatchError::FourEyes { checker });
    }
    let note = note.trim();
    if !passed && note.is_empty() {
        return Err(BatchError::NoteRequired);
    }
    if note.chars().count() > 2000 {
        return Err(BatchError::NoteTooLong);
    }
    let verdict = qc::Verdict {
        batch_id: *batch_id,
        first_page: *first_page,
        page_ids: doc.page_ids.clone(),
        passed,
        checker,
        note: note.to_owned(),
        flags: doc.flags.clone(),
        at: 0,
    };
    Ok(store.with_tx(|c| qc::record(c, &verdict))?)
}

/// Passes every document that still needs a verdict (the checker looked at them all);
/// returns how many.
pub fn pass_open(store: &Store, batch_id: &BatchId, checker: &str) -> Result<usize, BatchError> {
    let open: Vec<PageId> = state(store, batch_id)?
        .documents
        .into_iter()
        .filter(|d| d.required && d.verdict.is_none())
        .map(|d| d.first_page)
        .collect();
    for first in &open {
        record_verdict(store, batch_id, first, checker, true, "")?;
    }
    Ok(open.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_follows_the_rate_and_is_stable() {
        let n = 2000;
        let count = |rate| {
            (0..n)
                .filter(|i| drawn("batch-1", &format!("page-{i}"), rate))
                .count()
        };
        let normal = count(Protection::Normal.sample_rate());
        assert!((150..250).contains(&normal), "{normal} of {n}");
        let hoch = count(Protection::Hoch.sample_rate());
        assert!((900..1100).contains(&hoch), "{hoch} of {n}");
        assert_eq!(count(Protection::SehrHoch.sample_rate()), n);
        assert_eq!(
            drawn("b", "p", 0.5),
            drawn("b", "p", 0.5),
            "the same document is drawn again"
        );
    }

    fn page(blank: bool) -> pages::PageRow {
        pages::PageRow {
            id: PageId::new(),
            batch_id: BatchId::new(),
            position: 0.0,
            source: "scan".into(),
            source_page: 0,
            raw_blob: String::new(),
            dpi: (300.0, 300.0),
            state: "done".into(),
            error: None,
            image_blob: None,
            image_kind: None,
            width: None,
            height: None,
            thumb_blob: None,
            skew: Some(0.0),
            ink: Some(if blank { 0.01 } else { 4.0 }),
            blank,
            rotation: 0,
            starts_document: false,
            deleted: false,
            barcodes_json: None,
            separator: false,
            index: Vec::new(),
            ocr_state: None,
            ocr_error: None,
        }
    }

    #[test]
    fn blank_backs_are_noted_where_expected_and_other_blank_pages_flagged() {
        // Front, blank back, front, blank back, blank, blank: a duplex letter of two sheets
        // and a blank sheet at its end.
        let rows: Vec<_> = [false, true, false, true, true, true]
            .into_iter()
            .map(page)
            .collect();
        let doc: Vec<&pages::PageRow> = rows.iter().collect();
        let mut profile = ScanProfile::builtin().remove(0);
        let (flags, notes) = flags(&doc, &profile);
        assert_eq!(flags, ["blank:2", "blank:4", "blank:5", "blank:6"]);
        assert!(notes.is_empty());
        profile.qc.blank_backs = true;
        let (flags, notes) = super::flags(&doc, &profile);
        assert_eq!(notes, ["blank_back:2", "blank_back:4"]);
        // The blank sheet's front is blank: its pages are flagged, whatever the setting.
        assert_eq!(flags, ["blank:5", "blank:6"]);
        // A blank first page, or a blank page in front position, is never a back.
        let rows: Vec<_> = [true, false, false, true, true]
            .into_iter()
            .map(page)
            .collect();
        let doc: Vec<&pages::PageRow> = rows.iter().collect();
        let (flags, notes) = super::flags(&doc, &profile);
        assert_eq!(flags, ["blank:1", "blank:5"]);
        assert_eq!(notes, ["blank_back:4"]);
    }
}
