//! Release of a checked batch (TR-RESISCAN A.NB.4, A.IS.1): its documents (cut at the
//! marked pages) as PDF/A with the OCR text layer and the Transfervermerk, written page by
//! page into the blob store, self-checked, recorded with their integrity records and queued
//! for delivery, and the batch marked released — one transaction at the end. Its paper
//! originals become destroyable with the last delivery receipt (the store does that). The steps, each in its own file:
//! [`gate`] (may it be released?), [`index`] (every document's index values valid?),
//! [`facts`] (what the Transfervermerk says), [`write`] (the PDF/A), then the commit here.
//! [`preview`] shows what a release would make before the clerk confirms it.

mod facts;
mod gate;
mod index;
mod preview;
mod write;

pub use preview::{preview, DocumentPreview, Preview};

use crate::pages::segments;
use crate::profile::ScanProfile;
use crate::transfer::{self, Sealer};
use crate::BatchError;
use eingang_model::BatchId;
use eingang_pdf::ScanPdf;
use eingang_store::blobs::BlobRef;
use eingang_store::tables::batches;
use eingang_store::tables::documents;
use eingang_store::tables::documents::DocumentRow;
use eingang_store::tables::pages;
use eingang_store::{tables, Store};

/// What a release needs besides the batch.
#[allow(missing_debug_implementations)]
pub struct Release<'a> {
    /// The documents' title (numbered when there are several).
    pub title: &'a str,
    /// Index values for every document; each document's own values go over them.
    pub index: &'a [(String, String)],
    /// Delivery targets (outbox).
    pub targets: &'a [&'a str],
    pub sealer: &'a dyn Sealer,
    /// The workstation's name for the Transfervermerk (`[station] name`; else the host name).
    pub station: Option<&'a str>,
    /// The machine's justification for releasing *normal* documents without a seal
    /// (`[seal] justification`); a profile's own goes over it.
    pub justification: Option<&'a str>,
    /// People sign in against the directory (`[directory]`): who scanned and who checked are
    /// authenticated identities.
    pub authenticated: bool,
    /// Documents released straight through (by their first page): how they were indexed.
    pub automatic: &'a [(eingang_model::PageId, transfer::AutoIndexed)],
}

/// A document made, not yet recorded: its row, its PDF and its Transfervermerk.
struct Made {
    row: DocumentRow,
    pdf: BlobRef,
    transfervermerk: BlobRef,
    /// How each page went into the PDF (MRC or plain, and why), for the page log.
    encodings: Vec<(eingang_model::PageId, serde_json::Value)>,
    /// Released straight through, this sure.
    automatic: Option<f32>,
}

