//! The scan office's index and check stations: who works at the station, master data
//! (one import for the app, the CLI and central provisioning), index values checked against
//! the master data, quality-check verdicts (four-eyes), and OCR again.

use crate::error::{Error, Result};
use eingang_capture::{auto, masterdata, qc};
use eingang_model::scan::{CheckDocView, CheckView, FieldIssue, MasterEntry, StationInfo};
use eingang_model::{BatchId, PageId};
use eingang_store::tables::pages;
use eingang_store::tables::{audit, masterdata as md};
use eingang_store::Store;

/// Who is signed in and the master data; `ocr_notice` says why OCR cannot run here;
/// `directory` whether people sign in with their directory password.
pub fn info(store: &Store, ocr_notice: Option<String>, directory: bool) -> Result<StationInfo> {
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
        ocr_notice,
        master,
        directory,
    })
}

/// Signs a person in at the station (the shared scan-office PC): from now on they are the
/// actor in the audit log, the scanner of new batches and the checker of verdicts. With a
/// `[directory]` the password is checked there (and the person's directory name is used,
/// so four-eyes compares authenticated people); without one, the typed name counts.
pub fn sign_in(
    store: &Store,
    name: &str,
    password: Option<&str>,
    directory: &eingang_config::DirectorySection,
) -> Result<()> {
    if directory.configured() {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(
                Error::input("input.password", "sign in with your directory password")
                    .at("password"),
            );
        };
        crate::evidence::authenticate(store, directory, name, password)?;
        return Ok(());
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::input("input.operator", "a name of 1 to 64 characters").at("operator"));
    }
    audit::set_operator(Some(name));
    store.with_tx(|c| audit::append(c, "station.sign_in", "station", &serde_json::json!({})))?;
    Ok(())
}

/// What a master-data import took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub entries: usize,
    pub units: usize,
    pub doctypes: usize,
}

/// Replaces the master data with a CSV or JSON file's (`name` tells which); a file with
/// errors changes nothing and the error names every problem. `also` runs in
/// the same transaction (central provisioning records the file's hash there).
pub fn import_masterdata(
    store: &Store,
    name: &str,
    bytes: &[u8],
    also: impl FnOnce(&eingang_store::Connection) -> eingang_store::Result<()>,
) -> Result<Imported> {
    let entries = masterdata::parse(name, bytes).map_err(|errors| Error::MasterDataInvalid {
        file: name.to_owned(),
        errors: errors.iter().map(ToString::to_string).collect(),
    })?;
    // The import is recorded in the audit log by `replace`.
    store.with_tx(|c| {
        md::replace(c, &entries)?;
        also(c)
    })?;
    Ok(Imported {
        entries: entries.len(),
        units: entries.iter().filter(|e| e.kind == "unit").count(),
        doctypes: entries.iter().filter(|e| e.kind == "doctype").count(),
    })
}

/// Suggestions less sure than this are not offered at the station (they would be noise).
const SHOWN_FROM: f32 = 0.3;

/// A document's pages read for its suggestions (the head of a letter and what follows it).
const SUGGEST_PAGES: usize = 4;

