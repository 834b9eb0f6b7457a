//! The `outbox` table: items waiting for delivery. The sync issue adds the worker;
//! the foundation reads the count for the status bar.

use crate::error::Result;
use rusqlite::Connection;

/// Rows not yet delivered (pending, in flight, failed or paused: all still need attention).
pub fn count_undelivered(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE state <> 'delivered'",
        [],
        |r| r.get(0),
    )?)
}

/// One outbox row (what the planner needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub item_kind: String,
    pub item_id: String,
    pub target: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
}

/// Every row for `target`, oldest first.
pub fn for_target(conn: &Connection, target: &str) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, item_kind, item_id, target, state, attempts, next_attempt_at
         FROM outbox WHERE target = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([target], |r| {
        Ok(OutboxRow {
            id: r.get(0)?,
            item_kind: r.get(1)?,
            item_id: r.get(2)?,
            target: r.get(3)?,
            state: r.get(4)?,
            attempts: r.get(5)?,
            next_attempt_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Records a successful delivery and its receipt.
pub fn mark_delivered(
    conn: &Connection,
    id: i64,
    location: &str,
    hash: &str,
    at: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL,
                next_attempt_at = NULL, receipt_remote_id = ?2, receipt_hash = ?3, receipt_at = ?4
         WHERE id = ?1",
        rusqlite::params![id, location, hash, at],
    )?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub fn mark_failed(conn: &Connection, id: i64, error: &str, next_attempt_at: i64) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2,
                next_attempt_at = ?3
         WHERE id = ?1",
        rusqlite::params![id, error, next_attempt_at],
    )?;
    Ok(())
}

/// Updates the status bar's record for `target`.
pub fn record_attempt(conn: &Connection, target: &str, at: i64, error: Option<&str>) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_status (target, last_attempt_at, last_success_at, last_error)
         VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3)
         ON CONFLICT (target) DO UPDATE SET
             last_attempt_at = excluded.last_attempt_at,
             last_success_at = coalesce(excluded.last_success_at, sync_status.last_success_at),
             last_error = excluded.last_error",
        rusqlite::params![target, at, error],
    )?;
    Ok(())
}
