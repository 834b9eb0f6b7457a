//! The Scanstelle: scan profiles, batches, import and scanning with progress events
//! (`scan-progress`), page edits, thumbnails, documents into the outbox. Each command
//! checks its arguments and calls one use case of `eingang_api::batches`.

use crate::commands::attachments::{header, raw_body};
use crate::error::AppError;
use crate::state::{blocking, run_blocking, StoreExt};
use crate::sync_worker::SyncState;
use base64::Engine as _;
use eingang_api::batches::{self, ScanRequest};
use eingang_capture::intake::Event;
use eingang_model::{
    BatchSummary, BatchView, MailboxView, PageBefore, PageEdit, Paged, ReleasePreview,
    ScanProfileInfo, ScanProgress, ScannerInfo, SeparationSummary,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::Request;
use tauri::{AppHandle, Emitter, Manager};

type Running = Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>;

/// Running intakes, by batch: their cancel flags.
#[derive(Debug, Default)]
pub struct ScanState {
    running: Running,
}

/// A scan running into a batch; it is no longer running when this is dropped.
struct Intake {
    running: Running,
    batch: String,
    cancel: Arc<AtomicBool>,
}

impl Intake {
    fn scan(
        &self,
        store: &eingang_store::Store,
        request: &ScanRequest,
        on_event: &(dyn Fn(Event) + Sync),
    ) -> eingang_api::Result<batches::Scanned> {
        batches::scan(store, &self.batch.parse()?, request, &self.cancel, on_event)
    }
}

impl Drop for Intake {
    fn drop(&mut self) {
        lock(&self.running).remove(&self.batch);
    }
}

fn lock(running: &Running) -> std::sync::MutexGuard<'_, HashMap<String, Arc<AtomicBool>>> {
    running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ScanState {
    fn begin(&self, batch: &str) -> Result<Intake, AppError> {
        let mut m = lock(&self.running);
        if m.contains_key(batch) {
            return Err(AppError::new(
                "scan.busy",
                "pages are already arriving in this batch; wait or cancel first",
            ));
        }
        let cancel = Arc::new(AtomicBool::new(false));
        m.insert(batch.to_owned(), cancel.clone());
        let (running, batch) = (self.running.clone(), batch.to_owned());
        Ok(Intake {
            running,
            batch,
            cancel,
        })
    }
}

#[tauri::command]
pub async fn scan_profiles(app: AppHandle) -> Result<Vec<ScanProfileInfo>, AppError> {
    blocking(app.store()?, batches::profiles).await
}

/// A page of the batch list (`after`: the last page's `next`).
#[tauri::command]
pub async fn scan_batches(
    app: AppHandle,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Paged<BatchSummary>, AppError> {
    blocking(app.store()?, move |s| {
        batches::list(s, after.as_deref(), limit)
    })
    .await
}

/// The mailboxes the scan office reads, with their state (for the batch list).
#[tauri::command]
pub async fn scan_mailboxes(app: AppHandle) -> Result<Vec<MailboxView>, AppError> {
    blocking(app.store()?, eingang_api::mailbox::views).await
}

#[tauri::command]
pub async fn scan_batch_create(
    app: AppHandle,
    name: String,
    profile_id: String,
) -> Result<BatchSummary, AppError> {
    blocking(app.store()?, move |s| {
        batches::create(s, &name, Some(&profile_id))
    })
    .await
}

#[tauri::command]
pub async fn scan_batch_delete(app: AppHandle, batch_id: String) -> Result<(), AppError> {
    blocking(app.store()?, move |s| {
        batches::delete(s, &batch_id.parse()?)
    })
    .await
}

#[tauri::command]
pub async fn scan_batch_get(app: AppHandle, batch_id: String) -> Result<BatchView, AppError> {
    blocking(app.store()?, move |s| batches::view(s, &batch_id.parse()?)).await
}

/// A page's thumbnail as a `data:` URL (small JPEG; empty while it is not processed).
#[tauri::command]
pub async fn scan_thumbnail(app: AppHandle, page_id: String) -> Result<String, AppError> {
    let jpeg = blocking(app.store()?, move |s| {
        batches::thumbnail(s, &page_id.parse()?)
    })
    .await?;
    Ok(jpeg.map_or_else(String::new, |bytes| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("data:image/jpeg;base64,{b64}")
    }))
}

/// The words the OCR read on a page, with their boxes (for click-to-fill at the index
/// station).
#[tauri::command]
pub async fn scan_page_words(
    app: AppHandle,
    page_id: String,
) -> Result<Vec<eingang_model::PageWord>, AppError> {
    blocking(app.store()?, move |s| {
        batches::page_words(s, &page_id.parse()?)
    })
    .await
}

/// A page to look at large (`size`: its longer side in pixels) as a data URL; empty when
/// the page has no image (not processed yet, or purged after its retention period).
#[tauri::command]
pub async fn scan_page_view(
    app: AppHandle,
    page_id: String,
    size: u32,
) -> Result<String, AppError> {
    let jpeg = blocking(app.store()?, move |s| {
        batches::page_view(s, &page_id.parse()?, size)
    })
    .await?;
    Ok(jpeg.map_or_else(String::new, |bytes| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("data:image/jpeg;base64,{b64}")
    }))
}