/// The check station's view of a batch: every document's index values, what the master
/// data does not accept, suggestions from the OCR text, flags and verdicts.
pub fn check_view(store: &Store, batch: &BatchId) -> Result<CheckView> {
    let state = qc::state(store, batch)?;
    let (pages, master) = store.with_conn(|c| Ok((pages::pages(c, batch)?, md::all(c)?)))?;
    let model = crate::remembered::model(store)?;
    let master_key = crate::remembered::master_key(&master);
    let by_id: std::collections::HashMap<PageId, &eingang_store::tables::pages::PageRow> =
        pages.iter().map(|p| (p.id, p)).collect();
    // Suggestions need the OCR's text: only for a batch some of whose pages were read.
    let read_pages = pages.iter().any(|p| p.ocr_state.as_deref() == Some("done"));
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
                .map(issue)
                .collect();
            // Suggestions (automatic indexing) from the document's first pages, for the
            // fields that are empty or not accepted: never over a valid value a person gave.
            let open_field = |f: &str| {
                !index.iter().any(|(k, v)| k == f && !v.trim().is_empty())
                    || issues.iter().any(|e| e.field == f)
            };
            // A document indexed already (no issue, the usual fields given) costs nothing.
            let wanted = !issues.is_empty()
                || [
                    "dokumentart",
                    "organisationseinheit",
                    "absender",
                    "briefdatum",
                ]
                .iter()
                .any(|f| open_field(f));
            let suggestions = if read_pages && wanted {
                let rows: Vec<eingang_store::tables::pages::PageRow> = d
                    .page_ids
                    .iter()
                    .filter_map(|id| by_id.get(id).map(|p| (*p).clone()))
                    .take(SUGGEST_PAGES)
                    .collect();
                crate::remembered::document(store, rows, &master, (&model.0, model.1), master_key)
                    .into_iter()
                    .filter(|f| {
                        f.confidence >= SHOWN_FROM
                            && open_field(&f.field)
                            && !index.contains(&(f.field.clone(), f.value.clone()))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let (typed, taken) = typed_counts(store, &d.first_page).unwrap_or_default();
            CheckDocView {
                typed,
                taken,
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                first_page: d.first_page.to_string(),
                pages: u32::try_from(d.page_ids.len()).unwrap_or(u32::MAX),
                flags: d.flags.clone(),
                notes: d.notes.clone(),
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

/// Saves the index values of the document starting at `first_page` (empty values removed).
pub fn set_index(
    store: &Store,
    batch: &BatchId,
    first_page: &PageId,
    index: Vec<(String, String)>,
) -> Result<()> {
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
        return Err(Error::input(
            "input.index",
            "index fields: at most 50, names of lower-case letters, values up to 500 characters",
        ));
    }
    let index: Vec<(String, String)> = index
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    // What automatic indexing suggested for it, to tell what was typed from what was taken.
    let suggested = suggestions_for(store, batch, first_page).unwrap_or_default();
    store.with_tx(|c| {
        let page = pages::page(c, first_page)?;
        if page.batch_id != *batch {
            return Err(eingang_store::Error::NotFound {
                what: "page",
                id: first_page.to_string(),
            });
        }
        let detail = typed_and_taken(&page.index, &index, &suggested);
        pages::set_index_logged(c, first_page, &index, "user_index", detail)
    })?;
    Ok(())
}

/// Which of the values a person saved they typed and which suggestions they took; a typed
/// value where a suggestion said otherwise is a correction (field, what was suggested, how
/// sure) — what the page log keeps, the station counts and automatic indexing learns from.
fn typed_and_taken(
    before: &[(String, String)],
    after: &[(String, String)],
    suggested: &[eingang_model::auto::FieldSuggestion],
) -> serde_json::Map<String, serde_json::Value> {
    let (mut typed, mut taken, mut corrected) = (Vec::new(), Vec::new(), Vec::new());
    for (k, v) in after {
        if before.iter().any(|(bk, bv)| bk == k && bv == v) {
            continue;
        }
        match suggested.iter().find(|s| s.field == *k) {
            Some(s) if s.value == *v => taken.push(k.clone()),
            Some(s) => {
                typed.push(k.clone());
                corrected.push(serde_json::json!({
                    "field": k,
                    "suggested": s.value,
                    "confidence": s.confidence,
                }));
            }
            None => typed.push(k.clone()),
        }
    }
    let mut detail = serde_json::Map::new();
    detail.insert("typed".into(), typed.into());
    detail.insert("taken".into(), taken.into());
    detail.insert("corrected".into(), corrected.into());
    detail
}

/// The suggestions for the document starting at `first_page` as the batch is cut now (its
/// first pages read), none where the OCR has not read it.
fn suggestions_for(
    store: &Store,
    batch: &BatchId,
    first_page: &PageId,
) -> Result<Vec<eingang_model::auto::FieldSuggestion>> {
    let (rows, master) = store.with_conn(|c| Ok((pages::pages(c, batch)?, md::all(c)?)))?;
    let Some(doc) = eingang_capture::pages::segments(&rows)
        .into_iter()
        .find(|d| d[0].id == *first_page)
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<_> = doc.into_iter().take(SUGGEST_PAGES).cloned().collect();
    let ins = auto::pages_in(store, rows)?;
    let model = auto::load_model(store)?;
    Ok(auto::document(&ins, &master, &model).fields)
}

/// How many values of the document starting at `page` a person typed, and how many
/// suggestions they took (each field counted once, from the page log).
fn typed_counts(store: &Store, page: &PageId) -> Result<(u32, u32)> {
    let log = store.with_conn(|c| eingang_store::tables::page_log::page_log(c, page))?;
    let (mut typed, mut taken) = (Vec::<String>::new(), Vec::<String>::new());
    for (_, _, params) in log.iter().filter(|(_, op, _)| op == "user_index") {
        let v: serde_json::Value = serde_json::from_str(params).unwrap_or_default();
        for (list, into) in [("typed", &mut typed), ("taken", &mut taken)] {
            for f in v[list].as_array().into_iter().flatten() {
                if let Some(f) = f.as_str().filter(|f| !into.iter().any(|x| x == f)) {
                    into.push(f.to_owned());
                }
            }
        }
    }
    taken.retain(|f| !typed.contains(f));
    let n = |v: &Vec<String>| u32::try_from(v.len()).unwrap_or(u32::MAX);
    Ok((n(&typed), n(&taken)))
}

/// Records the signed-in person's verdict on a document (four-eyes enforced when the
/// profile asks for it; a failed verdict needs a note).
pub fn verdict(
    store: &Store,
    batch: &BatchId,
    first_page: &PageId,
    passed: bool,
    note: &str,
) -> Result<()> {
    let checker = audit::actor();
    Ok(qc::record_verdict(
        store, batch, first_page, &checker, passed, note,
    )?)
}

/// Puts the batch's pages whose OCR failed (or was not wanted) back into the OCR queue;
/// returns how many.
pub fn ocr_retry(store: &Store, batch: &BatchId) -> Result<u32> {
    let n = store.with_tx(|c| pages::ocr_request(c, batch))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The first page of the batch's document `number` (counted from 1, as the station shows
/// them).
pub fn document(store: &Store, batch: &BatchId, number: usize) -> Result<PageId> {
    let pages = store.with_conn(|c| pages::pages(c, batch))?;
    let docs = eingang_capture::pages::segments(&pages);
    let first = docs.get(number.wrapping_sub(1)).ok_or_else(|| {
        Error::input(
            "input.document",
            format!(
                "the batch has {} document(s); number {number} is not one of them",
                docs.len()
            ),
        )
    })?;
    Ok(first[0].id)
}

/// A document's index values after [`merge_index`], and what the master data say about them.
#[derive(Debug)]
pub struct IndexMerged {
    pub values: Vec<(String, String)>,
    pub problems: Vec<masterdata::FieldError>,
}

/// Sets some index values of document `number` and keeps the others (an empty value
/// removes the field); the result is checked against the master data as of `today`.
pub fn merge_index(
    store: &Store,
    batch: &BatchId,
    number: usize,
    values: &[(String, String)],
    today: &str,
) -> Result<IndexMerged> {
    let first = document(store, batch, number)?;
    let (merged, master) = store.with_tx(|c| {
        let mut merged = pages::page(c, &first)?.index;
        for (k, v) in values {
            merged.retain(|(f, _)| f != k);
            if !v.is_empty() {
                merged.push((k.clone(), v.clone()));
            }
        }
        pages::set_index_as(c, &first, &merged, "user_index")?;
        Ok((merged, md::all(c)?))
    })?;
    let problems = masterdata::validate(&master, &merged, today);
    Ok(IndexMerged {
        values: merged,
        problems,
    })
}

/// Verdicts by document number (`true`: passed) from the signed-in person, then, with
/// `all`, "passed" on every document still open; returns the check as it now stands.
pub fn check(
    store: &Store,
    batch: &BatchId,
    verdicts: &[(usize, bool)],
    all: bool,
    note: &str,
) -> Result<qc::QcState> {
    for (number, passed) in verdicts {
        let first = document(store, batch, *number)?;
        verdict(store, batch, &first, *passed, note).map_err(|e| match e {
            Error::Batch(b) => Error::refused(b.code(), format!("document {number}: {b}")),
            other => other,
        })?;
    }
    if all {
        qc::pass_open(store, batch, &audit::actor())?;
    }
    Ok(qc::state(store, batch)?)
}

/// Reads the OCR queue (of one batch, or of all) until it is empty. A named batch is read
/// whole: pages that failed before and pages of a profile without OCR are queued too.
pub fn ocr(
    store: &Store,
    tess: &eingang_capture::ocr::Tesseract,
    batch: Option<&BatchId>,
    jobs: usize,
    on_page: &(dyn Fn(&PageId, &std::result::Result<usize, eingang_capture::OcrError>) + Sync),
) -> Result<eingang_capture::ocr::OcrReport> {
    if let Some(b) = batch {
        ocr_retry(store, b)?;
    }
    let never = std::sync::atomic::AtomicBool::new(false);
    Ok(eingang_capture::ocr::run_pending(
        store, tess, batch, jobs, &never, on_page,
    )?)
}

/// A master-data problem as the UI shows it, tied to its field.
pub(crate) fn issue(e: masterdata::FieldError) -> FieldIssue {
    FieldIssue {
        field: e.field,
        code: e.code,
        message: e.message,
    }
}
