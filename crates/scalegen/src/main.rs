//! `eingang-scalegen DIR --days N`: a data folder as a scan office leaves it after N batch
//! days that end yesterday — the benchmark's synthetic year (`scripts/bench-scale.sh`).
//!
//! A batch day (a year has 250, spread over 365 calendar days): 2,000 pages in 400
//! documents (10 batches of 200 pages; the first day one batch of 2,000), each page with
//! its raw scan, processed image and thumbnail as small sealed PNG blobs, each document
//! with its PDF and Transfervermerk, released, checked and delivered with a receipt an
//! hour later; 80 delivered submissions with their PDF; 2 drafts; 20,000 audit records
//! chained as the store chains them. After each day the store's own purge runs as of that
//! day with the default `[retention]` periods, so the folder holds what retention leaves.
//! The last day's documents wait in the outbox (not delivered yet).
//!
//! Rows go in with one transaction per day; blob files are written in bulk and made
//! durable before the day's rows commit.

// Pixel values and page positions are small numbers by construction.
#![allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]

use clap::Parser;
use eingang_store::tables::audit;
use eingang_store::Store;
use rusqlite::params;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;

const DAY_MS: i64 = 86_400_000;
const PAGES_PER_DAY: usize = 2_000;
const PAGES_PER_DOCUMENT: usize = 5;
const BATCHES_PER_DAY: usize = 10;
const SUBMISSIONS_PER_DAY: usize = 80;
const DRAFTS_PER_DAY: usize = 2;
const AUDIT_PER_DAY: usize = 20_000;
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The data folder (made if missing; its key as `EINGANG_PASSPHRASE` / the key store say).
    dir: PathBuf,
    /// Batch days to add, the last one yesterday.
    #[arg(long)]
    days: u32,
    /// Skip the purge (a store without retention).
    #[arg(long)]
    no_retention: bool,
    /// Leave the purge of the last D batch days to `eingang retention run`.
    #[arg(long, default_value_t = 0)]
    unpurged_days: u32,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("eingang-scalegen: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Counters of what was written, printed at the end.
#[derive(Debug, Default)]
struct Made {
    pages: usize,
    documents: usize,
    submissions: usize,
    audit: usize,
    blob_files: usize,
    purged_blobs: usize,
    purged_bytes: u64,
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&args.dir)?;
    let started = Instant::now();
    let now = eingang_store::now_ms();
    let spacing = 365 * DAY_MS / 250;
    let yesterday = now - DAY_MS;
    let retention = eingang_config::RetentionSection::default();
    let mut made = Made::default();
    let mut chain = (0, GENESIS.to_owned());
    let days = i64::from(args.days);
    for day in 0..days {
        let at = yesterday - (days - 1 - day) * spacing;
        let last = day == days - 1;
        let big = day == 0;
        let mut blobs = Blobs::new(&store);
        let plan = plan_day(&mut blobs, at, big)?;
        made.blob_files += blobs.finish()?;
        store.with_tx(|tx| {
            write_day(tx, &plan, at, last)?;
            // The purge appends its own records: the chain goes on from the head.
            chain = audit::head(tx)?.unwrap_or((0, GENESIS.to_owned()));
            write_audit(tx, &mut chain, at, day)?;
            Ok(())
        })?;
        made.pages += plan.pages_total();
        made.documents += plan.documents_total();
        made.submissions += plan.submissions.len();
        made.audit += AUDIT_PER_DAY;
        if !args.no_retention && day < days - i64::from(args.unpurged_days) {
            // The purge as the app runs it, on the evening of that day.
            let policy = eingang_api::retention::policy(&retention, at + 12 * 3_600_000);
            let p = store.purge(&policy)?;
            made.purged_blobs += p.blobs;
            made.purged_bytes += p.bytes;
        }
        if (day + 1) % 25 == 0 || last {
            let kept: i64 = store.with_conn(|c| {
                Ok(c.query_row("SELECT coalesce(sum(size), 0) FROM blobs", [], |r| r.get(0))?)
            })?;
            println!(
                "day {:>3}/{days}: {} pages, {} documents, {} audit records; blob files kept: {} MiB ({:.0} s)",
                day + 1,
                made.pages,
                made.documents,
                made.audit,
                kept >> 20,
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "generated {} batch days in {:.1} s: {} pages, {} documents, {} submissions, {} audit records, {} blob files written, {} purged ({} MiB)",
        args.days,
        started.elapsed().as_secs_f64(),
        made.pages,
        made.documents,
        made.submissions,
        made.audit,
        made.blob_files,
        made.purged_blobs,
        made.purged_bytes >> 20
    );
    Ok(())
}

/// The day's blob files, written in bulk; each reference with its size.
struct Blobs<'a> {
    bulk: eingang_store::blobs::Bulk<'a>,
    refs: Vec<(String, i64)>,
    n: u64,
}

impl<'a> Blobs<'a> {
    fn new(store: &'a Store) -> Self {
        Self {
            bulk: store.blobs().bulk(),
            refs: Vec::new(),
            n: 0,
        }
    }

    /// A small grey PNG no other blob equals (`salt` and a counter in its first pixels).
    fn png(&mut self, salt: i64, side: u32) -> Result<String, Box<dyn std::error::Error>> {
        self.n += 1;
        let key = [salt.to_le_bytes(), self.n.to_le_bytes()].concat();
        let img = image::GrayImage::from_fn(side, side, |x, y| {
            let i = (y * side + x) as usize;
            image::Luma([key
                .get(i)
                .copied()
                .unwrap_or(((x * 7 + y * 13) % 251) as u8)])
        });
        let mut bytes = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )?;
        self.put(&bytes)
    }

    /// A document's stand-in PDF (or Transfervermerk) of about 2 KiB.
    fn pdf(&mut self, what: &str, id: &str) -> Result<String, Box<dyn std::error::Error>> {
        let filler = "0".repeat(2_000);
        let bytes = format!("%PDF-1.7\n% {what} {id}\n% {filler}\n%%EOF\n");
        self.put(bytes.as_bytes())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
        let r = self.bulk.put(bytes)?;
        self.refs.push((r.hash.clone(), r.size));
        Ok(r.hash)
    }

    fn finish(self) -> Result<usize, eingang_store::Error> {
        self.bulk.finish()
    }
}

