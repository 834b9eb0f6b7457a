//! Intake: pages arrive (files, the hot folder, a scanner) and each is stored as its raw
//! scan **at once** (own transaction, blob fsynced first, TR-RESISCAN A.NB.2), then handed
//! to the [processing pipeline](crate::pipeline). A bad file is reported and the rest go on.

use crate::pipeline::{pipeline, Job};
use crate::process::Processing;
use crate::profile::ScanProfile;
use crate::{read_bytes, CaptureError, Limits};
use eingang_model::{BatchId, PageId};
use eingang_store::blobs::BlobRef;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::tables::pages::NewPage;
use eingang_store::{tables, Store};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::pipeline::{Event, Report};

fn store_err(e: &eingang_store::Error) -> CaptureError {
    CaptureError::Io {
        file: "store".into(),
        reason: format!("[{}] {e}", e.code()),
    }
}

/// Stores a raw scan's file (fsynced); it is recorded with the first page that names it,
/// in that page's transaction (a crash in between leaves an unrecorded file, which
/// [`eingang_store::Store::sweep_blobs`] removes).
fn put_raw(store: &Store, bytes: &[u8]) -> Result<BlobRef, CaptureError> {
    store.blobs().put(bytes).map_err(|e| store_err(&e))
}

fn add_page(
    store: &Store,
    batch_id: &BatchId,
    source: &str,
    index: usize,
    raw: &BlobRef,
    dpi: (f32, f32),
) -> Result<PageId, CaptureError> {
    store
        .with_tx(|c| {
            tables::blobs::insert(c, raw)?;
            pages::add_page(
                c,
                batch_id,
                &NewPage {
                    source,
                    source_page: u32::try_from(index).unwrap_or(u32::MAX),
                    raw_blob: &raw.hash,
                    dpi,
                },
            )
        })
        .map_err(|e| store_err(&e))
}

