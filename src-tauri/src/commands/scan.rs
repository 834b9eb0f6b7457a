//! The Scanstelle: scan profiles, batches, import and scanning with progress events
//! (`scan-progress`), page edits, thumbnails, documents into the outbox.

use crate::commands::attachments::header;
use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use base64::Engine as _;
use eingang_capture::batch::{self, Event, ScanProfile};
use eingang_capture::Limits;
use eingang_model::{
    BatchSummary, BatchView, DocumentView, PageEdit, PageView, ScanProfileInfo, ScanProgress,
    ScannerInfo, SeparationSummary,
};
use eingang_store::tables::scans::{self, BatchRow};
use eingang_store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, Manager};

/// Running intakes, by batch: their cancel flags.
#[derive(Debug, Default)]
pub struct ScanState {
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl ScanState {
    fn begin(&self, batch: &str) -> Result<Arc<AtomicBool>, AppError> {
        let mut m = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if m.contains_key(batch) {
            return Err(AppError::new(
                "scan.busy",
                "pages are already arriving in this batch; wait or cancel first",
            ));
        }
        let flag = Arc::new(AtomicBool::new(false));
        m.insert(batch.to_owned(), flag.clone());
        Ok(flag)
    }

    fn end(&self, batch: &str) {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(batch);
    }
}

fn check_id(what: &str, id: &str) -> Result<(), AppError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(AppError::new("input.bad_id", format!("not a {what} id")));
    }
    Ok(())
}

fn summary(b: BatchRow) -> BatchSummary {
    BatchSummary {
        id: b.id,
        name: b.name,
        profile_id: b.profile_id,
        created_at: b.created_at,
        pages: b.pages,
        blank: b.blank,
        scanned_by: b.scanned_by,
        released: b.released_at.is_some(),
        destroyable: b.destroyable_at.is_some(),
        ocr_pending: b.ocr_pending,
    }
}

fn info(p: &ScanProfile) -> ScanProfileInfo {
    ScanProfileInfo {
        id: p.id.clone(),
        name: p.name.clone(),
        resolution: p.resolution,
        colour: serde_json::to_value(p.processing.mode)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        pdfa: p.pdfa.clone(),
        deskew: p.processing.deskew,
        blank_threshold_percent: p.processing.blank_threshold_percent,
    }
}

#[tauri::command]
pub async fn scan_profiles(app: AppHandle) -> Result<Vec<ScanProfileInfo>, AppError> {
    let all = blocking(app.store()?, batch::profiles).await?;
    Ok(all.iter().map(info).collect())
}

#[tauri::command]
pub async fn scan_batches(app: AppHandle) -> Result<Vec<BatchSummary>, AppError> {
    let rows = blocking(app.store()?, |s| s.with_conn(scans::batches)).await?;
    Ok(rows.into_iter().map(summary).collect())
}

#[tauri::command]
pub async fn scan_batch_create(
    app: AppHandle,
    name: String,
    profile_id: String,
) -> Result<BatchSummary, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::new(
            "input.batch_name",
            "a batch needs a name of at most 200 characters",
        )
        .with_field("name"));
    }
    let store = app.store()?;
    let profiles = blocking(store.clone(), batch::profiles).await?;
    let profile = profiles
        .into_iter()
        .find(|p| p.id == profile_id)
        .ok_or_else(|| {
            AppError::new("scan.profile_unknown", "no such scan profile").with_field("profile")
        })?;
    let json = serde_json::to_string(&profile).unwrap_or_default();
    let row = blocking(store, move |s| {
        s.with_tx(|c| {
            let id = scans::create_batch(c, &name, Some(&profile.id), &json)?;
            scans::batch(c, &id)
        })
    })
    .await?;
    Ok(summary(row))
}

#[tauri::command]
pub async fn scan_batch_delete(app: AppHandle, batch_id: String) -> Result<(), AppError> {
    check_id("batch", &batch_id)?;
    blocking(app.store()?, move |s| {
        s.with_tx(|c| scans::delete_batch(c, &batch_id))
    })
    .await
}

