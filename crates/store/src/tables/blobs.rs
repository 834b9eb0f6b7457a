//! The `blobs` table: which blob files the database names.

use crate::blobs::BlobRef;
use crate::error::Result;
use crate::now_ms;
use rusqlite::{params, Connection, OptionalExtension};

/// Records a blob; recording the same content twice is a no-op.
pub fn insert(conn: &Connection, blob: &BlobRef) -> Result<()> {
    conn.execute(
        "INSERT INTO blobs (hash, size, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (hash) DO NOTHING",
        params![blob.hash, blob.size, now_ms()],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, hash: &str) -> Result<Option<BlobRef>> {
    Ok(conn
        .query_row(
            "SELECT hash, size FROM blobs WHERE hash = ?1",
            [hash],
            |r| {
                Ok(BlobRef {
                    hash: r.get(0)?,
                    size: r.get(1)?,
                })
            },
        )
        .optional()?)
}
