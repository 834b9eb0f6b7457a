//! The Scanstelle's batches: profiles, batches and their view, intake (files and scanners)
//! with progress events, page edits, separation, and release into the outbox.

use crate::error::{Error, Result};
use eingang_capture::intake::Event;
use eingang_capture::profile::ScanProfile;
use eingang_capture::Limits;
use eingang_capture::{intake, profile};
use eingang_model::{page_size, Paged};
use eingang_model::{
    BatchId, BatchSummary, BatchView, DocumentView, PageEdit, PageId, PageView, PageWord,
    ScanProfileInfo, ScannerInfo, SeparationSummary,
};
use eingang_store::tables::batches;
use eingang_store::tables::batches::BatchRow;
use eingang_store::tables::cursor::Cursor;
use eingang_store::tables::documents;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::sync::atomic::AtomicBool;

/// The longest batch name or document title (characters).
const MAX_NAME: usize = 200;

pub fn summary(b: BatchRow) -> BatchSummary {
    BatchSummary {
        id: b.id.to_string(),
        name: b.name,
        profile_id: b.profile_id,
        created_at: b.created_at,
        pages: b.pages,
        blank: b.blank,
        scanned_by: b.scanned_by,
        released: b.released_at.is_some(),
        destroyable: b.destroyable_at.is_some(),
        originals_eligible: b.originals_eligible,
        documents: b.documents,
        documents_delivered: b.documents_delivered,
        documents_for_team: b.documents_for_team,
        ocr_pending: b.ocr_pending,
        release_waiting: b.release_pending.map(waiting),
        hold: b.hold,
        purged_at: b.purged_at,
    }
}

/// A pending release as the UI and the CLI show it.
pub fn waiting(w: batches::Waiting) -> eingang_model::ReleaseWaiting {
    eingang_model::ReleaseWaiting {
        since: w.since,
        attempts: w.attempts,
        code: w.last_code,
        next_at: w.next_at,
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

/// The station's scan profiles (the built-in ones on first use).
pub fn profiles(store: &Store) -> Result<Vec<ScanProfileInfo>> {
    Ok(profile::profiles(store)?.iter().map(info).collect())
}

/// The profile `id`, or the first one when none is asked for.
pub fn profile(store: &Store, id: Option<&str>) -> Result<ScanProfile> {
    let all = profile::profiles(store)?;
    let found = match id {
        Some(id) => all.into_iter().find(|p| p.id == id),
        None => all.into_iter().next(),
    };
    found.ok_or_else(|| {
        Error::input(
            "scan.profile_unknown",
            format!(
                "no scan profile {:?}; `eingang profiles list` shows them",
                id.unwrap_or_default()
            ),
        )
        .at("profile")
    })
}

/// The profile a batch was made with (kept with the batch, so later edits of the profile
/// do not change it).
pub fn profile_of(store: &Store, batch: &BatchId) -> Result<ScanProfile> {
    let row = store.with_conn(|c| batches::batch(c, batch))?;
    serde_json::from_str(&row.profile_json).map_err(|e| {
        Error::refused(
            "scan.profile",
            format!("the batch's scan profile cannot be read: {e}"),
        )
    })
}

/// A page of the batch list, newest first (`after`: the previous page's `next`).
pub fn list(store: &Store, after: Option<&str>, limit: Option<u32>) -> Result<Paged<BatchSummary>> {
    let after = Cursor::parse(after)?;
    let (rows, next) =
        store.with_conn(|c| batches::batches(c, after.as_ref(), page_size(limit)))?;
    Ok(Paged {
        items: rows.into_iter().map(summary).collect(),
        next,
    })
}

pub fn get(store: &Store, batch: &BatchId) -> Result<BatchSummary> {
    Ok(summary(store.with_conn(|c| batches::batch(c, batch))?))
}

/// A new, empty batch scanned with `profile_id` (a name of 1–200 characters).
pub fn create(store: &Store, name: &str, profile_id: Option<&str>) -> Result<BatchSummary> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::input(
            "input.batch_name",
            "a batch needs a name of at most 200 characters",
        )
        .at("name"));
    }
    let profile = profile(store, profile_id)?;
    let json = serde_json::to_string(&profile).unwrap_or_default();
    let row = store.with_tx(|c| {
        let id = batches::create_batch(c, name, Some(&profile.id), &json)?;
        batches::batch(c, &id)
    })?;
    Ok(summary(row))
}

