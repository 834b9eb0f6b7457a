//! Reads the pages waiting for OCR while the app runs, in the background: one Tesseract
//! process per page, as many at once as leaves a core for scanning and the UI (at least
//! one). It never blocks intake or indexing; each page read tells the UI
//! (`scan-batches-changed`). Without Tesseract the app works on and the station shows why.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use eingang_capture::ocr::{self, Tesseract};
use eingang_store::tables::scans;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::{Duration, Instant};
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

/// Tesseract as the configuration says (`[scan] ocr_languages`, `ocr_timeout_secs`;
/// default German and English, 120 s a page).
fn find(app: &AppHandle) -> Result<Tesseract, ocr::Unavailable> {
    let cfg = app.state::<SyncState>().config();
    let languages = cfg.scan.ocr_languages.as_deref().unwrap_or("deu+eng");
    let mut t = Tesseract::find(languages)?;
    if let Some(secs) = cfg.scan.ocr_timeout_secs {
        t.timeout = Duration::from_secs(secs);
    }
    Ok(t)
}

pub fn start(app: &AppHandle) {
    app.manage(OcrState::default());
    let Ok(store) = app.store() else { return };
    // The first look right away, so the workstation can say at once whether OCR runs.
    let first = find(app);
    if let Err(e) = &first {
        tracing::warn!("OCR unavailable");
        app.state::<OcrState>().set(Some(e.to_string()));
    }
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("ocr".into())
        .spawn(move || {
            let jobs = std::thread::available_parallelism()
                .map_or(1, usize::from)
                .saturating_sub(1)
                .max(1);
            let mut tess: Option<Tesseract> = first.ok();
            let mut last_look = Some(Instant::now());
            let cancel = AtomicBool::new(false);
            loop {
                std::thread::sleep(Duration::from_millis(700));
                if tess.is_none() && last_look.is_none_or(|t| t.elapsed() > Duration::from_secs(60))
                {
                    last_look = Some(Instant::now());
                    match find(&app) {
                        Ok(t) => {
                            app.state::<OcrState>().set(None);
                            tess = Some(t);
                        }
                        Err(e) => {
                            tracing::warn!("OCR unavailable");
                            app.state::<OcrState>().set(Some(e.to_string()));
                        }
                    }
                }
                let Some(t) = &tess else { continue };
                let waiting = store
                    .with_conn(|c| scans::ocr_pending(c, None))
                    .map_or(0, |p| p.len());
                if waiting == 0 {
                    continue;
                }
                let on_page = |_: &str, r: &Result<usize, String>| {
                    if r.is_err() {
                        tracing::warn!("OCR failed on a page");
                    }
                    let _ = app.emit("scan-batches-changed", ());
                };
                if let Err(e) = ocr::run_pending(&store, t, None, jobs, &cancel, &on_page) {
                    tracing::warn!(error = %e, "the OCR queue could not be read");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the OCR worker could not start");
    }
}
