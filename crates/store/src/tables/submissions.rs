//! The `submissions` table: finalised drafts. A submission is written, its outbox row too,
//! and the draft removed — in one transaction. The table refuses updates (trigger).

use crate::blobs::BlobStore;
use crate::error::{Error, Result};
use crate::now_ms;
use crate::tables::{drafts, forms};
use eingang_forms::Today;
use eingang_model::{DraftId, SubmissionSummary};
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The delivery target every submission is queued for until the sync issue configures more.
pub const DEFAULT_TARGET: &str = "default";

/// Finalises a draft (call inside `with_tx`): validates it as complete, renders the PDF/A
/// into the blob store, writes the submission and its outbox row, and removes the draft.
/// Nothing changes if it has issues.
pub fn finalise(
    conn: &Connection,
    blobs: &BlobStore,
    draft_id: DraftId,
    today: Today,
) -> Result<SubmissionSummary> {
    let draft = drafts::get(conn, draft_id)?;
    let form = forms::load(conn, &draft.form_id, &draft.form_version)?;
    let done = form
        .finalise(&draft.values, today)
        .map_err(|issues| Error::DraftIncomplete {
            count: issues.len(),
        })?;
    let data = serde_json::to_string(&done.data).map_err(|e| Error::BadRow {
        what: "draft",
        id: draft_id.to_string(),
        detail: e.to_string(),
    })?;
    let attachments = serde_json::to_string(&done.attachments).unwrap_or_else(|_| "[]".into());
    let sha256 = hex::encode(Sha256::digest(data.as_bytes()));
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let pdf =
        crate::render::submission_pdf(&form.definition, &done.data, &id, now).map_err(|e| {
            Error::Render {
                detail: e.to_string(),
            }
        })?;
    let pdf_blob = blobs.put(&pdf)?;
    crate::tables::blobs::insert(conn, &pdf_blob)?;
    conn.execute(
        "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, xml, attachments_json, sha256, created_at, pdf_blob)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![id, draft_id.to_string(), draft.form_id, draft.form_version, data, done.xml, attachments, sha256, now, pdf_blob.hash],
    )?;
    conn.execute(
        "INSERT INTO outbox (item_kind, item_id, target, created_at) VALUES ('submission', ?1, ?2, ?3)",
        params![id, DEFAULT_TARGET, now],
    )?;
    drafts::delete(conn, draft_id)?;
    Ok(SubmissionSummary {
        id,
        form_id: draft.form_id,
        form_version: draft.form_version,
        caption: form.caption(&done.data),
        attachments: u32::try_from(done.attachments.len()).unwrap_or(u32::MAX),
        sha256,
        delivery: "pending".into(),
        created_at: now,
    })
}

/// Every submission, newest first, with its delivery state.
pub fn list(conn: &Connection) -> Result<Vec<SubmissionSummary>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.form_id, s.form_version, s.data_json, s.attachments_json, s.sha256, s.created_at,
                coalesce((SELECT o.state FROM outbox o WHERE o.item_kind = 'submission' AND o.item_id = s.id
                          ORDER BY o.id LIMIT 1), 'pending')
         FROM submissions s ORDER BY s.created_at DESC, s.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    rows.map(|row| {
        let (id, form_id, form_version, data, attachments, sha256, created_at, delivery) = row?;
        let data: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&data).unwrap_or_default();
        let caption = forms::load(conn, &form_id, &form_version)
            .map(|f| f.caption(&data))
            .unwrap_or_default();
        let attachments =
            serde_json::from_str::<Vec<serde_json::Value>>(&attachments).map_or(0, |a| a.len());
        Ok(SubmissionSummary {
            id,
            form_id,
            form_version,
            caption,
            attachments: u32::try_from(attachments).unwrap_or(u32::MAX),
            sha256,
            delivery,
            created_at,
        })
    })
    .collect()
}

/// The blob name of a submission's PDF/A rendering.
pub fn pdf_blob(conn: &Connection, id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT pdf_blob FROM submissions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// What a connector delivers for one submission: its files and an index describing them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: String,
    /// `(file name, bytes)`: the PDF/A, the data (JSON), the FIM XML if any, the attachments.
    pub files: Vec<(String, Vec<u8>)>,
    /// The index file (XML) that lists the files with their SHA-256 and the metadata.
    pub index_xml: String,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Builds the delivery package of submission `id` from the store.
pub fn package(conn: &Connection, blobs: &BlobStore, id: &str) -> Result<Package> {
    let (form_id, form_version, data, xml, attachments, created_at, pdf): (
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        Option<String>,
    ) = conn
        .query_row(
            "SELECT form_id, form_version, data_json, xml, attachments_json, created_at, pdf_blob
             FROM submissions WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                what: "submission",
                id: id.to_owned(),
            },
            other => other.into(),
        })?;
    let mut files = Vec::new();
    if let Some(pdf) = pdf {
        files.push((format!("{id}.pdf"), blobs.get(&pdf)?));
    }
    files.push((format!("{id}.json"), data.into_bytes()));
    if let Some(xml) = xml {
        files.push((format!("{id}.xml"), xml.into_bytes()));
    }
    let refs: Vec<serde_json::Value> = serde_json::from_str(&attachments).unwrap_or_default();
    for (i, a) in refs.iter().enumerate() {
        let blob = a
            .get("blob")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let ext = match a.get("media_type").and_then(serde_json::Value::as_str) {
            Some("application/pdf") => "pdf",
            Some("image/png") => "png",
            Some("image/jpeg") => "jpg",
            Some("image/tiff") => "tif",
            _ => "bin",
        };
        files.push((format!("{id}-anlage-{}.{ext}", i + 1), blobs.get(blob)?));
    }
    let mut index = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<eingang-lieferung id=\"{}\" formular=\"{}\" version=\"{}\" erstellt=\"{}\">\n",
        xml_escape(id),
        xml_escape(&form_id),
        xml_escape(&form_version),
        created_at
    );
    for (name, bytes) in &files {
        let _ = writeln!(
            index,
            "  <datei name=\"{}\" sha256=\"{}\" bytes=\"{}\"/>",
            xml_escape(name),
            hex::encode(Sha256::digest(bytes)),
            bytes.len()
        );
    }
    index.push_str("</eingang-lieferung>\n");
    Ok(Package {
        id: id.to_owned(),
        files,
        index_xml: index,
    })
}