struct PagePlan {
    id: String,
    raw: String,
    image: String,
    thumb: String,
    starts: bool,
}

struct DocPlan {
    id: String,
    pdf: String,
    transfer: String,
    pages: Vec<String>,
}

struct BatchPlan {
    id: String,
    name: String,
    pages: Vec<PagePlan>,
    documents: Vec<DocPlan>,
}

struct SubmissionPlan {
    id: String,
    pdf: String,
}

struct DayPlan {
    batches: Vec<BatchPlan>,
    submissions: Vec<SubmissionPlan>,
    blobs: Vec<(String, i64)>,
}

impl DayPlan {
    fn pages_total(&self) -> usize {
        self.batches.iter().map(|b| b.pages.len()).sum()
    }
    fn documents_total(&self) -> usize {
        self.batches.iter().map(|b| b.documents.len()).sum()
    }
}

/// Writes the day's blob files and plans its rows.
fn plan_day(
    blobs: &mut Blobs<'_>,
    at: i64,
    big: bool,
) -> Result<DayPlan, Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = if big {
        vec![PAGES_PER_DAY]
    } else {
        vec![PAGES_PER_DAY / BATCHES_PER_DAY; BATCHES_PER_DAY]
    };
    let day = eingang_store::rfc3339_utc(at);
    let mut batches = Vec::new();
    for (b, size) in sizes.into_iter().enumerate() {
        let mut pages = Vec::with_capacity(size);
        for i in 0..size {
            pages.push(PagePlan {
                id: eingang_model::PageId::new().to_string(),
                raw: blobs.png(at, 32)?,
                image: blobs.png(at, 24)?,
                thumb: blobs.png(at, 8)?,
                starts: i % PAGES_PER_DOCUMENT == 0,
            });
        }
        let mut documents = Vec::new();
        for chunk in pages.chunks(PAGES_PER_DOCUMENT) {
            let id = eingang_model::DocumentId::new().to_string();
            documents.push(DocPlan {
                pdf: blobs.pdf("document", &id)?,
                transfer: blobs.pdf("transfervermerk", &id)?,
                pages: chunk.iter().map(|p| p.id.clone()).collect(),
                id,
            });
        }
        batches.push(BatchPlan {
            id: eingang_model::BatchId::new().to_string(),
            name: format!("Posteingang {} Stapel {}", &day[..10], b + 1),
            pages,
            documents,
        });
    }
    let mut submissions = Vec::new();
    for _ in 0..SUBMISSIONS_PER_DAY {
        let id = eingang_model::SubmissionId::new().to_string();
        submissions.push(SubmissionPlan {
            pdf: blobs.pdf("submission", &id)?,
            id,
        });
    }
    Ok(DayPlan {
        batches,
        submissions,
        blobs: std::mem::take(&mut blobs.refs),
    })
}

