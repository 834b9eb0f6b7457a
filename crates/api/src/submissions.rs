//! Finalising a draft: validated as complete, the final data (calculations in, irrelevant
//! fields out), the PDF/A rendering in the blob store, the submission and its outbox rows,
//! the draft removed — one transaction; nothing changes if the draft has issues.

use crate::error::{Error, Result};
use eingang_forms::Today;
use eingang_model::{page_size, DraftId, Paged, SubmissionSummary};
use eingang_store::tables::cursor::Cursor;
use eingang_store::tables::{blobs, drafts, forms, outbox, submissions};
use eingang_store::{now_ms, Store};
use sha2::{Digest, Sha256};

/// Finalises a draft into a submission queued for every one of `targets`.
/// A page of the submissions, newest first (`after`: the previous page's `next`).
pub fn list(
    store: &Store,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<Paged<SubmissionSummary>> {
    let after = Cursor::parse(after)?;
    let (items, next) =
        store.with_conn(|c| submissions::list(c, after.as_ref(), page_size(limit)))?;
    Ok(Paged { items, next })
}

pub fn finalise(
    store: &Store,
    draft_id: DraftId,
    today: Today,
    targets: &[String],
) -> Result<SubmissionSummary> {
    store.try_tx(|conn| -> Result<SubmissionSummary> {
        let draft = drafts::get(conn, draft_id)?;
        let form = forms::load(conn, &draft.form_id, &draft.form_version)?;
        let done =
            form.finalise(&draft.values, today)
                .map_err(|issues| Error::DraftIncomplete {
                    count: issues.len(),
                })?;
        let data = serde_json::to_string(&done.data).map_err(|e| {
            Error::Store(eingang_store::Error::BadRow {
                what: "draft",
                id: draft_id.to_string(),
                detail: e.to_string(),
            })
        })?;
        let attachments = serde_json::to_string(&done.attachments).unwrap_or_else(|_| "[]".into());
        let sha256 = hex::encode(Sha256::digest(data.as_bytes()));
        let id = eingang_model::SubmissionId::new().to_string();
        let now = now_ms();
        let pdf =
            crate::render::submission_pdf(&form.definition, &done.data, &id, now).map_err(|e| {
                Error::Render {
                    detail: e.to_string(),
                }
            })?;
        // The blob is durable before the row naming it commits.
        let pdf_blob = store.blobs().put(&pdf)?;
        blobs::insert(conn, &pdf_blob)?;
        submissions::insert(
            conn,
            &submissions::NewSubmission {
                id: &id,
                draft_id,
                form_id: &draft.form_id,
                form_version: &draft.form_version,
                data_json: &data,
                xml: done.xml.as_deref(),
                attachments_json: &attachments,
                sha256: &sha256,
                created_at: now,
                pdf_blob: &pdf_blob.hash,
            },
        )?;
        for target in targets {
            outbox::enqueue(conn, "submission", &id, target, now)?;
        }
        drafts::delete(conn, draft_id)?;
        Ok(SubmissionSummary {
            reference: eingang_model::draft::reference_code(&id),
            id,
            form_id: draft.form_id,
            form_version: draft.form_version,
            caption: form.caption(&done.data),
            attachments: u32::try_from(done.attachments.len()).unwrap_or(u32::MAX),
            sha256,
            delivery: "pending".into(),
            created_at: now,
        })
    })
}
