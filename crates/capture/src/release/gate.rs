//! Whether a batch may be released: not released before, every page processed, OCR done,
//! the quality check passed.

use crate::qc::{self, QcState};
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
