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
