//! `team_uploads` and `team_claims`: a team station's bookkeeping beside the team store —
//! which batches still have to go up (and whether to hand them over), and the work this
//! station holds there with what it read.

use crate::error::Result;
use crate::now_ms;
use eingang_model::BatchId;
use rusqlite::{params, Connection, OptionalExtension};

/// A batch waiting to go up to the team store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub batch_id: BatchId,
    pub hand_over: bool,
    pub handed_at: Option<i64>,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

/// Marks a batch as changed (to upload again); with `hand_over`, to hand it over too.
pub fn mark(conn: &Connection, batch: &BatchId, hand_over: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO team_uploads (batch_id, hand_over) VALUES (?1, ?2)
         ON CONFLICT (batch_id) DO UPDATE SET dirty = 1, hand_over = max(hand_over, ?2)",
        params![batch, hand_over],
    )?;
    Ok(())
}

/// The batches with something to upload.
pub fn due(conn: &Connection) -> Result<Vec<Upload>> {
    let mut stmt = conn.prepare(
        "SELECT batch_id, hand_over, handed_at, error_code, error FROM team_uploads
          WHERE dirty = 1 OR (hand_over = 1 AND handed_at IS NULL) ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], upload_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The upload state of one batch, if it is a team batch.
pub fn upload(conn: &Connection, batch: &BatchId) -> Result<Option<Upload>> {
    Ok(conn
        .query_row(
            "SELECT batch_id, hand_over, handed_at, error_code, error FROM team_uploads
              WHERE batch_id = ?1",
            [batch],
            upload_of,
        )
        .optional()?)
}

/// Every batch this station has brought (or is bringing) to the team store.
pub fn all(conn: &Connection) -> Result<Vec<Upload>> {
    let mut stmt = conn.prepare(
        "SELECT batch_id, hand_over, handed_at, error_code, error FROM team_uploads ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], upload_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records an upload that arrived (and the hand-over, when it was one).
pub fn uploaded(conn: &Connection, batch: &BatchId, handed: bool) -> Result<()> {
    let now = now_ms();
    conn.execute(
        "UPDATE team_uploads SET dirty = 0, uploaded_at = ?2, error_code = NULL, error = NULL,
                handed_at = CASE WHEN ?3 THEN coalesce(handed_at, ?2) ELSE handed_at END
          WHERE batch_id = ?1",
        params![batch, now, handed],
    )?;
    Ok(())
}

/// Records why an upload did not arrive (it is tried again).
pub fn failed(conn: &Connection, batch: &BatchId, code: &str, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE team_uploads SET error_code = ?2, error = ?3 WHERE batch_id = ?1",
        params![batch, code, error],
    )?;
    Ok(())
}

/// Work held in the team store, with what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldClaim {
    pub claim_id: i64,
    pub step: String,
    pub item: String,
    pub batch_id: BatchId,
    pub read_json: String,
}

pub fn hold(conn: &Connection, c: &HeldClaim) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO team_claims (claim_id, step, item, batch_id, read_json, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            c.claim_id,
            c.step,
            c.item,
            c.batch_id,
            c.read_json,
            now_ms()
        ],
    )?;
    Ok(())
}

pub fn held(conn: &Connection, claim_id: i64) -> Result<Option<HeldClaim>> {
    Ok(conn
        .query_row(
            "SELECT claim_id, step, item, batch_id, read_json FROM team_claims WHERE claim_id = ?1",
            [claim_id],
            claim_of,
        )
        .optional()?)
}

/// Every claim this station holds, oldest first.
pub fn claims(conn: &Connection) -> Result<Vec<HeldClaim>> {
    let mut stmt = conn.prepare(
        "SELECT claim_id, step, item, batch_id, read_json FROM team_claims ORDER BY taken_at",
    )?;
    let rows = stmt.query_map([], claim_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn let_go(conn: &Connection, claim_id: i64) -> Result<()> {
    conn.execute("DELETE FROM team_claims WHERE claim_id = ?1", [claim_id])?;
    Ok(())
}

fn upload_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Upload> {
    Ok(Upload {
        batch_id: r.get(0)?,
        hand_over: r.get(1)?,
        handed_at: r.get(2)?,
        error_code: r.get(3)?,
        error: r.get(4)?,
    })
}

fn claim_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<HeldClaim> {
    Ok(HeldClaim {
        claim_id: r.get(0)?,
        step: r.get(1)?,
        item: r.get(2)?,
        batch_id: r.get(3)?,
        read_json: r.get(4)?,
    })
}
