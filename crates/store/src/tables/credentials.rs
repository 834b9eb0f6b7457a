//! The `credentials` table: the fallback secret store for machines without an OS key store
//! (no Secret Service on a headless Linux box). The sync crate tries the OS key store first.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

pub fn get(conn: &Connection, target: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT secret FROM credentials WHERE target = ?1",
            [target],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn set(conn: &Connection, target: &str, secret: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO credentials (target, secret) VALUES (?1, ?2)
         ON CONFLICT (target) DO UPDATE SET secret = excluded.secret",
        params![target, secret],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, target: &str) -> Result<()> {
    conn.execute("DELETE FROM credentials WHERE target = ?1", [target])?;
    Ok(())
}
