//! Reads the pages waiting for OCR while the app runs, in the background
//! (`eingang_api::loops::ocr_forever`, as `eingang ocr run --watch`): one Tesseract process
//! per page, as many at once as leaves a core for scanning and the UI (at least one). It
//! never blocks intake or indexing; each page read tells the UI (`scan-batches-changed`).
//! Without Tesseract the app works on and the station shows why. Once a batch is read (and
//! got no page for a while), automatic indexing works it as its profile allows: document
//! starts, index values, straight-through release. Ends with the app.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use crate::Loops;
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager};

/// Whether OCR runs here, and why not.
#[derive(Default)]
pub struct OcrState {
    notice: Mutex<Option<String>>,
}

impl OcrState {
    pub fn notice(&self) -> Option<String> {
        self.notice.lock().ok().and_then(|n| n.clone())
    }
    fn set(&self, notice: Option<String>) {
        if let Ok(mut n) = self.notice.lock() {
            *n = notice;
        }
    }
}

pub fn start(app: &AppHandle) {
    app.manage(OcrState::default());
    let Ok(store) = app.store() else { return };
    let shutdown = app.state::<Loops>().shutdown.clone();
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("ocr".into())
        .spawn(move || {
            let jobs = std::thread::available_parallelism()
                .map_or(1, usize::from)
                .saturating_sub(1)
                .max(1);
            let find = || eingang_api::loops::tesseract(&app.state::<SyncState>().config().scan);
            let on_notice = |n| app.state::<OcrState>().set(n);
            let on_page = |_: &eingang_model::PageId,
                           r: &Result<usize, eingang_capture::OcrError>| {
                if r.is_err() {
                    tracing::warn!("OCR failed on a page");
                }
                let _ = app.emit("scan-batches-changed", ());
            };
            let after = || automatic_indexing(&app, &store);
            eingang_api::loops::ocr_forever(
                &store, &find, jobs, &shutdown, &on_notice, &on_page, &after,
            );
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the OCR worker could not start");
    }
}

/// Automatic indexing of the batches read ([`eingang_api::straight_through::run_due`]); what it released
/// goes to the sync worker, and the Scanstelle is told.
fn automatic_indexing(app: &AppHandle, store: &std::sync::Arc<eingang_store::Store>) {
    let sync = app.state::<SyncState>();
    let base = || {
        sync.release_request(store, String::new(), Vec::new())
            .map_err(|e| eingang_api::Error::Internal(e.to_string()))
    };
    match eingang_api::straight_through::run_due(store, eingang_api::straight_through::QUIET, &base)
    {
        Ok(runs) if !runs.is_empty() => {
            let released: u32 = runs
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok())
                .map(|r| r.straight_through.released)
                .sum();
            tracing::info!(
                batches = runs.len(),
                released,
                "automatic indexing after OCR"
            );
            if released > 0 {
                sync.wake.notify_one();
            }
            let _ = app.emit("scan-batches-changed", ());
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(code = e.code(), "automatic indexing could not run"),
    }
}
