//! Batches in the store: pages arrive (files, the hot folder, a scanner), each is stored as
//! its raw scan **at once** (own transaction, blob fsynced first) and then processed by a
//! pool of workers — one per core, pages streaming through a bounded queue so a 500-page
//! batch is never all in memory. Documents are cut from a batch at the pages marked as
//! document starts and written page by page as PDF/A into the blob store, then queued in
//! the outbox in the same transaction as the document row.

use crate::process::{process, Processing};
use crate::{read_bytes, CaptureError, Limits};
use eingang_pdf::{PageImage, PdfA, ScanOptions, ScanPage, ScanPdf, ScanWriter};
use eingang_store::blobs::BlobRef;
use eingang_store::tables::scans::{self, DocumentRow, NewPage, PageRow, ProcessedPage};
use eingang_store::{tables, Store};
use serde::{Deserialize, Serialize};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

/// A scan profile (TR-RESISCAN A.SC.6): named settings for a kind of document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanProfile {
    pub id: String,
    pub name: String,
    /// Scanner settings: `Flatbed`, `ADF`, `ADF Duplex`… as the device names them.
    #[serde(default)]
    pub source: Option<String>,
    /// `Gray`, `Color`, `Lineart`.
    #[serde(default)]
    pub mode: Option<String>,
    pub resolution: u32,
    #[serde(default)]
    pub processing: Processing,
    /// `1b`, `2b` or `3b` (default; with 1b and 2b the Transfervermerk travels beside the
    /// document only).
    #[serde(default = "default_pdfa")]
    pub pdfa: String,
    /// How batches scanned with this profile are cut into documents.
    #[serde(default)]
    pub separation: crate::separate::Separation,
    /// The quality check batches of this profile get.
    #[serde(default)]
    pub qc: crate::qc::QcSettings,
}

fn default_pdfa() -> String {
    // PDF/A-3b: the Transfervermerk travels inside the document as an associated file.
    "3b".into()
}

impl ScanProfile {
    /// Checks the profile; the error names the setting.
    pub fn check(&self) -> Result<(), String> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("id: letters, digits, '-' and '_' only, at most 64".into());
        }
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err("name: required, at most 200 characters".into());
        }
        if !(50..=1200).contains(&self.resolution) {
            return Err("resolution: between 50 and 1200 dpi".into());
        }
        if PdfA::parse(&self.pdfa).is_none() {
            return Err("pdfa: 1b, 2b or 3b".into());
        }
        self.separation
            .check()
            .map_err(|e| format!("separation: {e}"))?;
        self.processing.check()
    }

    pub fn level(&self) -> PdfA {
        PdfA::parse(&self.pdfa).unwrap_or_default()
    }

    /// The profiles a fresh installation starts with.
    pub fn builtin() -> Vec<Self> {
        use crate::process::ColourMode;
        let p = |id: &str, name: &str, mode: &str, colour: ColourMode, q: u8| Self {
            id: id.into(),
            name: name.into(),
            source: None,
            mode: Some(mode.into()),
            resolution: 300,
            processing: Processing {
                mode: colour,
                jpeg_quality: q,
                // Office paper in grey: lift the paper to white (smaller, cleaner pages).
                whiten_background: colour == ColourMode::Grey,
                ocr: true,
                ..Processing::default()
            },
            pdfa: default_pdfa(),
            separation: crate::separate::Separation::default(),
            qc: crate::qc::QcSettings::default(),
        };
        vec![
            p(
                "standard",
                "Schriftgut (Graustufen, 300 dpi)",
                "Gray",
                ColourMode::Grey,
                80,
            ),
            p(
                "text-sw",
                "Reiner Text (Schwarzweiß, CCITT G4)",
                "Gray",
                ColourMode::Bilevel,
                80,
            ),
            p(
                "farbe",
                "Farbe (Fotos, Pläne, Stempel)",
                "Color",
                ColourMode::Keep,
                85,
            ),
        ]
    }
}