fn batch_view(s: &Store, id: &str) -> eingang_store::Result<BatchView> {
    s.with_conn(|c| {
        let b = scans::batch(c, id)?;
        let pages = scans::pages(c, id)?
            .into_iter()
            .map(|p| PageView {
                id: p.id,
                source: p.source,
                source_page: p.source_page,
                state: p.state,
                error: p.error,
                blank: p.blank,
                ink: p.ink,
                skew: p.skew,
                rotation: p.rotation,
                starts_document: p.starts_document,
                deleted: p.deleted,
                separator: p.separator,
                barcodes: p
                    .barcodes_json
                    .as_deref()
                    .and_then(|j| {
                        serde_json::from_str::<Vec<eingang_capture::separate::Barcode>>(j).ok()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.value)
                    .collect(),
                index: p.index,
                ocr: p.ocr_state,
                ocr_error: p.ocr_error,
            })
            .collect();
        let documents = scans::documents(c, id)?
            .into_iter()
            .map(|d| {
                let delivery: String = c
                    .query_row(
                        "SELECT state FROM outbox WHERE item_kind = 'document' AND item_id = ?1 ORDER BY id LIMIT 1",
                        [&d.id],
                        |r| r.get(0),
                    )
                    .unwrap_or_else(|_| "pending".into());
                DocumentView {
                    pages: u32::try_from(d.page_ids.len()).unwrap_or(u32::MAX),
                    id: d.id,
                    title: d.title,
                    pdfa: d.pdfa,
                    sha256: d.sha256,
                    delivery,
                }
            })
            .collect();
        Ok(BatchView {
            batch: summary(b),
            pages,
            documents,
        })
    })
}

#[tauri::command]
pub async fn scan_batch_get(app: AppHandle, batch_id: String) -> Result<BatchView, AppError> {
    check_id("batch", &batch_id)?;
    blocking(app.store()?, move |s| batch_view(s, &batch_id)).await
}

/// A page's thumbnail as a `data:` URL (small JPEG).
#[tauri::command]
pub async fn scan_thumbnail(app: AppHandle, page_id: String) -> Result<String, AppError> {
    check_id("page", &page_id)?;
    blocking(app.store()?, move |s| {
        let p = s.with_conn(|c| scans::page(c, &page_id))?;
        let Some(thumb) = p.thumb_blob else {
            return Ok(String::new());
        };
        let bytes = s.blobs().get(&thumb)?;
        Ok(format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ))
    })
    .await
}

#[tauri::command]
pub async fn scan_page_edit(
    app: AppHandle,
    page_id: String,
    edit: PageEdit,
) -> Result<(), AppError> {
    check_id("page", &page_id)?;
    if let PageEdit::Rotation(q) = edit {
        if q > 3 {
            return Err(AppError::new(
                "input.rotation",
                "rotation is 0–3 quarter turns",
            ));
        }
    }
    blocking(app.store()?, move |s| {
        s.with_tx(|c| scans::edit_page(c, &page_id, edit))
    })
    .await
}

#[tauri::command]
pub async fn scan_page_move(app: AppHandle, page_id: String, to: u32) -> Result<(), AppError> {
    check_id("page", &page_id)?;
    blocking(app.store()?, move |s| {
        s.with_tx(|c| scans::move_page(c, &page_id, to as usize))
    })
    .await
}

/// Emits progress events for one intake of a batch.
fn progress(app: &AppHandle, batch_id: &str) -> impl Fn(Event) + Sync {
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
                page_id,
                code,
                message,
                received: received.load(Ordering::Relaxed),
                processed: processed.load(Ordering::Relaxed),
            },
        );
    }
}

