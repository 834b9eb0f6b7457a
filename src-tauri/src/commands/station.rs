//! The scan office's index and check stations: who works at the station, master data,
//! index values per document (checked against the master data), quality-check verdicts
//! (four-eyes), and whether OCR can run here.

use crate::commands::attachments::header;
use crate::error::AppError;
use crate::ocr_worker::OcrState;
use crate::state::StoreExt;
use eingang_capture::{masterdata, qc};
use eingang_model::scan::{CheckDocView, CheckView, FieldIssue, MasterEntry, StationInfo};
use eingang_store::tables::{audit, masterdata as md, scans};
use eingang_store::Store;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager};

async fn run<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?
}

fn info(app: &AppHandle, store: &Store) -> Result<StationInfo, AppError> {
    let master = store
        .with_conn(md::all)?
        .into_iter()
        .map(|e| MasterEntry {
            kind: e.kind,
            code: e.code,
            label: e.label,
        })
        .collect();
    Ok(StationInfo {
        operator: audit::actor(),
        ocr_notice: app.state::<OcrState>().notice(),
        master,
    })
}

#[tauri::command]
pub async fn station_info(app: AppHandle) -> Result<StationInfo, AppError> {
    let store = app.store()?;
    run(move || info(&app, &store)).await
}

/// Signs a person in at the station (the shared scan-office PC): from now on they are the
/// actor in the audit log, the scanner of new batches and the checker of verdicts.
#[tauri::command]
pub async fn station_operator_set(app: AppHandle, name: String) -> Result<StationInfo, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(
            AppError::new("input.operator", "a name of 1 to 64 characters").with_field("operator"),
        );
    }
    let store = app.store()?;
    run(move || {
        audit::set_operator(Some(&name));
        store
            .with_tx(|c| audit::append(c, "station.sign_in", "station", &serde_json::json!({})))?;
        info(&app, &store)
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
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            "input.bad_body",
            "the file must be sent as raw bytes",
        ));
    };
    let bytes = bytes.clone();
    let name = header(&request, "x-name")?;
    let store = app.store()?;
    run(move || {
        let entries = masterdata::parse(&name, &bytes).map_err(|errors| {
            let list: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
            AppError::new(
                "masterdata.invalid",
                format!("{name}: {}; nothing was imported", list.join("; ")),
            )
        })?;
        store.with_tx(|c| md::replace(c, &entries))?;
        info(&app, &store)
    })
    .await
}

fn check_view(store: &Store, batch_id: &str) -> Result<CheckView, AppError> {
    let state = qc::state(store, batch_id).map_err(|e| AppError::new("qc.state", e))?;
    let (pages, master) = store.with_conn(|c| Ok((scans::pages(c, batch_id)?, md::all(c)?)))?;
    let today = eingang_store::rfc3339_utc(eingang_store::now_ms());
    let documents = state
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let index = pages
                .iter()
                .find(|p| p.id == d.first_page)
                .map(|p| p.index.clone())
                .unwrap_or_default();
            let issues: Vec<FieldIssue> = masterdata::validate(&master, &index, &today[..10])
                .into_iter()
                .map(|e| FieldIssue {
                    field: e.field,
                    code: e.code,
                    message: e.message,
                })
                .collect();
            // Suggestions from the text of the first pages (where a letter names its case),
            // only while the document lacks a valid Aktenzeichen and units have patterns:
            // bounded work however large the batch.
            let wanted = (!index.iter().any(|(f, _)| f == "aktenzeichen")
                || issues.iter().any(|e| e.field == "aktenzeichen"))
                && master.iter().any(|e| e.pattern.is_some());
            let mut text = String::new();
            for id in d.page_ids.iter().take(if wanted { 3 } else { 0 }) {
                if let Ok(Some(json)) = store.with_conn(|c| scans::ocr_words(c, id)) {
                    if let Some(t) = eingang_capture::ocr::PageText::parse(&json) {
                        for w in t.words {
                            text.push_str(&w.text);
                            text.push(' ');
                        }
                    }
                }
            }
            let suggestions = masterdata::suggestions(&master, &text)
                .into_iter()
                .filter(|s| !index.contains(s))
                .collect();
            CheckDocView {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                first_page: d.first_page.clone(),
                pages: u32::try_from(d.page_ids.len()).unwrap_or(u32::MAX),
                flags: d.flags.clone(),
                sampled: d.sampled,
                required: d.required,
                verdict: d
                    .verdict
                    .as_ref()
                    .map(|v| if v.passed { "passed" } else { "failed" }.to_owned()),
                checker: d.verdict.as_ref().map(|v| v.checker.clone()),
                note: d.verdict.as_ref().map(|v| v.note.clone()),
                index,
                issues,
                suggestions,
            }
        })
        .collect();
    Ok(CheckView {
        protection: serde_json::to_value(state.settings.protection)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        four_eyes: state.settings.four_eyes,
        scanned_by: state.scanned_by,
        operator: audit::actor(),
        open: u32::try_from(state.open).unwrap_or(u32::MAX),
        failed: u32::try_from(state.failed).unwrap_or(u32::MAX),
        passed: state.passed,
        documents,
    })
}

fn check_ids(batch_id: &str, page: &str) -> Result<(), AppError> {
    for id in [batch_id, page] {
        if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        {
            return Err(AppError::new("input.bad_id", "not an id"));
        }
    }
    Ok(())
}

#[tauri::command]
pub async fn scan_check_get(app: AppHandle, batch_id: String) -> Result<CheckView, AppError> {
    check_ids(&batch_id, &batch_id)?;
    let store = app.store()?;
    run(move || check_view(&store, &batch_id)).await
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
    check_ids(&batch_id, &first_page)?;
    if index.len() > 50
        || index.iter().any(|(k, v)| {
            k.is_empty()
                || k.len() > 64
                || !k
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                || v.chars().count() > 500
        })
    {
        return Err(AppError::new(
            "input.index",
            "index fields: at most 50, names of lower-case letters, values up to 500 characters",
        ));
    }
    let store = app.store()?;
    run(move || {
        let index: Vec<(String, String)> = index
            .into_iter()
            .map(|(k, v)| (k, v.trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        store.with_tx(|c| {
            let page = scans::page(c, &first_page)?;
            if page.batch_id != batch_id {
                return Err(eingang_store::Error::NotFound {
                    what: "page",
                    id: first_page.clone(),
                });
            }
            scans::set_index_as(c, &first_page, &index, "user_index")
        })?;
        check_view(&store, &batch_id)
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
    check_ids(&batch_id, &first_page)?;
    let store = app.store()?;
    run(move || {
        qc::record_verdict(
            &store,
            &batch_id,
            &first_page,
            &audit::actor(),
            passed,
            &note,
        )
        .map_err(|e| {
            let code = if e.starts_with("four-eyes") {
                "qc.four_eyes"
            } else if e.starts_with("note") {
                "qc.note_required"
            } else {
                "qc.verdict"
            };
            let err = AppError::new(code, e);
            if code == "qc.note_required" {
                err.with_field("note")
            } else {
                err
            }
        })?;
        check_view(&store, &batch_id)
    })
    .await
}

/// Reads the batch's pages again where OCR failed (or was not wanted by the profile): they
/// go back into the queue the OCR worker works. Returns how many.
#[tauri::command]
pub async fn scan_ocr_retry(app: AppHandle, batch_id: String) -> Result<u32, AppError> {
    check_ids(&batch_id, &batch_id)?;
    let store = app.store()?;
    run(move || {
        let n = store.with_tx(|c| scans::ocr_request(c, &batch_id))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    })
    .await
}
