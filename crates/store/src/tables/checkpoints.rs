//! `audit_checkpoints`: anchors of the audit chain — the head (sequence number and hash) at
//! a time, with the body as delivered and its seal — queued for delivery like documents.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// One checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: String,
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    /// The JSON as delivered.
    pub body: String,
    /// A detached CMS signature over the body (base64), when a seal is configured.
    pub seal: Option<String>,
}

/// Records a checkpoint and queues it for `targets` (call inside a transaction).
pub fn add(conn: &Connection, c: &Checkpoint, targets: &[&str]) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_checkpoints (id, seq, hash, at, body, seal) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.id, c.seq, c.hash, c.at, c.body, c.seal],
    )?;
    for t in targets {
        crate::tables::outbox::enqueue(conn, "checkpoint", &c.id, t, c.at)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Checkpoint>> {
    Ok(conn
        .query_row(
            "SELECT id, seq, hash, at, body, seal FROM audit_checkpoints WHERE id = ?1",
            [id],
            row,
        )
        .optional()?)
}

/// The latest checkpoint, if any.
pub fn last(conn: &Connection) -> Result<Option<Checkpoint>> {
    Ok(conn
        .query_row(
            "SELECT id, seq, hash, at, body, seal FROM audit_checkpoints ORDER BY seq DESC, at DESC LIMIT 1",
            [],
            row,
        )
        .optional()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        id: r.get(0)?,
        seq: r.get(1)?,
        hash: r.get(2)?,
        at: r.get(3)?,
        body: r.get(4)?,
        seal: r.get(5)?,
    })
}
