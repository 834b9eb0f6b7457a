//! Whether a batch may be released: not released before, every page processed, OCR done,
//! the quality check passed, and the integrity protection its protection need asks for
//! (TR-RESISCAN A.IS.1, A.AM.IN.H.1, SH.2).

use crate::profile::Protection as Need;
use crate::qc::{self, QcState};
use crate::transfer::{Protection, Sealer};
use crate::BatchError;
use eingang_store::tables::batches::BatchRow;
use eingang_store::tables::pages::PageRow;
use eingang_store::Store;

/// The batch's check when it may be released; else why not.
pub(crate) fn check(
    store: &Store,
    batch: &BatchRow,
    pages: &[PageRow],
) -> Result<QcState, BatchError> {
    if batch.released_at.is_some() {
        return Err(BatchError::Released);
    }
    if let Some(p) = pages.iter().find(|p| !p.deleted && p.state != "processed") {
        return Err(BatchError::PageNotProcessed {
            file: p.source.clone(),
            page: p.source_page + 1,
            state: p.error.clone().unwrap_or_else(|| p.state.clone()),
        });
    }
    if batch.ocr_pending > 0 {
        return Err(BatchError::OcrRunning {
            pages: batch.ocr_pending,
        });
    }
    let qc = qc::state(store, &batch.id)?;
    if !qc.passed {
        return Err(BatchError::CheckOpen {
            open: qc.open,
            failed: qc.failed,
        });
    }
    Ok(qc)
}

/// What protects the batch's documents, and — without a seal — the written justification.
/// *hoch* needs a seal, *sehr hoch* a seal, a timestamp and a four-eyes check between people
/// the directory authenticated (SH.1, SH.2); *normal* takes what is there.
pub(crate) fn evidence(
    qc: &QcState,
    sealer: &dyn Sealer,
    machine_justification: Option<&str>,
    authenticated: bool,
) -> Result<(Protection, Option<String>), BatchError> {
    let have = sealer.protection();
    if qc.settings.protection == Need::SehrHoch && !authenticated {
        return Err(BatchError::AuthenticationRequired);
    }
    let (need, needs, timestamp) = match qc.settings.protection {
        Need::Normal => (Protection::None, "", false),
        Need::Hoch => (Protection::Seal, "an electronic seal", false),
        Need::SehrHoch => (
            Protection::SealAndTimestamp,
            "an electronic seal with a timestamp",
            true,
        ),
    };
    if have < need {
        return Err(BatchError::SealRequired {
            protection: serde_json::to_value(qc.settings.protection)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            needs,
            timestamp,
        });
    }
    let justification = (have == Protection::None)
        .then(|| {
            qc.settings
                .justification
                .as_deref()
                .or(machine_justification)
                .map(str::trim)
                .filter(|j| !j.is_empty())
                .map(str::to_owned)
        })
        .flatten();
    Ok((have, justification))
}