#[tauri::command]
pub async fn scan_page_edit(
    app: AppHandle,
    page_id: String,
    edit: PageEdit,
) -> Result<(), AppError> {
    blocking(app.store()?, move |s| {
        batches::edit_page(s, &page_id.parse()?, edit)
    })
    .await
}

#[tauri::command]
pub async fn scan_page_move(app: AppHandle, page_id: String, to: u32) -> Result<(), AppError> {
    blocking(app.store()?, move |s| {
        batches::move_page(s, &page_id.parse()?, to)
    })
    .await
}

/// Emits progress events for one intake of a batch.
fn progress(app: &AppHandle, batch_id: &str) -> impl Fn(Event) + Sync + Send + 'static {
    let (app, batch_id) = (app.clone(), batch_id.to_owned());
    let (received, processed) = (AtomicU32::new(0), AtomicU32::new(0));
    move |e: Event| {
        let (kind, page_id, code, message) = match e {
            Event::Received { page_id, .. } => {
                received.fetch_add(1, Ordering::Relaxed);
                ("received", Some(page_id), None, None)
            }
            Event::Processed { page_id, .. } => {
                processed.fetch_add(1, Ordering::Relaxed);
                ("processed", Some(page_id), None, None)
            }
            Event::PageFailed {
                page_id,
                code,
                message,
            } => {
                processed.fetch_add(1, Ordering::Relaxed);
                ("page_failed", Some(page_id), Some(code), Some(message))
            }
            Event::FileFailed { code, message, .. } => {
                ("file_failed", None, Some(code), Some(message))
            }
        };
        let _ = app.emit(
            "scan-progress",
            ScanProgress {
                batch_id: batch_id.clone(),
                kind: kind.into(),
                page_id: page_id.map(|p| p.to_string()),
                code,
                message,
                received: received.load(Ordering::Relaxed),
                processed: processed.load(Ordering::Relaxed),
            },
        );
    }
}

/// Imports one file into a batch. The bytes are the raw body; `x-batch` and `x-name` (the
/// file name, percent-encoded) are headers. Pages are processed before this returns;
/// `scan-progress` events report each page. A refused file is an error naming it.
#[tauri::command]
pub async fn scan_import(app: AppHandle, request: Request<'_>) -> Result<BatchSummary, AppError> {
    let bytes = raw_body(&request)?;
    let (batch_id, name) = (header(&request, "x-batch")?, header(&request, "x-name")?);
    let on_event = progress(&app, &batch_id);
    blocking(app.store()?, move |s| {
        batches::import_file(s, &batch_id.parse()?, &name, bytes, &on_event)
    })
    .await
}

/// The scanners SANE sees and the configured eSCL network scanners (`escl:<url>`).
#[tauri::command]
pub async fn scan_devices(app: AppHandle) -> Result<Vec<ScannerInfo>, AppError> {
    let escl = app.state::<SyncState>().config().scan.escl;
    run_blocking(move || batches::devices(&escl)).await
}

/// Scans from `device` into the batch until the feeder is empty (or `max_pages`); pages are
/// stored as they arrive and reported by `scan-progress`. A scanner that fails mid-batch is
/// an error; the pages received stay.
#[tauri::command]
pub async fn scan_start(
    app: AppHandle,
    batch_id: String,
    device: String,
    source: Option<String>,
    max_pages: Option<u32>,
) -> Result<BatchSummary, AppError> {
    let request = ScanRequest::new(device, source, max_pages);
    let (on_event, intake) = (
        progress(&app, &batch_id),
        app.state::<ScanState>().begin(&batch_id)?,
    );
    let scanned = blocking(app.store()?, move |s| intake.scan(s, &request, &on_event)).await?;
    scanned.error.map_or(Ok(scanned.batch), |e| Err(e.into()))
}