/// The stored profiles; the built-in ones are added when there are none.
pub fn profiles(store: &Store) -> eingang_store::Result<Vec<ScanProfile>> {
    store.with_tx(|c| {
        if scans::profiles(c)?.is_empty() {
            for p in ScanProfile::builtin() {
                let json = serde_json::to_string(&p).unwrap_or_default();
                scans::save_profile(c, &p.id, &p.name, &json)?;
            }
        }
        Ok(scans::profiles(c)?
            .into_iter()
            .filter_map(|r| serde_json::from_str(&r.settings_json).ok())
            .collect())
    })
}

/// Saves a profile after checking it (the change is logged by the store).
pub fn save_profile(store: &Store, p: &ScanProfile) -> Result<(), String> {
    p.check()?;
    let json = serde_json::to_string(p).map_err(|e| e.to_string())?;
    store
        .with_tx(|c| scans::save_profile(c, &p.id, &p.name, &json))
        .map_err(|e| e.to_string())
}

/// What happens during intake, for progress displays.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A page is stored (its raw scan): it survives a crash from now on.
    Received { page_id: String, source: String },
    Processed {
        page_id: String,
        blank: bool,
        skew: Option<f32>,
    },
    PageFailed {
        page_id: String,
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

struct Job {
    page_id: String,
    what: String,
    page: ScanPage,
}

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
    batch_id: &str,
    source: &str,
    index: usize,
    raw: &BlobRef,
    dpi: (f32, f32),
) -> Result<String, CaptureError> {
    store
        .with_tx(|c| {
            tables::blobs::insert(c, raw)?;
            scans::add_page(
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

fn image_parts(image: &PageImage) -> (&'static str, u32, u32, Vec<u8>) {
    match image {
        PageImage::Jpeg(b) => {
            let (w, h) = eingang_pdf::jpeg_info(b).map_or((0, 0), |i| (i.width, i.height));
            ("jpeg", w, h, b.clone())
        }
        PageImage::G4 {
            width,
            height,
            data,
        } => ("g4", *width, *height, data.clone()),
        PageImage::Gray8 {
            width,
            height,
            data,
        } => ("gray8", *width, *height, zlib(data)),
        PageImage::Rgb8 {
            width,
            height,
            data,
        } => ("rgb8", *width, *height, zlib(data)),
        PageImage::Bilevel {
            width,
            height,
            data,
        } => {
            // Not produced by processing (bilevel pages become G4); kept as grey.
            let row = width.div_ceil(8) as usize;
            let mut grey = Vec::with_capacity(*width as usize * *height as usize);
            for y in 0..*height as usize {
                for x in 0..*width as usize {
                    grey.push(if data[y * row + x / 8] & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    });
                }
            }
            ("gray8", *width, *height, zlib(&grey))
        }
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
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
        let (kind, w, h, bytes) = image_parts(&done.page.image);
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
                scans::set_processed(
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
            let _ = store.with_conn(|c| scans::set_failed(c, &page_id, &code, &message));
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
fn pipeline(
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

/// Imports files into a batch: each file's bytes are the raw scan of its pages; a bad file
/// is reported (`Event::FileFailed`) and the rest go on.
pub fn import_files(
    store: &Store,
    batch_id: &str,
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
    batch_id: &str,
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
                        return Ok((raw, mail.pages, Some(mail.index)));
                    }
                    Ok((raw, read_bytes(&name, bytes, limits)?, None))
                })
                .and_then(|(raw, pages, email)| {
                    for (n, page) in pages.into_iter().enumerate() {
                        let id = add_page(store, batch_id, &name, page.index, &raw, page.page.dpi)?;
                        if let (0, Some(index)) = (n, &email) {
                            store
                                .with_tx(|c| {
                                    scans::mark_document_start(c, &id, index, "email_received")
                                })
                                .map_err(|e| store_err(&e))?;
                        }
                        report.received += 1;
                        on_event(Event::Received {
                            page_id: id.clone(),
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
    batch_id: &str,
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
    batch_id: &str,
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
                        page_id: id.clone(),
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

/// Rebuilds a processed page's image from the blob store.
pub(crate) fn stored_image(store: &Store, p: &PageRow) -> Result<ScanPage, String> {
    let (Some(blob), Some(kind)) = (&p.image_blob, &p.image_kind) else {
        return Err(format!(
            "page from {} (page {}) is not processed yet ({})",
            p.source,
            p.source_page + 1,
            p.error.as_deref().unwrap_or(&p.state)
        ));
    };
    let bytes = store.blobs().get(blob).map_err(|e| e.to_string())?;
    let (width, height) = (p.width.unwrap_or(0), p.height.unwrap_or(0));
    let inflate = |b: &[u8]| {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(b)
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| e.to_string())
    };
    let image = match kind.as_str() {
        "jpeg" => PageImage::Jpeg(bytes),
        "g4" => PageImage::G4 {
            width,
            height,
            data: bytes,
        },
        "gray8" => PageImage::Gray8 {
            width,
            height,
            data: inflate(&bytes)?,
        },
        _ => PageImage::Rgb8 {
            width,
            height,
            data: inflate(&bytes)?,
        },
    };
    Ok(ScanPage { image, dpi: p.dpi })
}

/// The batch cut into documents: each starts at the first page or a page marked as a
/// document start; deleted pages are left out.
pub fn segments(pages: &[PageRow]) -> Vec<Vec<&PageRow>> {
    let mut out: Vec<Vec<&PageRow>> = Vec::new();
    for p in pages.iter().filter(|p| !p.deleted) {
        match out.last_mut() {
            Some(doc) if !p.starts_document => doc.push(p),
            _ => out.push(vec![p]),
        }
    }
    out
}

/// What a release needs besides the batch.
#[allow(missing_debug_implementations)]
pub struct Release<'a> {
    /// The documents' title (numbered when there are several).
    pub title: &'a str,
    /// Index values for every document; each document's own values go over them.
    pub index: &'a [(String, String)],
    /// Delivery targets (outbox).
    pub targets: &'a [&'a str],
    pub sealer: &'a dyn crate::transfer::Sealer,
    /// The workstation's name for the Transfervermerk (`[station] name`; else the host name).
    pub station: Option<&'a str>,
}

/// Why a batch cannot be released yet, each in words (and for the UI, a code).
fn release_gate(
    store: &Store,
    batch: &scans::BatchRow,
    pages: &[PageRow],
) -> Result<crate::qc::QcState, String> {
    if batch.released_at.is_some() {
        return Err("this batch was released already".into());
    }
    if let Some(p) = pages.iter().find(|p| !p.deleted && p.state != "processed") {
        return Err(format!(
            "page from {} (page {}) is not processed ({}): rescan or delete it",
            p.source,
            p.source_page + 1,
            p.error.as_deref().unwrap_or(&p.state)
        ));
    }
    if batch.ocr_pending > 0 {
        return Err(format!(
            "OCR is still reading {} page(s); release when it is done",
            batch.ocr_pending
        ));
    }
    let qc = crate::qc::state(store, &batch.id)?;
    if !qc.passed {
        return Err(format!(
            "quality check: {} document(s) still need a verdict, {} failed (fix and check again)",
            qc.open, qc.failed
        ));
    }
    Ok(qc)
}

/// Releases a batch after its quality check: makes its documents (PDF/A with the OCR text
/// layer and the Transfervermerk, written page by page into the blob store, self-checked),
/// records each with its integrity record and queues it for `targets`, and marks the batch
/// released with its originals destroyable — all in one transaction. Nothing is queued if
/// any document cannot be made, any index value is invalid, OCR is still running or the
/// check has not passed.
#[allow(clippy::too_many_lines)]
pub fn release(store: &Store, batch_id: &str, r: &Release<'_>) -> Result<Vec<DocumentRow>, String> {
    use crate::transfer::{self, Facts};
    let (batch, pages, master) = store
        .with_conn(|c| {
            Ok((
                scans::batch(c, batch_id)?,
                scans::pages(c, batch_id)?,
                tables::masterdata::all(c)?,
            ))
        })
        .map_err(|e| e.to_string())?;
    let qc = release_gate(store, &batch, &pages)?;
    let profile: Option<ScanProfile> = serde_json::from_str(&batch.profile_json).ok();
    let level = profile.as_ref().map(ScanProfile::level).unwrap_or_default();
    let segs = segments(&pages);
    if segs.is_empty() {
        return Err("the batch has no pages".into());
    }
    let created_ms = eingang_store::now_ms();
    let created = eingang_store::rfc3339_utc(created_ms);
    let today = &created[..10];
    // Every document's index values, checked before anything is written.
    let mut indexes = Vec::new();
    for (n, seg) in segs.iter().enumerate() {
        let mut doc_index: Vec<(String, String)> = r.index.to_vec();
        for (k, v) in &seg[0].index {
            doc_index.retain(|(f, _)| f != k);
            doc_index.push((k.clone(), v.clone()));
        }
        doc_index.retain(|(_, v)| !v.trim().is_empty());
        let errors = crate::masterdata::validate(&master, &doc_index, today);
        if !errors.is_empty() {
            let list: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            return Err(format!("document {}: {}", n + 1, list.join("; ")));
        }
        indexes.push(doc_index);
    }
    let mut docs = Vec::new();
    let total = segs.len();
    for ((n, seg), doc_index) in segs.into_iter().enumerate().zip(indexes) {
        let id = uuid::Uuid::now_v7().to_string();
        let title = if total > 1 {
            format!("{} ({}/{total})", r.title, n + 1)
        } else {
            r.title.to_owned()
        };
        let check = qc.documents.iter().find(|d| d.first_page == seg[0].id);
        let verdict = check.and_then(|d| d.verdict.clone());
        let mut devices: Vec<String> = Vec::new();
        for p in &seg {
            let device = p
                .source
                .split_once(" (")
                .map_or(p.source.as_str(), |(d, _)| d);
            if !devices.iter().any(|d| d == device) {
                devices.push(device.to_owned());
            }
        }
        let facts = Facts {
            document_id: id.clone(),
            station: transfer::station_name(r.station),
            title: title.clone(),
            pages: seg.len(),
            scanned_by: batch.scanned_by.clone(),
            captured: eingang_store::rfc3339_utc(batch.created_at),
            released: created.clone(),
            devices,
            profile_id: profile.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            profile_name: profile.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            profile_json: batch.profile_json.clone(),
            pdfa: format!("PDF/A-{}b", level.part()),
            anomalies: check.map(|d| d.flags.clone()).unwrap_or_default(),
            qc_result: if verdict.is_some() {
                "bestanden"
            } else {
                "nicht_gezogen"
            }
            .into(),
            checker: verdict
                .as_ref()
                .map(|v| v.checker.clone())
                .unwrap_or_default(),
            checked_at: verdict
                .as_ref()
                .map(|v| eingang_store::rfc3339_utc(v.at))
                .unwrap_or_default(),
            protection: serde_json::to_value(qc.settings.protection)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            four_eyes: qc.settings.four_eyes,
            index: doc_index.clone(),
            ocr_pages: seg
                .iter()
                .filter(|p| p.ocr_state.as_deref() == Some("done"))
                .count(),
        };
        let tv = transfer::xml(&facts);
        // The PDF/A is about as large as its pages' images.
        let need: u64 = seg
            .iter()
            .filter_map(|p| {
                let h = p.image_blob.as_deref().unwrap_or(&p.raw_blob);
                store
                    .with_conn(|c| tables::blobs::get(c, h))
                    .ok()
                    .flatten()
                    .and_then(|b| u64::try_from(b.size).ok())
            })
            .sum();
        let work = crate::private_tempdir(store.data_dir(), need).map_err(|e| e.to_string())?;
        let tmp = tempfile::NamedTempFile::new_in(work.path()).map_err(|e| e.to_string())?;
        let file = std::io::BufWriter::new(tmp.reopen().map_err(|e| e.to_string())?);
        let mut w = ScanWriter::new(file, level).map_err(|e| e.to_string())?;
        for p in &seg {
            let image = stored_image(store, p)?;
            let text = store
                .with_conn(|c| scans::ocr_words(c, &p.id))
                .map_err(|e| e.to_string())?
                .and_then(|j| crate::ocr::PageText::parse(&j))
                .unwrap_or_default();
            w.add_page_with_text(&image, p.rotation, &text.words, text.rotation)
                .map_err(|e| e.to_string())?;
        }
        let doc = ScanPdf {
            title: title.clone(),
            language: "de".into(),
            created: created.clone(),
            reference: id.clone(),
        };
        let mut xmp = doc_index.clone();
        xmp.extend(transfer::xmp_facts(&facts));
        let mut attachments = Vec::new();
        if level == PdfA::A3b {
            attachments.push(eingang_pdf::Attachment {
                name: "transfervermerk.xml".into(),
                mime: "application/xml".into(),
                description: "Transfervermerk (BSI TR-03138 A.NB.4)".into(),
                relationship: "Supplement".into(),
                data: tv.as_bytes().to_vec(),
            });
            // An e-mail travels as it came (with every attachment) beside its pages.
            let mut seen = Vec::new();
            for p in seg.iter().filter(|p| crate::email::is_eml(&p.source)) {
                if seen.contains(&p.raw_blob) {
                    continue;
                }
                seen.push(p.raw_blob.clone());
                attachments.push(eingang_pdf::Attachment {
                    name: p.source.clone(),
                    mime: "message/rfc822".into(),
                    description: "E-Mail im Original".into(),
                    relationship: "Source".into(),
                    data: store.blobs().get(&p.raw_blob).map_err(|e| e.to_string())?,
                });
            }
        }
        let options = ScanOptions {
            level,
            index: xmp,
            attachments,
        };
        let file = w.finish(&doc, &options).map_err(|e| e.to_string())?;
        file.into_inner()
            .map_err(|e| e.to_string())?
            .sync_all()
            .map_err(|e| e.to_string())?;
        // The self-check: a document that is not PDF/A is never queued.
        let problems = eingang_pdf::check_pdfa_file(tmp.path(), level);
        if !problems.is_empty() {
            return Err(format!(
                "{title}: not a valid PDF/A ({}); nothing was queued",
                problems.join("; ")
            ));
        }
        let blob = store
            .blobs()
            .put_reader(std::fs::File::open(tmp.path()).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let tv_blob = store
            .blobs()
            .put(tv.as_bytes())
            .map_err(|e| e.to_string())?;
        let integrity = transfer::integrity(&blob.hash, tv.as_bytes(), &doc_index, r.sealer)?;
        let row = DocumentRow {
            id,
            batch_id: batch_id.to_owned(),
            title,
            page_ids: seg.iter().map(|p| p.id.clone()).collect(),
            pdf_blob: blob.hash.clone(),
            sha256: blob.hash.clone(),
            pdfa: format!("PDF/A-{}b", level.part()),
            index: doc_index,
            created_at: created_ms,
            transfer_blob: Some(tv_blob.hash.clone()),
            integrity: serde_json::to_string(&integrity).ok(),
        };
        docs.push((row, blob, tv_blob));
    }
    store
        .with_tx(|c| {
            for (row, blob, tv) in &docs {
                tables::blobs::insert(c, blob)?;
                tables::blobs::insert(c, tv)?;
                scans::add_document(c, row, r.targets)?;
                tables::audit::append(
                    c,
                    "document.released",
                    &row.id,
                    &serde_json::json!({ "batch": batch_id, "pages": row.page_ids.len(), "sha256": row.sha256 }),
                )?;
            }
            scans::set_released(c, batch_id, qc.passed)
        })
        .map_err(|e| e.to_string())?;
    Ok(docs.into_iter().map(|(r, _, _)| r).collect())
}

/// The batch a hot folder's files of `day` (`YYYY-MM-DD`) go into: found by name, made
/// with `profile` when the first file of the day arrives.
pub fn day_batch(
    store: &Store,
    folder: &Path,
    day: &str,
    profile: &ScanProfile,
) -> eingang_store::Result<String> {
    let name = format!("Hotfolder {} {day}", folder.display());
    store.with_tx(|c| {
        if let Some(b) = scans::batches(c)?.into_iter().find(|b| b.name == name) {
            return Ok(b.id);
        }
        let json = serde_json::to_string(profile).unwrap_or_default();
        scans::create_batch(c, &name, Some(&profile.id), &json)
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
    let mut batch: Option<String> = None;
    folder.poll_bytes(&mut |name, bytes| {
        let id = if let Some(id) = &batch {
            id.clone()
        } else {
            let day = eingang_store::rfc3339_utc(eingang_store::now_ms())[..10].to_owned();
            let id = day_batch(store, inbox, &day, profile).map_err(|e| store_err(&e))?;
            batch = Some(id.clone());
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
