//! The `qc_verdicts` table: the quality check's decisions (TR-RESISCAN A.NB.1–3), one row
//! per decision and never changed; a document's latest verdict counts. Each verdict is also
//! an audit record.

use crate::error::Result;
use crate::now_ms;
use eingang_model::{BatchId, PageId};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub batch_id: BatchId,
    /// The document's first page (documents are rows only once released).
    pub first_page: PageId,
    pub page_ids: Vec<PageId>,
    pub passed: bool,
    pub checker: String,
    pub note: String,
    /// The automatic flags the checker saw.
    pub flags: Vec<String>,
    pub at: i64,
}

/// Records a verdict by the current operator (the caller checked four-eyes).
pub fn record(conn: &Connection, v: &Verdict) -> Result<()> {
    let at = if v.at == 0 { now_ms() } else { v.at };
    let (ids, flags) = (
        serde_json::to_string(&v.page_ids).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&v.flags).unwrap_or_else(|_| "[]".into()),
    );
    conn.execute(
        "INSERT INTO qc_verdicts (batch_id, first_page, page_ids, verdict, checker, note, flags_json, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            v.batch_id,
            v.first_page,
            ids,
            if v.passed { "passed" } else { "failed" },
            v.checker,
            v.note,
            flags,
            at
        ],
    )?;
    crate::tables::audit::append(
        conn,
        "qc.verdict",
        &v.first_page.to_string(),
        &serde_json::json!({
            "batch": v.batch_id,
            "pages": v.page_ids,
            "verdict": if v.passed { "passed" } else { "failed" },
            "flags": v.flags,
        }),
    )
}

/// Every verdict of a batch, oldest first.
pub fn verdicts(conn: &Connection, batch_id: &BatchId) -> Result<Vec<Verdict>> {
    let mut stmt = conn.prepare(
        "SELECT batch_id, first_page, page_ids, verdict, checker, note, flags_json, at
         FROM qc_verdicts WHERE batch_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([batch_id], |r| {
        Ok(Verdict {
            batch_id: r.get(0)?,
            first_page: r.get(1)?,
            page_ids: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or_default(),
            passed: r.get::<_, String>(3)? == "passed",
            checker: r.get(4)?,
            note: r.get(5)?,
            flags: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
            at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
