//! Release of a checked batch: its documents (cut at the marked pages) as PDF/A with the
//! OCR text layer and the Transfervermerk, written page by page into the blob store,
//! self-checked, recorded with their integrity records and queued for delivery.

use crate::pages::{segments, stored_image};
use crate::profile::ScanProfile;
use eingang_pdf::{PdfA, ScanOptions, ScanPdf, ScanWriter};
use eingang_store::tables::scans::{self, DocumentRow, PageRow};
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
