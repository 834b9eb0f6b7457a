//! The scan office's index and check stations: who works at the station, master data,
//! index values per document (checked against the master data), quality-check verdicts
//! (four-eyes), and whether OCR can run here. Each command calls `eingang_api::station`.

use crate::commands::attachments::{header, raw_body};
use crate::error::AppError;
use crate::ocr_worker::OcrState;
use crate::state::{blocking, StoreExt};
use eingang_api::station;
use eingang_model::scan::{CheckView, StationInfo};
use tauri::ipc::Request;
use tauri::{AppHandle, Manager};

#[tauri::command]
pub async fn station_info(app: AppHandle) -> Result<StationInfo, AppError> {
    let (notice, directory) = here(&app);
    blocking(app.store()?, move |s| {
        station::info(s, notice, directory.configured())
    })
    .await
}

/// Why OCR cannot run here, and the machine's `[directory]`.
fn here(app: &AppHandle) -> (Option<String>, eingang_config::DirectorySection) {
    let directory = app
        .state::<crate::sync_worker::SyncState>()
        .config()
        .directory;
    (app.state::<OcrState>().notice(), directory)
}

/// Signs a person in at the station (the shared scan-office PC): from now on they are the
/// actor in the audit log, the scanner of new batches and the checker of verdicts; with a
/// `[directory]`, only with their directory password.
#[tauri::command]
pub async fn station_operator_set(
    app: AppHandle,
    name: String,
    password: Option<String>,
) -> Result<StationInfo, AppError> {
    let (notice, directory) = here(&app);
    blocking(app.store()?, move |s| {
        station::sign_in(s, &name, password.as_deref(), &directory)?;
        station::info(s, notice, directory.configured())
    })
    .await
}

/// Replaces the master data with a CSV or JSON file's (raw body, name in `x-name`); a file
/// with errors changes nothing and every error is named.
#[tauri::command]
pub async fn masterdata_import(
    app: AppHandle,
    request: Request<'_>,
) -> Result<StationInfo, AppError> {
    let (bytes, name) = (raw_body(&request)?, header(&request, "x-name")?);
    let (notice, directory) = here(&app);
    blocking(app.store()?, move |s| {
        station::import_masterdata(s, &name, &bytes, |_| Ok(()))?;
        station::info(s, notice, directory.configured())
    })
    .await
}

#[tauri::command]
pub async fn scan_check_get(app: AppHandle, batch_id: String) -> Result<CheckView, AppError> {
    blocking(app.store()?, move |s| {
        station::check_view(s, &batch_id.parse()?)
    })
    .await
}

/// Saves the index values of the document starting at `first_page` (empty values removed);
/// the view names every value the master data does not accept.
#[tauri::command]
pub async fn scan_index_set(
    app: AppHandle,
    batch_id: String,
    first_page: String,
    index: Vec<(String, String)>,
) -> Result<CheckView, AppError> {
    blocking(app.store()?, move |s| {
        let batch = batch_id.parse()?;
        station::set_index(s, &batch, &first_page.parse()?, index)?;
        station::check_view(s, &batch)
    })
    .await
}

/// Records the signed-in person's verdict on a document (four-eyes enforced when the
/// profile asks for it; a failed verdict needs a note).
#[tauri::command]
pub async fn scan_verdict(
    app: AppHandle,
    batch_id: String,
    first_page: String,
    passed: bool,
    note: String,
) -> Result<CheckView, AppError> {
    blocking(app.store()?, move |s| {
        let batch = batch_id.parse()?;
        station::verdict(s, &batch, &first_page.parse()?, passed, &note)?;
        station::check_view(s, &batch)
    })
    .await
}

/// Reads the batch's pages again where OCR failed (or was not wanted by the profile): they
/// go back into the queue the OCR worker works. Returns how many.
#[tauri::command]
pub async fn scan_ocr_retry(app: AppHandle, batch_id: String) -> Result<u32, AppError> {
    blocking(app.store()?, move |s| {
        station::ocr_retry(s, &batch_id.parse()?)
    })
    .await
}

/// What automatic indexing suggests for a batch: turns and document starts per page, type,
/// unit and values per document, each with its confidence.
#[tauri::command]
pub async fn scan_suggestions(
    app: AppHandle,
    batch_id: String,
) -> Result<eingang_model::auto::BatchSuggestions, AppError> {
    blocking(app.store()?, move |s| {
        eingang_api::auto::suggest(s, &batch_id.parse()?)
    })
    .await
}

/// Applies the suggestions at these confidences, each 0–1 (breaks set by hand and values
/// given stay); returns what changed (undoable like a separation run) and the batch.
#[tauri::command]
pub async fn scan_suggestions_apply(
    app: AppHandle,
    batch_id: String,
    boundaries: Option<f32>,
    values: Option<f32>,
) -> Result<(eingang_model::SeparationSummary, eingang_model::BatchView), AppError> {
    blocking(app.store()?, move |s| {
        eingang_api::auto::apply_viewed(s, &batch_id.parse()?, boundaries, values)
    })
    .await
}
