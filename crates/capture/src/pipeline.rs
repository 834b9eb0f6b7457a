//! The processing pipeline of an intake: pages already stored as raw scans are processed by
//! a pool of workers — one per core, pages streaming through a bounded queue so a 500-page
//! batch is never all in memory — and each result (or failure, raw scan kept) is recorded.

use crate::pages::for_storage;
use crate::process::{process, Processing};
use crate::CaptureError;
use eingang_model::PageId;
use eingang_pdf::ScanPage;
use eingang_store::tables::pages;
use eingang_store::tables::pages::ProcessedPage;
use eingang_store::{tables, Store};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Mutex};

/// What happens during intake, for progress displays.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A page is stored (its raw scan): it survives a crash from now on.
    Received { page_id: PageId, source: String },
    Processed {
        page_id: PageId,
        blank: bool,
        skew: Option<f32>,
    },
    PageFailed {
        page_id: PageId,
        code: String,
        message: String,
    },
    /// A whole file was refused; the batch goes on.
    FileFailed {
        file: String,
        code: String,
        message: String,
    },
}

/// How an intake went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub received: u32,
    pub processed: u32,
    pub failed_pages: u32,
    pub failed_files: u32,
    pub cancelled: bool,
    /// Why each refused file was refused.
    #[serde(skip)]
    pub refused: Vec<CaptureError>,
}

/// A stored page waiting to be processed.
pub(crate) struct Job {
    pub page_id: PageId,
    pub what: String,
    pub page: ScanPage,
}

/// Processes one stored page and records the result (or the failure, raw scan kept).
fn work(store: &Store, job: Job, p: &Processing, on_event: &(dyn Fn(Event) + Sync)) -> bool {
    let Job {
        page_id,
        what,
        page,
    } = job;
    let result = process(&what, &page, p).map_err(|e| (e.code().to_owned(), e.to_string()));
    let stored = result.and_then(|done| {
        let (kind, w, h, bytes) = for_storage(&done.page.image);
        let ops: Vec<serde_json::Value> = done
            .ops
            .iter()
            .filter_map(|o| serde_json::to_value(o).ok())
            .collect();
        // Files first (fsynced), recorded together with the page that names them.
        let put = |b: &[u8]| store.blobs().put(b);
        let barcodes = done
            .barcodes
            .as_ref()
            .and_then(|b| serde_json::to_string(b).ok());
        let saved = put(&bytes).and_then(|image| {
            let thumb = put(&done.thumbnail)?;
            store.with_tx(|c| {
                tables::blobs::insert(c, &image)?;
                tables::blobs::insert(c, &thumb)?;
                pages::set_processed(
                    c,
                    &page_id,
                    &ProcessedPage {
                        image_blob: &image.hash,
                        image_kind: kind,
                        width: w,
                        height: h,
                        thumb_blob: &thumb.hash,
                        skew: done.skew_degrees,
                        ink: done.ink_percent,
                        blank: done.blank,
                        barcodes_json: barcodes.as_deref(),
                        ops: &ops,
                        ocr: p.ocr,
                        turn: done.turn,
                    },
                )
            })
        });
        saved
            .map(|()| (done.blank, done.skew_degrees))
            .map_err(|e| (e.code().to_owned(), e.to_string()))
    });
    match stored {
        Ok((blank, skew)) => {
            on_event(Event::Processed {
                page_id,
                blank,
                skew,
            });
            true
        }
        Err((code, message)) => {
            let _ = store.with_conn(|c| pages::set_failed(c, &page_id, &code, &message));
            on_event(Event::PageFailed {
                page_id,
                code,
                message,
            });
            false
        }
    }
}

/// Runs `produce` (which stores raw pages and hands them to `send`) while a pool of workers
/// processes them. The queue holds at most one page per worker (a decoded A4 colour page
/// is 26 MB).
pub(crate) fn pipeline(
    store: &Store,
    p: &Processing,
    on_event: &(dyn Fn(Event) + Sync),
    produce: impl FnOnce(&dyn Fn(Job) -> bool),
) -> (u32, u32) {
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let (tx, rx) = mpsc::sync_channel::<Job>(workers);
    let rx = Mutex::new(rx);
    let (ok, failed) = (
        std::sync::atomic::AtomicU32::new(0),
        std::sync::atomic::AtomicU32::new(0),
    );
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let job = match rx.lock() {
                    Ok(r) => r.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                if work(store, job, p, on_event) {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        produce(&|job| tx.send(job).is_ok());
        drop(tx);
    });
    (ok.into_inner(), failed.into_inner())
}
