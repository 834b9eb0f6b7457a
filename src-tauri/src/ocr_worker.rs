//! Reads the pages waiting for OCR while the app runs, in the background
//! (`eingang_api::loops::ocr_forever`, as `eingang ocr run --watch`): one Tesseract process
//! per page, as many at once as leaves a core for scanning and the UI (at least one). It
//! never blocks intake or indexing; each page read tells the UI (`scan-batches-changed`).
//! Without Tesseract the app works on and the station shows why. Ends with the app.

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
            eingang_api::loops::ocr_forever(&store, &find, jobs, &shutdown, &on_notice, &on_page);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the OCR worker could not start");
    }
}