const OUTBOX: &str = "INSERT INTO outbox (item_kind, item_id, target, state, attempts,
                                          receipt_remote_id, receipt_hash, receipt_at, created_at)
                      VALUES (?1, ?2, 'dms', ?3, ?4, ?5, ?6, ?7, ?8)";

/// The day's rows: blobs, batches with pages and documents (released, checked), outbox rows
/// with receipts (none yet on the `last` day), submissions, drafts.
fn write_day(
    tx: &rusqlite::Transaction<'_>,
    plan: &DayPlan,
    at: i64,
    last: bool,
) -> eingang_store::Result<()> {
    let mut blob = tx.prepare_cached(
        "INSERT OR IGNORE INTO blobs (hash, size, created_at) VALUES (?1, ?2, ?3)",
    )?;
    for (hash, size) in &plan.blobs {
        blob.execute(params![hash, size, at])?;
    }
    let mut batch = tx.prepare_cached(
        "INSERT INTO batches (id, name, profile_id, profile_json, created_at, updated_at, scanned_by)
         VALUES (?1, ?2, 'standard', ?4, ?3, ?3, 'scan01')",
    )?;
    let mut page = tx.prepare_cached(
        "INSERT INTO pages (id, batch_id, position, source, source_page, raw_blob, dpi_x, dpi_y,
                            state, image_blob, image_kind, width, height, thumb_blob, skew, ink,
                            starts_document, ocr_state, ocr_json, created_at)
         VALUES (?1, ?2, ?3, 'scanner', ?4, ?5, 300, 300, 'processed', ?6, 'gray8', 2480, 3508,
                 ?7, 0.0, 0.08, ?8, 'done', '[]', ?9)",
    )?;
    let mut doc = tx.prepare_cached(
        "INSERT INTO documents (id, batch_id, title, page_ids, pdf_blob, sha256, pdfa, index_json,
                                created_at, transfer_blob)
         VALUES (?1, ?2, 'Posteingang', ?3, ?4, ?4, '2b', '[[\"dokumentart\",\"Brief\"]]', ?5, ?6)",
    )?;
    let mut qc = tx.prepare_cached(
        "INSERT INTO qc_verdicts (batch_id, first_page, page_ids, verdict, checker, note, flags_json, at)
         VALUES (?1, ?2, ?3, 'passed', 'pruef01', '', '[]', ?4)",
    )?;
    let mut outbox = tx.prepare_cached(OUTBOX)?;
    let receipt_at = at + 3_600_000;
    let (state, attempts) = if last {
        ("pending", 0)
    } else {
        ("delivered", 1)
    };
    let receipt = |id: &str, hash: &str| {
        (!last).then(|| (format!("posteingang/{id}.pdf"), hash.to_owned(), receipt_at))
    };
    for b in &plan.batches {
        batch.execute(params![b.id, b.name, at, standard_profile()])?;
        for (i, p) in b.pages.iter().enumerate() {
            let pos = i as f64;
            let n = i64::try_from(i + 1).unwrap_or(0);
            page.execute(params![
                p.id, b.id, pos, n, p.raw, p.image, p.thumb, p.starts, at
            ])?;
        }
        for d in &b.documents {
            let pages = serde_json::to_string(&d.pages).unwrap_or_default();
            doc.execute(params![
                d.id,
                b.id,
                pages,
                d.pdf,
                at + 1_800_000,
                d.transfer
            ])?;
            qc.execute(params![b.id, d.pages[0], pages, at + 1_200_000])?;
            let r = receipt(&d.id, &d.pdf);
            outbox.execute(params![
                "document",
                d.id,
                state,
                attempts,
                r.as_ref().map(|r| &r.0),
                r.as_ref().map(|r| &r.1),
                r.as_ref().map(|r| r.2),
                at + 1_800_000
            ])?;
        }
        tx.execute(
            "UPDATE batches SET released_at = ?2, originals_eligible = 1, destroyable_at = ?3
             WHERE id = ?1",
            params![b.id, at + 1_800_000, (!last).then_some(receipt_at)],
        )?;
    }
    write_forms(tx, plan, at, last)
}