async fn profile_of(store: &Arc<Store>, batch_id: &str) -> Result<ScanProfile, AppError> {
    let id = batch_id.to_owned();
    let row = blocking(store.clone(), move |s| {
        s.with_conn(|c| scans::batch(c, &id))
    })
    .await?;
    serde_json::from_str(&row.profile_json).map_err(|e| {
        AppError::new(
            "scan.profile",
            format!("the batch's scan profile cannot be read: {e}"),
        )
    })
}

/// Imports one file into a batch. The bytes are the raw body; `x-batch` and `x-name` (the
/// file name, percent-encoded) are headers. Pages are processed before this returns;
/// `scan-progress` events report each page. A refused file is an error naming it.
#[tauri::command]
pub async fn scan_import(app: AppHandle, request: Request<'_>) -> Result<BatchSummary, AppError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            "input.bad_body",
            "the file must be sent as raw bytes",
        ));
    };
    let bytes = bytes.clone();
    let batch_id = header(&request, "x-batch")?;
    check_id("batch", &batch_id)?;
    let name = header(&request, "x-name")?;
    if name.is_empty() || name.len() > 255 || name.contains(['/', '\\']) {
        return Err(AppError::new("input.bad_name", "not a file name"));
    }
    let store = app.store()?;
    let profile = profile_of(&store, &batch_id).await?;
    let on_event = progress(&app, &batch_id);
    let failure: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let seen = failure.clone();
    let id = batch_id.clone();
    let report = tauri::async_runtime::spawn_blocking(move || {
        let cancel = AtomicBool::new(false);
        batch::import(
            &store,
            &id,
            std::iter::once((name, Ok(bytes))),
            &profile.processing,
            Limits::default(),
            &cancel,
            &|e| {
                if let Event::FileFailed { code, message, .. } = &e {
                    *seen
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) =
                        Some((code.clone(), message.clone()));
                }
                on_event(e);
            },
        )
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?;
    tracing::info!(
        pages = report.received,
        failed = report.failed_files,
        "file imported"
    );
    if let Some((code, message)) = failure
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        return Err(AppError::new(&code, message));
    }
    let id = batch_id.clone();
    let row = blocking(app.store()?, move |s| s.with_conn(|c| scans::batch(c, &id))).await?;
    Ok(summary(row))
}

/// The scanners SANE sees and the configured eSCL network scanners (`escl:<url>`).
#[tauri::command]
pub async fn scan_devices(app: AppHandle) -> Result<Vec<ScannerInfo>, AppError> {
    let escl = app.state::<SyncState>().config().scan.escl;
    tauri::async_runtime::spawn_blocking(move || {
        let mut out: Vec<ScannerInfo> = eingang_capture::sane::devices()
            .map_err(|e| AppError::new(e.code(), e.to_string()))?
            .into_iter()
            .map(|d| ScannerInfo {
                name: d.name,
                vendor: d.vendor,
                model: d.model,
                kind: d.kind,
            })
            .collect();
        for url in escl {
            let scanner = eingang_capture::escl::EsclScanner::new(&url);
            let model = scanner
                .capabilities()
                .map_or_else(|_| "(offline)".into(), |c| c.make_and_model);
            out.push(ScannerInfo {
                name: format!("escl:{url}"),
                vendor: "eSCL".into(),
                model,
                kind: "network scanner".into(),
            });
        }
        Ok(out)
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?
}

/// Scans from `device` into the batch until the feeder is empty (or `max_pages`); pages are
/// stored as they arrive and reported by `scan-progress`. Returns the batch; a scanner that
/// fails mid-batch is an error, the pages received stay.
#[tauri::command]
pub async fn scan_start(
    app: AppHandle,
    batch_id: String,
    device: String,
    source: Option<String>,
    max_pages: Option<u32>,
) -> Result<BatchSummary, AppError> {
    check_id("batch", &batch_id)?;
    if device.is_empty() || device.len() > 200 || device.starts_with('-') {
        return Err(AppError::new("input.device", "not a scanner name").with_field("device"));
    }
    let store = app.store()?;
    let profile = profile_of(&store, &batch_id).await?;
    let state = app.state::<ScanState>();
    let cancel = state.begin(&batch_id)?;
    let on_event = progress(&app, &batch_id);
    let id = batch_id.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let settings = eingang_capture::ScanSettings {
            source: source.or(profile.source.clone()),
            mode: profile.mode.clone(),
            resolution: profile.resolution,
            max_pages,
        };
        let scanner = eingang_capture::source_for(&device);
        batch::scan_into(
            &store,
            &id,
            scanner.as_ref(),
            &settings,
            &profile.processing,
            &cancel,
            &on_event,
        )
    })
    .await;
    state.end(&batch_id);
    let (report, error) = result
        .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?;
    tracing::info!(pages = report.received, "scan finished");
    if let Some(e) = error {
        return Err(AppError::new(
            e.code(),
            format!("{e} — the {} page(s) received are kept", report.received),
        ));
    }
    let id = batch_id.clone();
    let row = blocking(app.store()?, move |s| s.with_conn(|c| scans::batch(c, &id))).await?;
    Ok(summary(row))
}