/// Releases a batch after its quality check. Nothing is queued if any document cannot be
/// made, any index value is invalid, OCR is still running or the check has not passed.
pub fn release(
    store: &Store,
    batch_id: &BatchId,
    r: &Release<'_>,
) -> Result<Vec<DocumentRow>, BatchError> {
    let (batch, pages, master) = load(store, batch_id)?;
    let qc = gate::check(store, &batch, &pages)?;
    let (protection, justification) =
        gate::evidence(&qc, r.sealer, r.justification, r.authenticated)?;
    let profile: Option<ScanProfile> = serde_json::from_str(&batch.profile_json).ok();
    let level = profile.as_ref().map(ScanProfile::level).unwrap_or_default();
    let mrc = profile
        .as_ref()
        .filter(|p| p.processing.compression == crate::process::Compression::Mrc)
        .map(|_| crate::process::mrc::MrcSettings::default());
    let segs = segments(&pages);
    if segs.is_empty() {
        return Err(BatchError::NoPages);
    }
    let created_ms = eingang_store::now_ms();
    let created = eingang_store::rfc3339_utc(created_ms);
    let indexes = index::check(&segs, r.index, &master, &created[..10])?;
    let total = segs.len();
    let mut made = Vec::new();
    for ((n, seg), doc_index) in segs.into_iter().enumerate().zip(indexes) {
        let id = eingang_model::DocumentId::new();
        let id_text = id.to_string();
        let title = numbered(r.title, n, total);
        let doc = facts::Document {
            id: &id_text,
            title: &title,
            pages: &seg,
            index: &doc_index,
        };
        let facts = facts::of(
            &batch,
            profile.as_ref(),
            level,
            &qc,
            &doc,
            r.station,
            &created,
        );
        let facts = transfer::Facts {
            protection_kind: protection.as_str().to_owned(),
            justification: justification.clone().unwrap_or_default(),
            automatic: r
                .automatic
                .iter()
                .find(|(first, _)| *first == seg[0].id)
                .map(|(_, a)| a.clone()),
            email_signature: email_signature(store, seg[0])?,
            ..facts
        };
        let pdf_doc = ScanPdf {
            title: title.clone(),
            language: "de".into(),
            created: created.clone(),
            reference: id_text.clone(),
        };
        let facts_automatic = facts.automatic.as_ref().map(|a| a.confidence);
        let written = write::pdf(store, level, mrc.as_ref(), &pdf_doc, &seg, &facts, r.sealer)?;
        let (pdf, encodings, tv) = (written.pdf, written.encodings, written.transfervermerk);
        let transfervermerk = store.blobs().put(tv.as_bytes())?;
        let integrity = transfer::integrity(&pdf.hash, tv.as_bytes(), &doc_index, r.sealer)?;
        let row = DocumentRow {
            id,
            batch_id: *batch_id,
            title,
            page_ids: seg.iter().map(|p| p.id).collect(),
            pdf_blob: pdf.hash.clone(),
            sha256: pdf.hash.clone(),
            pdfa: format!("PDF/A-{}b", level.part()),
            index: doc_index,
            created_at: created_ms,
            transfer_blob: Some(transfervermerk.hash.clone()),
            integrity: serde_json::to_string(&integrity).ok(),
        };
        made.push(Made {
            row,
            pdf,
            transfervermerk,
            encodings,
            automatic: facts_automatic,
        });
    }
    // The originals may be destroyed only with integrity evidence: a seal, or the written
    // justification for going without one (A.IS.1) — and only once delivered.
    let evidenced = protection != transfer::Protection::None || justification.is_some();
    commit(store, batch_id, &made, r.targets, qc.passed && evidenced)?;
    Ok(made.into_iter().map(|m| m.row).collect())
}

/// The batch, its pages and the master data, read together.
fn load(
    store: &Store,
    batch_id: &BatchId,
) -> Result<
    (
        batches::BatchRow,
        Vec<pages::PageRow>,
        Vec<tables::masterdata::Entry>,
    ),
    BatchError,
> {
    Ok(store.with_conn(|c| {
        Ok((
            batches::batch(c, batch_id)?,
            pages::pages(c, batch_id)?,
            tables::masterdata::all(c)?,
        ))
    })?)
}

/// Document `n` (0-based) of `total` under the release's title: numbered when there are several.
fn numbered(title: &str, n: usize, total: usize) -> String {
    if total > 1 {
        format!("{title} ({}/{total})", n + 1)
    } else {
        title.to_owned()
    }
}

/// Records every document with its blobs, queues it, logs it, and marks the batch
/// released (`eligible`: its originals may go once all are delivered) — one transaction.
fn commit(
    store: &Store,
    batch_id: &BatchId,
    made: &[Made],
    targets: &[&str],
    eligible: bool,
) -> Result<(), BatchError> {
    Ok(store.with_tx(|c| {
        for m in made {
            tables::blobs::insert(c, &m.pdf)?;
            tables::blobs::insert(c, &m.transfervermerk)?;
            documents::add_document(c, &m.row, targets)?;
            for (page, params) in &m.encodings {
                pages::log_archive_encoding(c, page, params)?;
            }
            tables::audit::append(
                c,
                "document.released",
                &m.row.id.to_string(),
                &serde_json::json!({
                    "batch": batch_id,
                    "pages": m.row.page_ids.len(),
                    "sha256": m.row.sha256,
                    "automatic": m.automatic,
                }),
            )?;
        }
        batches::set_released(c, batch_id, eligible)
    })?)
}

/// The S/MIME check an e-mail's message page recorded on arrival (its page log).
fn email_signature(
    store: &Store,
    first: &eingang_store::tables::pages::PageRow,
) -> Result<Option<eingang_seal::smime::MailSignature>, BatchError> {
    if !crate::email::is_eml(&first.source) {
        return Ok(None);
    }
    let log = store.with_conn(|c| eingang_store::tables::page_log::page_log(c, &first.id))?;
    Ok(log
        .iter()
        .filter(|(_, op, _)| op == "email_received")
        .find_map(|(_, _, params)| {
            let v: serde_json::Value = serde_json::from_str(params).ok()?;
            serde_json::from_value(v.get("signature")?.clone()).ok()
        }))
}