/// Imports files into a batch: each file's bytes are the raw scan of its pages; a bad file
/// is reported (`Event::FileFailed`) and the rest go on.
pub fn import_files(
    store: &Store,
    batch_id: &BatchId,
    files: &[PathBuf],
    p: &Processing,
    limits: Limits,
    cancel: &AtomicBool,
    on_event: &(dyn Fn(Event) + Sync),
) -> Report {
    let named = files.iter().map(|f| {
        let name = f.file_name().map_or_else(
            || f.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let bytes = read_limited(f, &name, limits);
        (name, bytes)
    });
    import(store, batch_id, named, p, limits, cancel, on_event)
}

/// Imports files given as (name, bytes) — what the app receives from a file picker or a
/// drop. Same rules as [`import_files`].
pub fn import(
    store: &Store,
    batch_id: &BatchId,
    files: impl Iterator<Item = (String, Result<Vec<u8>, CaptureError>)>,
    p: &Processing,
    limits: Limits,
    cancel: &AtomicBool,
    on_event: &(dyn Fn(Event) + Sync),
) -> Report {
    let mut report = Report::default();
    let (processed, failed) = pipeline(store, p, on_event, |send| {
        for (name, bytes) in files {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            let result = bytes
                .and_then(|bytes| {
                    if bytes.len() as u64 > limits.max_file_bytes {
                        return Err(CaptureError::TooLarge {
                            file: name.clone(),
                            page: None,
                            reason: format!("larger than {} MiB", limits.max_file_bytes >> 20),
                        });
                    }
                    let raw = put_raw(store, &bytes)?;
                    if crate::email::is_eml(&name) {
                        let mail = crate::email::read_eml(&name, &bytes, limits)?;
                        let mut detail = serde_json::Map::new();
                        if let Some(s) = &mail.signature {
                            detail.insert("signature".into(), serde_json::json!(s));
                        }
                        return Ok((raw, mail.pages, Some((mail.index, detail))));
                    }
                    Ok((raw, read_bytes(&name, bytes, limits)?, None))
                })
                .and_then(|(raw, pages, email)| {
                    for (n, page) in pages.into_iter().enumerate() {
                        let id = add_page(store, batch_id, &name, page.index, &raw, page.page.dpi)?;
                        if let (0, Some((index, detail))) = (n, &email) {
                            store
                                .with_tx(|c| {
                                    pages::mark_document_start(
                                        c,
                                        &id,
                                        index,
                                        "email_received",
                                        detail.clone(),
                                    )
                                })
                                .map_err(|e| store_err(&e))?;
                        }
                        report.received += 1;
                        on_event(Event::Received {
                            page_id: id,
                            source: name.clone(),
                        });
                        let what = format!("{name}, page {}", page.index + 1);
                        if !send(Job {
                            page_id: id,
                            what,
                            page: page.page,
                        }) {
                            break;
                        }
                    }
                    Ok(())
                });
            if let Err(e) = result {
                report.failed_files += 1;
                on_event(Event::FileFailed {
                    file: name,
                    code: e.code().into(),
                    message: e.to_string(),
                });
                report.refused.push(e);
            }
        }
    });
    report.processed = processed;
    report.failed_pages = failed;
    report
}

/// Imports one file's bytes into a batch (for the hot folder): the number of pages, or why
/// the file was refused.
pub fn import_one(
    store: &Store,
    batch_id: &BatchId,
    name: &str,
    bytes: Vec<u8>,
    p: &Processing,
    limits: Limits,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<usize, CaptureError> {
    let mut report = import(
        store,
        batch_id,
        std::iter::once((name.to_owned(), Ok(bytes))),
        p,
        limits,
        &AtomicBool::new(false),
        on_event,
    );
    match report.refused.pop() {
        Some(e) => Err(e),
        None => Ok(report.received as usize),
    }
}

fn read_limited(path: &Path, name: &str, limits: Limits) -> Result<Vec<u8>, CaptureError> {
    let io = |e: std::io::Error| CaptureError::Io {
        file: name.to_owned(),
        reason: e.to_string(),
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(CaptureError::TooLarge {
            file: name.to_owned(),
            page: None,
            reason: format!("larger than {} MiB", limits.max_file_bytes >> 20),
        });
    }
    Ok(bytes)
}

/// Scans a batch from `source` into the store: each page is stored the moment it arrives
/// and processed while the scanner goes on. A scanner that fails mid-batch keeps every page
/// already received (the error is returned beside the report).
pub fn scan_into(
    store: &Store,
    batch_id: &BatchId,
    source: &dyn crate::Source,
    settings: &crate::ScanSettings,
    p: &Processing,
    cancel: &AtomicBool,
    on_event: &(dyn Fn(Event) + Sync),
) -> (Report, Option<CaptureError>) {
    let mut report = Report::default();
    let mut error = None;
    let device = source.name();
    let (processed, failed) = pipeline(store, p, on_event, |send| {
        // Pages of a feeder batch: up to 64 MB in flight at a time.
        let work = match crate::private_tempdir(store.data_dir(), 64 << 20) {
            Ok(w) => w,
            Err(e) => {
                error = Some(CaptureError::Io {
                    file: store.data_dir().display().to_string(),
                    reason: e.to_string(),
                });
                return;
            }
        };
        let mut on_page = |page: crate::Page| {
            let n = u32::try_from(page.index + 1).unwrap_or(u32::MAX);
            let stored = std::fs::read(crate::sane::page_file(work.path(), n))
                .map_err(|e| CaptureError::Io {
                    file: format!("{device}, page {n}"),
                    reason: e.to_string(),
                })
                .and_then(|raw| put_raw(store, &raw))
                .and_then(|raw| {
                    add_page(store, batch_id, &device, page.index, &raw, page.page.dpi)
                });
            match stored {
                Ok(id) => {
                    report.received += 1;
                    on_event(Event::Received {
                        page_id: id,
                        source: device.clone(),
                    });
                    send(Job {
                        page_id: id,
                        what: format!("{device}, page {n}"),
                        page: page.page,
                    });
                }
                Err(e) => error = Some(e),
            }
        };
        if let Err(e) = source.scan(settings, work.path(), cancel, &mut on_page) {
            error = Some(e);
        }
        report.cancelled = cancel.load(Ordering::Relaxed);
    });
    report.processed = processed;
    report.failed_pages = failed;
    (report, error)
}

/// The batch a hot folder's files of `day` (`YYYY-MM-DD`) go into: found by name, made
/// with `profile` when the first file of the day arrives.
pub fn day_batch(
    store: &Store,
    folder: &Path,
    day: &str,
    profile: &ScanProfile,
) -> eingang_store::Result<BatchId> {
    named_batch(
        store,
        &format!("Hotfolder {} {day}", folder.display()),
        profile,
    )
}

/// The batch of this name (a source's day: a hot folder's, a mailbox's), made with
/// `profile` when it does not exist yet.
pub fn named_batch(
    store: &Store,
    name: &str,
    profile: &ScanProfile,
) -> eingang_store::Result<BatchId> {
    store.with_tx(|c| {
        if let Some(id) = batches::by_name(c, name)? {
            return Ok(id);
        }
        let json = serde_json::to_string(profile).unwrap_or_default();
        batches::create_batch(c, name, Some(&profile.id), &json)
    })
}

/// One look at the hot folder: every complete file goes into the day's batch (raw kept,
/// processed by `profile`), then is archived; refused files move to `failed/` with the
/// reason.
pub fn hotfolder_poll(
    store: &Store,
    folder: &mut crate::hotfolder::HotFolder,
    inbox: &Path,
    profile: &ScanProfile,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Vec<crate::hotfolder::Taken>, CaptureError> {
    let mut batch: Option<BatchId> = None;
    folder.poll_bytes(&mut |name, bytes| {
        let id = if let Some(id) = batch {
            id
        } else {
            let day = eingang_store::rfc3339_utc(eingang_store::now_ms())[..10].to_owned();
            let id = day_batch(store, inbox, &day, profile).map_err(|e| store_err(&e))?;
            batch = Some(id);
            id
        };
        import_one(
            store,
            &id,
            name,
            bytes,
            &profile.processing,
            Limits::default(),
            on_event,
        )
    })
}