#[tauri::command]
pub async fn scan_cancel(app: AppHandle, batch_id: String) -> Result<(), AppError> {
    if let Some(flag) = app
        .state::<ScanState>()
        .running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&batch_id)
    {
        flag.store(true, Ordering::Relaxed);
    }
    Ok(())
}

/// Releases the checked batch: its documents (cut at the marked pages) as PDF/A with the
/// OCR text layer, the index fields and the Transfervermerk, queued for delivery; wakes
/// the sync worker.
#[tauri::command]
pub async fn scan_documents_make(
    app: AppHandle,
    batch_id: String,
    title: String,
    index: Vec<(String, String)>,
) -> Result<BatchView, AppError> {
    check_id("batch", &batch_id)?;
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::new(
            "input.doc_title",
            "a document needs a title of at most 200 characters",
        )
        .with_field("title"));
    }
    if index.len() > 50
        || index
            .iter()
            .any(|(k, v)| k.is_empty() || k.len() > 64 || v.len() > 1000)
    {
        return Err(AppError::new(
            "input.index",
            "index fields: at most 50, names up to 64 characters, values up to 1,000",
        ));
    }
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    let targets = sync.target_ids(&store)?;
    let station = sync.config().station.name;
    let id = batch_id.clone();
    let view = tauri::async_runtime::spawn_blocking(move || {
        let refs: Vec<&str> = targets.iter().map(String::as_str).collect();
        let release = batch::Release {
            title: &title,
            index: &index,
            targets: &refs,
            sealer: &eingang_capture::transfer::NoSeal,
            station: station.as_deref(),
        };
        batch::release(&store, &id, &release).map_err(|e| AppError::new("scan.release", e))?;
        batch_view(&store, &id).map_err(AppError::from)
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))??;
    sync.wake.notify_one();
    Ok(view)
}

/// Applies the batch's separation rules (from its scan profile): barcode sheets, blank
/// pages, page counts; index values from barcodes. Returns what it did and the batch.
#[tauri::command]
pub async fn scan_separate(
    app: AppHandle,
    batch_id: String,
) -> Result<(SeparationSummary, BatchView), AppError> {
    check_id("batch", &batch_id)?;
    let store = app.store()?;
    let profile = profile_of(&store, &batch_id).await?;
    let id = batch_id.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let r = eingang_capture::separate::separate(&store, &id, &profile.separation)
            .map_err(|e| AppError::new("scan.separation", e))?;
        tracing::info!(
            documents = r.documents,
            sheets = r.separator_sheets,
            "batch separated"
        );
        let view = batch_view(&store, &id)?;
        Ok((
            SeparationSummary {
                documents: r.documents,
                separator_sheets: r.separator_sheets,
                index_filled: r.index_filled,
            },
            view,
        ))
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?
}
