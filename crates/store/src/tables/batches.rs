//! `batches`: a stack of pages scanned (or dropped, or mailed) together with one profile,
//! until it is released (and its paper originals may be destroyed).

use crate::error::{Error, Result};
use crate::now_ms;
use eingang_model::BatchId;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: BatchId,
    pub name: String,
    pub profile_id: Option<String>,
    pub profile_json: String,
    pub created_at: i64,
    pub pages: u32,
    pub blank: u32,
    /// The person who scanned it.
    pub scanned_by: String,
    pub released_at: Option<i64>,
    /// Set once a passed quality check allows the paper originals to be destroyed.
    pub destroyable_at: Option<i64>,
    /// Pages waiting for OCR.
    pub ocr_pending: u32,
}

pub fn create_batch(
    conn: &Connection,
    name: &str,
    profile_id: Option<&str>,
    profile_json: &str,
) -> Result<BatchId> {
    let id = BatchId::new();
    let now = now_ms();
    conn.execute(
        "INSERT INTO batches (id, name, profile_id, profile_json, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id, name, profile_id, profile_json, now],
    )?;
    conn.execute(
        "UPDATE batches SET scanned_by = ?2 WHERE id = ?1",
        params![id, crate::tables::audit::actor()],
    )?;
    Ok(id)
}

/// The batch is released: its documents are made; `destroyable` when the check passed.
pub fn set_released(conn: &Connection, id: &BatchId, destroyable: bool) -> Result<()> {
    let now = now_ms();
    conn.execute(
        "UPDATE batches SET released_at = ?2, destroyable_at = CASE WHEN ?3 THEN ?2 END WHERE id = ?1",
        params![id, now, destroyable],
    )?;
    crate::tables::audit::append(
        conn,
        "batch.released",
        &id.to_string(),
        &serde_json::json!({ "originals_destroyable": destroyable }),
    )
}

const BATCH_SELECT: &str = "SELECT b.id, b.name, b.profile_id, b.profile_json, b.created_at,
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted),
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted AND p.blank),
        b.scanned_by, b.released_at, b.destroyable_at,
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted AND p.ocr_state = 'pending')
     FROM batches b";

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        name: r.get(1)?,
        profile_id: r.get(2)?,
        profile_json: r.get(3)?,
        created_at: r.get(4)?,
        pages: r.get(5)?,
        blank: r.get(6)?,
        scanned_by: r.get(7)?,
        released_at: r.get(8)?,
        destroyable_at: r.get(9)?,
        ocr_pending: r.get(10)?,
    })
}

pub fn batches(conn: &Connection) -> Result<Vec<BatchRow>> {
    let mut stmt = conn.prepare(&format!("{BATCH_SELECT} ORDER BY b.created_at DESC"))?;
    let rows = stmt.query_map([], batch_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn batch(conn: &Connection, id: &BatchId) -> Result<BatchRow> {
    conn.query_row(&format!("{BATCH_SELECT} WHERE b.id = ?1"), [id], batch_row)
        .map_err(Error::not_found("batch", id))
}

/// Removes a batch with its pages (their blobs stay until the blob sweep).
pub fn delete_batch(conn: &Connection, id: &BatchId) -> Result<()> {
    conn.execute("DELETE FROM batches WHERE id = ?1", [id])?;
    Ok(())
}