pub fn delete(store: &Store, batch: &BatchId) -> Result<()> {
    Ok(store.with_tx(|c| batches::delete_batch(c, batch))?)
}

/// A batch with its pages and documents (and each document's delivery state).
pub fn view(store: &Store, batch: &BatchId) -> Result<BatchView> {
    Ok(store.with_conn(|c| {
        let b = batches::batch(c, batch)?;
        let pages = pages::pages(c, batch)?
            .into_iter()
            .map(|p| PageView {
                id: p.id.to_string(),
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
                    .and_then(|j| serde_json::from_str::<Vec<eingang_model::scan::Barcode>>(j).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.value)
                    .collect(),
                index: p.index,
                ocr: p.ocr_state,
                ocr_error: p.ocr_error,
            })
            .collect();
        let documents = documents::documents(c, batch)?
            .into_iter()
            .map(|d| {
                let delivery =
                    eingang_store::tables::outbox::delivery_state(c, "document", &d.id.to_string())
                        .unwrap_or_else(|_| "pending".into());
                DocumentView {
                    pages: u32::try_from(d.page_ids.len()).unwrap_or(u32::MAX),
                    id: d.id.to_string(),
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
    })?)
}

/// A page's thumbnail (a small JPEG), or `None` while it is not processed.
pub fn thumbnail(store: &Store, page: &PageId) -> Result<Option<Vec<u8>>> {
    let p = store.with_conn(|c| pages::page(c, page))?;
    match p.thumb_blob {
        Some(thumb) => Ok(Some(store.blobs().get(&thumb)?)),
        None => Ok(None),
    }
}

/// A processed page to look at large: JPEG, its longer side at most `max_side` pixels
/// (200–4,000). A page whose image went after its retention period has none.
pub fn page_view(store: &Store, page: &PageId, max_side: u32) -> Result<Option<Vec<u8>>> {
    if !(200..=4000).contains(&max_side) {
        return Err(Error::input(
            "input.view_size",
            "the view size is 200–4000 pixels",
        ));
    }
    let p = store.with_conn(|c| pages::page(c, page))?;
    if p.image_blob.is_none() {
        return Ok(None);
    }
    Ok(Some(eingang_capture::pages::view(
        store,
        &p,
        max_side as usize,
    )?))
}

/// The words the OCR read on a page, boxed as shares of the page as shown. Empty while the
/// OCR has not read the page as it is turned now (not yet, or turned since): a box would
/// point at the wrong place.
pub fn page_words(store: &Store, page: &PageId) -> Result<Vec<PageWord>> {
    let p = store.with_conn(|c| pages::page(c, page))?;
    let stored = store.with_conn(|c| pages::ocr_words(c, page))?;
    let text = stored
        .as_deref()
        .and_then(eingang_capture::ocr::PageText::parse)
        .unwrap_or_default();
    let (Some(w), Some(h)) = (p.width, p.height) else {
        return Ok(Vec::new());
    };
    if text.rotation != p.rotation || w == 0 || h == 0 {
        return Ok(Vec::new());
    }
    // The OCR read the page turned: a quarter turn swaps its sides.
    let (tw, th) = if p.rotation % 2 == 1 { (h, w) } else { (w, h) };
    #[allow(clippy::cast_precision_loss)]
    let share = |v: u32, of: u32| (v as f32 / of as f32).clamp(0.0, 1.0);
    Ok(text
        .words
        .into_iter()
        .filter(|t| !t.text.trim().is_empty())
        .map(|t| PageWord {
            left: share(t.x, tw),
            top: share(t.y, th),
            width: share(t.w, tw),
            height: share(t.h, th),
            text: t.text,
        })
        .collect())
}

/// Turns, marks or deletes a page (logged with the old value, so undo is a setter too).
pub fn edit_page(store: &Store, page: &PageId, edit: PageEdit) -> Result<()> {
    if let PageEdit::Rotation(q) = edit {
        if q > 3 {
            return Err(Error::input(
                "input.rotation",
                "rotation is 0–3 quarter turns",
            ));
        }
    }
    Ok(store.with_tx(|c| pages::edit_page(c, page, edit))?)
}

pub fn move_page(store: &Store, page: &PageId, to: u32) -> Result<()> {
    Ok(store.with_tx(|c| pages::move_page(c, page, to as usize))?)
}

/// Imports one file (its bytes, as the UI sends them) into a batch; pages are processed
/// before this returns. A refused file is an error naming it (the batch keeps what it had).
pub fn import_file(
    store: &Store,
    batch: &BatchId,
    name: &str,
    bytes: Vec<u8>,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<BatchSummary> {
    if name.is_empty() || name.len() > 255 || name.contains(['/', '\\']) {
        return Err(Error::input("input.bad_name", "not a file name"));
    }
    crate::disk::ensure_room(store)?;
    let profile = profile_of(store, batch)?;
    let cancel = AtomicBool::new(false);
    let mut report = intake::import(
        store,
        batch,
        std::iter::once((name.to_owned(), Ok(bytes))),
        &profile.processing,
        Limits::default(),
        &cancel,
        on_event,
    );
    tracing::info!(
        pages = report.received,
        failed = report.failed_files,
        "file imported"
    );
    if let Some(refused) = report.refused.pop() {
        return Err(refused.into());
    }
    get(store, batch)
}

/// What to scan with: the device and what may differ from the batch's profile.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    pub device: String,
    pub source: Option<String>,
    pub mode: Option<String>,
    pub resolution: Option<u32>,
    pub max_pages: Option<u32>,
}

impl ScanRequest {
    /// Scanning from `device` with the batch's profile, from `source` (feeder, glass) when
    /// given, at most `max_pages`.
    pub fn new(device: String, source: Option<String>, max_pages: Option<u32>) -> Self {
        Self {
            device,
            source,
            max_pages,
            ..Self::default()
        }
    }
}

/// What a scan did: the pages, the batch, and — when the scanner failed mid-batch — why
/// (the pages received before stay).
#[derive(Debug)]
pub struct Scanned {
    pub report: intake::Report,
    pub batch: BatchSummary,
    pub error: Option<Error>,
}

/// Scans into the batch until the feeder is empty (or `max_pages`, or `cancel`); pages are
/// stored as they arrive.
pub fn scan(
    store: &Store,
    batch: &BatchId,
    request: &ScanRequest,
    cancel: &AtomicBool,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Scanned> {
    let device = &request.device;
    if device.is_empty() || device.len() > 200 || device.starts_with('-') {
        return Err(Error::input("input.device", "not a scanner name").at("device"));
    }
    crate::disk::ensure_room(store)?;
    let profile = profile_of(store, batch)?;
    let settings = eingang_capture::ScanSettings {
        source: request.source.clone().or(profile.source.clone()),
        mode: request.mode.clone().or(profile.mode.clone()),
        resolution: request
            .resolution
            .filter(|r| *r > 0)
            .unwrap_or(profile.resolution),
        max_pages: request.max_pages,
    };
    let scanner = eingang_capture::source_for(device);
    let (report, error) = intake::scan_into(
        store,
        batch,
        scanner.as_ref(),
        &settings,
        &profile.processing,
        cancel,
        on_event,
    );
    tracing::info!(pages = report.received, "scan finished");
    let error = error.map(|e| {
        Error::refused(
            e.code(),
            format!("{e} — the {} page(s) received are kept", report.received),
        )
    });
    Ok(Scanned {
        batch: get(store, batch)?,
        report,
        error,
    })
}

/// The scanners SANE sees and the configured eSCL network scanners (`escl:<url>`).
pub fn devices(escl: &[String]) -> Result<Vec<ScannerInfo>> {
    let mut out: Vec<ScannerInfo> = eingang_capture::sane::devices()?
        .into_iter()
        .map(|d| ScannerInfo {
            name: d.name,
            vendor: d.vendor,
            model: d.model,
            kind: d.kind,
        })
        .collect();
    for url in escl {
        let scanner = eingang_capture::escl::EsclScanner::new(url);
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
}

/// Applies separation rules (`rules`, else the batch's profile's): barcode sheets, blank
/// pages, page counts; index values from barcodes. Unless `replace_manual`, refused
/// (`separation.manual_breaks`) when it would change a break a person set. Returns what it
/// did.
pub fn separate_pages(
    store: &Store,
    batch: &BatchId,
    rules: Option<&eingang_capture::separate::Separation>,
    replace_manual: bool,
) -> Result<eingang_capture::separate::Report> {
    let own;
    let rules = if let Some(r) = rules {
        r
    } else {
        own = profile_of(store, batch)?.separation;
        &own
    };
    let r = eingang_capture::separate::separate_with(store, batch, rules, replace_manual)?;
    tracing::info!(
        documents = r.documents,
        sheets = r.separator_sheets,
        manual_replaced = r.manual_replaced,
        "batch separated"
    );
    Ok(r)
}

/// [`separate_pages`] by the batch's profile, as the workspace shows it (with what undoing
/// restores).
pub fn separate(
    store: &Store,
    batch: &BatchId,
    replace_manual: bool,
) -> Result<(SeparationSummary, BatchView)> {
    let r = separate_pages(store, batch, None, replace_manual)?;
    let undo = r
        .before
        .into_iter()
        .map(|b| eingang_model::PageBefore {
            page_id: b.page_id.to_string(),
            starts_document: b.starts_document,
            deleted: b.deleted,
            separator: b.separator,
            index: b.index,
        })
        .collect();
    Ok((
        SeparationSummary {
            documents: r.documents,
            separator_sheets: r.separator_sheets,
            index_filled: r.index_filled,
            manual_replaced: r.manual_replaced,
            undo,
        },
        view(store, batch)?,
    ))
}

/// Undoes a separation run: its pages as they were before.
pub fn separation_undo(
    store: &Store,
    batch: &BatchId,
    before: &[eingang_model::PageBefore],
) -> Result<BatchView> {
    let before = before
        .iter()
        .map(|b| {
            Ok(eingang_capture::separate::PageBefore {
                page_id: b.page_id.parse()?,
                starts_document: b.starts_document,
                deleted: b.deleted,
                separator: b.separator,
                index: b.index.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    eingang_capture::separate::restore(store, batch, &before)?;
    view(store, batch)
}

/// The batch pages go into: `batch` when given (it must exist), else a new one named `name`
/// (default "Stapel <now>") with the profile `profile_id` (default `standard`).
pub fn existing_or_new(
    store: &Store,
    batch: Option<&BatchId>,
    name: Option<&str>,
    profile_id: Option<&str>,
) -> Result<BatchSummary> {
    if let Some(b) = batch {
        return get(store, b);
    }
    let name = name.map_or_else(
        || {
            format!(
                "Stapel {}",
                eingang_store::rfc3339_utc(eingang_store::now_ms())
            )
        },
        str::to_owned,
    );
    create(store, &name, Some(profile_id.unwrap_or("standard")))
}

/// Imports files from disk into a batch with its profile; a file that cannot be taken is
/// reported through `on_event` and the rest still go in.
pub fn import_paths(
    store: &Store,
    batch: &BatchId,
    files: &[std::path::PathBuf],
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<intake::Report> {
    crate::disk::ensure_room(store)?;
    let profile = profile_of(store, batch)?;
    Ok(intake::import_files(
        store,
        batch,
        files,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        on_event,
    ))
}