/// The day's submissions (delivered, or waiting on the `last` day) and drafts.
fn write_forms(
    tx: &rusqlite::Transaction<'_>,
    plan: &DayPlan,
    at: i64,
    last: bool,
) -> eingang_store::Result<()> {
    let mut outbox = tx.prepare_cached(OUTBOX)?;
    let (state, attempts) = if last {
        ("pending", 0)
    } else {
        ("delivered", 1)
    };
    let receipt = |id: &str, hash: &str| {
        (!last).then(|| {
            (
                format!("posteingang/{id}.xml"),
                hash.to_owned(),
                at + 3_600_000,
            )
        })
    };
    let mut sub = tx.prepare_cached(
        "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, attachments_json,
                                  sha256, created_at, pdf_blob)
         VALUES (?1, ?2, ?3, ?4, ?5, '[]', ?6, ?7, ?8)",
    )?;
    for (i, s) in plan.submissions.iter().enumerate() {
        let data = serde_json::json!({ "aktenzeichen": format!("530.12-{}", i + 1) }).to_string();
        let sha = hex::encode(Sha256::digest(data.as_bytes()));
        let when = at + i64::try_from(i).unwrap_or(0) * 60_000;
        sub.execute(params![
            s.id,
            eingang_model::DraftId::new().to_string(),
            eingang_forms::samples::SAMPLE_FORM_ID,
            eingang_forms::samples::SAMPLE_FORM_VERSION,
            data,
            sha,
            when,
            s.pdf
        ])?;
        let r = receipt(&s.id, &sha);
        outbox.execute(params![
            "submission",
            s.id,
            state,
            attempts,
            r.as_ref().map(|r| &r.0),
            r.as_ref().map(|r| &r.1),
            r.as_ref().map(|r| r.2),
            when
        ])?;
    }
    let mut draft = tx.prepare_cached(
        "INSERT INTO drafts (id, form_id, form_version, values_json, caption, revision, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 3, ?6, ?6)",
    )?;
    for i in 0..DRAFTS_PER_DAY {
        let caption = format!("Ortstermin {}", &eingang_store::rfc3339_utc(at)[..10]);
        let values = serde_json::json!({ "aktenzeichen": format!("530.12-{i}") }).to_string();
        draft.execute(params![
            eingang_model::DraftId::new().to_string(),
            eingang_forms::samples::SAMPLE_FORM_ID,
            eingang_forms::samples::SAMPLE_FORM_VERSION,
            values,
            caption,
            at + i64::try_from(i).unwrap_or(0)
        ])?;
    }
    Ok(())
}

/// The day's audit records, chained as `eingang_store::tables::audit` documents it:
/// `hash = SHA-256(prev_hash \n seq \n at \n actor \n kind \n subject \n details \n)`.
fn write_audit(
    tx: &rusqlite::Transaction<'_>,
    chain: &mut (i64, String),
    at: i64,
    day: i64,
) -> eingang_store::Result<()> {
    const KINDS: [&str; 5] = [
        "page.received",
        "page.processed",
        "page.ocr",
        "document.released",
        "delivery.receipt",
    ];
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, kind, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for i in 0..AUDIT_PER_DAY {
        let seq = chain.0 + 1;
        let when = at + i64::try_from(i).unwrap_or(0) * 1_000;
        let kind = KINDS[i % KINDS.len()];
        let subject = format!("d{day}-{}", i / KINDS.len());
        let details = format!("{{\"n\":{i}}}");
        let actor = "scan01";
        let mut h = Sha256::new();
        for part in [
            chain.1.as_str(),
            &seq.to_string(),
            &when.to_string(),
            actor,
            kind,
            &subject,
            &details,
        ] {
            h.update(part.as_bytes());
            h.update(b"\n");
        }
        let hash = hex::encode(h.finalize());
        insert.execute(params![
            seq, when, actor, kind, subject, details, chain.1, hash
        ])?;
        *chain = (seq, hash);
    }
    Ok(())
}

/// The built-in `standard` profile as a batch records it (the app reads the batch's check
/// rules from it).
fn standard_profile() -> String {
    eingang_capture::profile::ScanProfile::builtin()
        .into_iter()
        .find(|p| p.id == "standard")
        .and_then(|p| serde_json::to_string(&p).ok())
        .unwrap_or_else(|| "{}".into())
}
