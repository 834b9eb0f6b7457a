//! `documents`: what a released batch became — each document's PDF/A, Transfervermerk and
//! integrity record, queued in the outbox in the same transaction.

use crate::error::{Error, Result};
use eingang_model::{BatchId, DocumentId, PageId};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// A finished document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub batch_id: BatchId,
    pub title: String,
    pub page_ids: Vec<PageId>,
    pub pdf_blob: String,
    pub sha256: String,
    pub pdfa: String,
    pub index: Vec<(String, String)>,
    pub created_at: i64,
    /// The Transfervermerk (XML) in the blob store.
    pub transfer_blob: Option<String>,
    /// The integrity record (JSON: the hashes and the seal).
    pub integrity: Option<String>,
}

/// Records a document (its PDF already in the blob store) and queues it for `targets`.
pub fn add_document(conn: &Connection, doc: &DocumentRow, targets: &[&str]) -> Result<()> {
    let ids = serde_json::to_string(&doc.page_ids).unwrap_or_else(|_| "[]".into());
    let index = serde_json::to_string(&doc.index).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO documents (id, batch_id, title, page_ids, pdf_blob, sha256, pdfa, index_json, created_at,
                                transfer_blob, integrity_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![doc.id, doc.batch_id, doc.title, ids, doc.pdf_blob, doc.sha256, doc.pdfa, index, doc.created_at,
                doc.transfer_blob, doc.integrity],
    )?;
    for target in targets {
        crate::tables::outbox::enqueue(
            conn,
            "document",
            &doc.id.to_string(),
            target,
            doc.created_at,
        )?;
    }
    Ok(())
}

fn document_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
    let ids: String = r.get(3)?;
    let index: String = r.get(7)?;
    Ok(DocumentRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        title: r.get(2)?,
        page_ids: serde_json::from_str(&ids).unwrap_or_default(),
        pdf_blob: r.get(4)?,
        sha256: r.get(5)?,
        pdfa: r.get(6)?,
        index: serde_json::from_str(&index).unwrap_or_default(),
        created_at: r.get(8)?,
        transfer_blob: r.get(9)?,
        integrity: r.get(10)?,
    })
}

const DOC_SELECT: &str =
    "SELECT id, batch_id, title, page_ids, pdf_blob, sha256, pdfa, index_json, created_at,
            transfer_blob, integrity_json FROM documents";

pub fn documents(conn: &Connection, batch_id: &BatchId) -> Result<Vec<DocumentRow>> {
    let mut stmt = conn.prepare(&format!(
        "{DOC_SELECT} WHERE batch_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([batch_id], document_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn document(conn: &Connection, id: &DocumentId) -> Result<DocumentRow> {
    conn.query_row(&format!("{DOC_SELECT} WHERE id = ?1"), [id], document_row)
        .map_err(Error::not_found("document", id))
}
