//! `page_log`: append-only, every processing step and every user operation on a page with
//! its parameters (TR-RESISCAN A.SC.11).

use crate::error::Result;
use crate::now_ms;
use eingang_model::PageId;
use rusqlite::{params, Connection};

pub(crate) fn log(
    conn: &Connection,
    page_id: &PageId,
    op: &str,
    params: &serde_json::Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO page_log (page_id, at, op, params_json) VALUES (?1, ?2, ?3, ?4)",
        params![page_id, now_ms(), op, params.to_string()],
    )?;
    crate::tables::audit::append(conn, &format!("page.{op}"), &page_id.to_string(), params)
}

/// The page's processing and user log: (time, op, params).
pub fn page_log(conn: &Connection, page_id: &PageId) -> Result<Vec<(i64, String, String)>> {
    let mut stmt =
        conn.prepare("SELECT at, op, params_json FROM page_log WHERE page_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([page_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