#[tauri::command]
pub async fn scan_cancel(app: AppHandle, batch_id: String) -> Result<(), AppError> {
    if let Some(flag) = lock(&app.state::<ScanState>().running).get(&batch_id) {
        flag.store(true, Ordering::Relaxed);
    }
    Ok(())
}

/// A released document's seals checked (signer, timestamp, trust, unchanged).
#[tauri::command]
pub async fn scan_document_verify(
    app: AppHandle,
    document_id: String,
) -> Result<eingang_model::scan::DocumentCheck, AppError> {
    let seal = app.state::<SyncState>().config().seal;
    blocking(app.store()?, move |s| {
        eingang_api::evidence::check_document(s, &document_id.parse()?, &seal)
    })
    .await
}

/// Releases the checked batch: its documents (cut at the marked pages) as PDF/A with the
/// OCR text layer, the index fields and the Transfervermerk, queued for delivery; wakes
/// the sync worker. When the timestamp service is out of reach the batch shows a waiting
/// release (`release_waiting`), tried again in the background.
#[tauri::command]
pub async fn scan_documents_make(
    app: AppHandle,
    batch_id: String,
    title: String,
    index: Vec<(String, String)>,
) -> Result<BatchView, AppError> {
    let (store, sync) = (app.store()?, app.state::<SyncState>());
    let request = sync.release_request(&store, title, index)?;
    let view = blocking(store, move |s| {
        eingang_api::release::release_viewed(s, &batch_id.parse()?, &request)
    })
    .await?;
    sync.wake.notify_one();
    Ok(view)
}

/// The summary the clerk confirms before releasing: documents, pages, index gaps, the
/// check, the protection, where they go, and why a release would be refused now.
#[tauri::command]
pub async fn scan_release_preview(
    app: AppHandle,
    batch_id: String,
    title: String,
    index: Vec<(String, String)>,
) -> Result<ReleasePreview, AppError> {
    let (store, sync) = (app.store()?, app.state::<SyncState>());
    let request = sync.release_request(&store, title, index)?;
    let names = sync.target_names(&store);
    blocking(store, move |s| {
        eingang_api::release::preview(s, &batch_id.parse()?, &request, names)
    })
    .await
}

/// Puts the batch on legal hold (never purged) or lifts it; the batch.
#[tauri::command]
pub async fn scan_batch_hold(
    app: AppHandle,
    batch_id: String,
    on: bool,
) -> Result<BatchView, AppError> {
    blocking(app.store()?, move |s| {
        let id = batch_id.parse()?;
        eingang_api::retention::hold(s, &id, on)?;
        batches::view(s, &id)
    })
    .await
}

/// Tries the batch's waiting release again now (with the configuration as it is now).
#[tauri::command]
pub async fn scan_release_retry(app: AppHandle, batch_id: String) -> Result<BatchView, AppError> {
    let (store, sync) = (app.store()?, app.state::<SyncState>());
    sync.reload(&store);
    let cfg = sync.config();
    let view = blocking(store, move |s| {
        let id = batch_id.parse()?;
        // Its own error shows in the batch (the waiting release keeps the code).
        let _ = eingang_api::release::retry_due(s, &cfg, true)?;
        batches::view(s, &id)
    })
    .await?;
    sync.wake.notify_one();
    Ok(view)
}

/// Withdraws the batch's waiting release: it can be changed and released again.
#[tauri::command]
pub async fn scan_release_withdraw(
    app: AppHandle,
    batch_id: String,
) -> Result<BatchView, AppError> {
    blocking(app.store()?, move |s| {
        let id = batch_id.parse()?;
        eingang_api::release::withdraw(s, &id)?;
        batches::view(s, &id)
    })
    .await
}

/// Applies the batch's separation rules (from its scan profile): barcode sheets, blank
/// pages, page counts; index values from barcodes. Refused (`separation.manual_breaks`)
/// when it would replace breaks set by hand, unless `replace_manual`. Returns what it did
/// (with what undoing restores) and the batch.
#[tauri::command]
pub async fn scan_separate(
    app: AppHandle,
    batch_id: String,
    replace_manual: bool,
) -> Result<(SeparationSummary, BatchView), AppError> {
    blocking(app.store()?, move |s| {
        batches::separate(s, &batch_id.parse()?, replace_manual)
    })
    .await
}

/// Undoes a separation run: the pages as they were before it.
#[tauri::command]
pub async fn scan_separation_undo(
    app: AppHandle,
    batch_id: String,
    before: Vec<PageBefore>,
) -> Result<BatchView, AppError> {
    blocking(app.store()?, move |s| {
        batches::separation_undo(s, &batch_id.parse()?, &before)
    })
    .await
}
