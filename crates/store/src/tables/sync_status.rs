//! The `sync_status` table, per target: last attempt, last success, last error, the last
//! probe's answer (online or not) and a pause with its reason.

use crate::error::Result;
use eingang_model::{SyncIssue, SyncStatus};
use rusqlite::{params, Connection, OptionalExtension};

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

/// One target's row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetRow {
    pub online: Option<bool>,
    pub last_probe_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<SyncIssue>,
    pub paused: Option<SyncIssue>,
}

pub fn get(conn: &Connection, target: &str) -> Result<TargetRow> {
    Ok(conn
        .query_row(
            "SELECT online, last_probe_at, last_attempt_at, last_success_at, last_error_code,
                    last_error, paused_code, paused_reason
             FROM sync_status WHERE target = ?1",
            [target],
            |r| {
                let issue = |code: Option<String>, detail: Option<String>| {
                    code.map(|code| SyncIssue {
                        code,
                        detail: detail.unwrap_or_default(),
                    })
                };
                Ok(TargetRow {
                    online: r.get(0)?,
                    last_probe_at: r.get(1)?,
                    last_attempt_at: r.get(2)?,
                    last_success_at: r.get(3)?,
                    last_error: issue(r.get(4)?, r.get(5)?),
                    paused: issue(r.get(6)?, r.get(7)?),
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn ensure(conn: &Connection, target: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_status (target) VALUES (?1) ON CONFLICT (target) DO NOTHING",
        [target],
    )?;
    Ok(())
}

/// Records a delivery attempt's outcome (`error` = `(code, detail)` when it failed).
pub fn record_attempt(
    conn: &Connection,
    target: &str,
    at: i64,
    error: Option<(&str, &str)>,
) -> Result<()> {
    ensure(conn, target)?;
    let (code, detail) = error.unzip();
    conn.execute(
        "UPDATE sync_status SET last_attempt_at = ?2,
                last_success_at = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success_at END,
                last_error_code = ?3, last_error = ?4
         WHERE target = ?1",
        params![target, at, code, detail],
    )?;
    Ok(())
}

/// Records a probe's answer. Offline is normal, not an error: it is not written as one.
/// A target that answers again has no standing error (items keep their own).
pub fn record_probe(conn: &Connection, target: &str, online: bool, at: i64) -> Result<()> {
    ensure(conn, target)?;
    conn.execute(
        "UPDATE sync_status SET online = ?2, last_probe_at = ?3,
                last_error_code = CASE WHEN ?2 THEN NULL ELSE last_error_code END,
                last_error = CASE WHEN ?2 THEN NULL ELSE last_error END
         WHERE target = ?1",
        params![target, online, at],
    )?;
    Ok(())
}

/// Pauses `target` (and its waiting rows) with the reason the user is shown.
pub fn pause(conn: &Connection, target: &str, code: &str, reason: &str) -> Result<()> {
    ensure(conn, target)?;
    conn.execute(
        "UPDATE sync_status SET paused_code = ?2, paused_reason = ?3 WHERE target = ?1",
        params![target, code, reason],
    )?;
    crate::tables::outbox::pause_target(conn, target)
}

/// Lifts a pause (after the user fixed the credentials, or asked to try again).
pub fn resume(conn: &Connection, target: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_status SET paused_code = NULL, paused_reason = NULL WHERE target = ?1",
        [target],
    )?;
    crate::tables::outbox::resume_target(conn, target)
}
