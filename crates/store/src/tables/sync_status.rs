//! The `sync_status` table: last attempt, last success and last error per target.

use crate::error::Result;
use eingang_model::SyncStatus;
use rusqlite::Connection;

/// The status over all targets: the latest attempt, the latest success, and the most
/// recent error if the latest attempt failed.
pub fn overall(conn: &Connection) -> Result<SyncStatus> {
    Ok(conn.query_row(
        "SELECT max(last_attempt_at), max(last_success_at),
                (SELECT last_error FROM sync_status
                 WHERE last_error IS NOT NULL
                 ORDER BY last_attempt_at DESC LIMIT 1)
         FROM sync_status",
        [],
        |r| {
            Ok(SyncStatus {
                last_attempt_at: r.get(0)?,
                last_success_at: r.get(1)?,
                last_error: r.get(2)?,
            })
        },
    )?)
}
