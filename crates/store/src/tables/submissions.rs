//! The `submissions` table: finalised drafts. A submission is written, its outbox row too,
//! and the draft removed — in one transaction. The table refuses updates (trigger).

use crate::error::{Error, Result};
use crate::tables::cursor::Cursor;
use crate::tables::forms;
use eingang_forms::Form;
use eingang_model::{DraftId, SubmissionSummary};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::sync::Arc;

pub use eingang_model::DEFAULT_TARGET;

/// A submission as it is written: the final data, the rendering already in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission<'a> {
    pub id: &'a str,
    pub draft_id: DraftId,
    pub form_id: &'a str,
    pub form_version: &'a str,
    pub data_json: &'a str,
    pub xml: Option<&'a str>,
    pub attachments_json: &'a str,
    pub sha256: &'a str,
    pub created_at: i64,
    pub pdf_blob: &'a str,
}

/// Writes a submission (call inside the transaction that queues it and removes its draft;
/// the PDF blob must be written and its row inserted first).
pub fn insert(conn: &Connection, s: &NewSubmission<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, xml, attachments_json, sha256, created_at, pdf_blob)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![s.id, s.draft_id.to_string(), s.form_id, s.form_version, s.data_json, s.xml, s.attachments_json, s.sha256, s.created_at, s.pdf_blob],
    )?;
    Ok(())
}

/// Up to `limit` submissions, newest first, after `after`, with their delivery state: read
/// along `submissions_by_created`. The cursor of the next page, if the list goes on.
pub fn list(
    conn: &Connection,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<SubmissionSummary>, Option<String>)> {
    let (key, id) = Cursor::bounds(after);
    let mut stmt = conn.prepare(
        "SELECT s.id, s.form_id, s.form_version, s.data_json, s.attachments_json, s.sha256, s.created_at,
                coalesce((SELECT o.state FROM outbox o WHERE o.item_kind = 'submission' AND o.item_id = s.id
                          ORDER BY o.id LIMIT 1), 'pending')
         FROM submissions s WHERE (s.created_at, s.id) < (?1, ?2)
         ORDER BY s.created_at DESC, s.id DESC LIMIT ?3",
    )?;
    // A page names few forms: each definition is read once, not once per row.
    let mut forms_seen: HashMap<(String, String), Option<Arc<Form>>> = HashMap::new();
    let rows = stmt.query_map(params![key, id, limit], |r| {
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
    let rows = rows
        .map(|row| {
            let (id, form_id, form_version, data, attachments, sha256, created_at, delivery) = row?;
            let data: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&data).unwrap_or_default();
            let caption = forms_seen
                .entry((form_id.clone(), form_version.clone()))
                .or_insert_with(|| forms::load(conn, &form_id, &form_version).ok())
                .as_ref()
                .map(|f| f.caption(&data))
                .unwrap_or_default();
            let attachments =
                serde_json::from_str::<Vec<serde_json::Value>>(&attachments).map_or(0, |a| a.len());
            Ok(SubmissionSummary {
                reference: eingang_model::draft::reference_code(&id),
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
        .collect::<Result<Vec<_>>>()?;
    let next = Cursor::next(
        rows.len() == limit as usize,
        rows.last().map(|s| (s.created_at, s.id.clone())),
    );
    Ok((rows, next))
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

/// A submission as it was written (what its delivery package is made of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    pub id: String,
    pub form_id: String,
    pub form_version: String,
    pub data_json: String,
    pub xml: Option<String>,
    pub attachments_json: String,
    pub created_at: i64,
    pub pdf_blob: Option<String>,
}

pub fn get(conn: &Connection, id: &str) -> Result<SubmissionRow> {
    conn.query_row(
        "SELECT id, form_id, form_version, data_json, xml, attachments_json, created_at, pdf_blob
         FROM submissions WHERE id = ?1",
        [id],
        |r| {
            Ok(SubmissionRow {
                id: r.get(0)?,
                form_id: r.get(1)?,
                form_version: r.get(2)?,
                data_json: r.get(3)?,
                xml: r.get(4)?,
                attachments_json: r.get(5)?,
                created_at: r.get(6)?,
                pdf_blob: r.get(7)?,
            })
        },
    )
    .map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
            what: "submission",
            id: id.to_owned(),
        },
        other => other.into(),
    })
}
