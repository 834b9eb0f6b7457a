//! The `mail_messages` and `mailbox_status` tables: what the mailbox intake took from an
//! IMAP folder (exactly once: a message is known by UIDVALIDITY and UID, after a changed
//! UIDVALIDITY by Message-ID and SHA-256) and how each mailbox is doing.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A message as the intake recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub batch_id: Option<String>,
    /// `received` (stored, pages being made), `imported`, `duplicate` or `refused`.
    pub state: String,
    pub reason: Option<String>,
    pub settled: bool,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        uidvalidity: r.get(0)?,
        uid: r.get(1)?,
        message_id: r.get(2)?,
        sha256: r.get(3)?,
        size: r.get(4)?,
        batch_id: r.get(5)?,
        state: r.get(6)?,
        reason: r.get(7)?,
        settled: r.get(8)?,
    })
}

const COLUMNS: &str =
    "uidvalidity, uid, message_id, sha256, size, batch_id, state, reason, settled";

/// The message recorded under this UIDVALIDITY and UID, if any.
pub fn get(
    conn: &Connection,
    account: &str,
    uidvalidity: u32,
    uid: u32,
) -> Result<Option<Message>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM mail_messages
                 WHERE account = ?1 AND uidvalidity = ?2 AND uid = ?3"
            ),
            params![account, uidvalidity, uid],
            row,
        )
        .optional()?)
}

/// A message with the same Message-ID and bytes taken before (under any UIDVALIDITY) and
/// not refused: the same message seen again.
pub fn same(
    conn: &Connection,
    account: &str,
    message_id: Option<&str>,
    sha256: &str,
) -> Result<Option<Message>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM mail_messages
                 WHERE account = ?1 AND message_id IS ?2 AND sha256 = ?3
                   AND state IN ('received', 'imported')
                 LIMIT 1"
            ),
            params![account, message_id, sha256],
            row,
        )
        .optional()?)
}

/// Records a message taken (in the transaction that stores it).
pub fn record(conn: &Connection, account: &str, m: &Message, now_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO mail_messages (account, uidvalidity, uid, message_id, sha256, size,
                                    batch_id, state, reason, settled, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            account,
            m.uidvalidity,
            m.uid,
            m.message_id,
            m.sha256,
            m.size,
            m.batch_id,
            m.state,
            m.reason,
            m.settled,
            now_ms
        ],
    )?;
    Ok(())
}

/// A received message's pages are all made.
pub fn imported(conn: &Connection, account: &str, uidvalidity: u32, uid: u32) -> Result<()> {
    conn.execute(
        "UPDATE mail_messages SET state = 'imported'
         WHERE account = ?1 AND uidvalidity = ?2 AND uid = ?3 AND state = 'received'",
        params![account, uidvalidity, uid],
    )?;
    Ok(())
}

/// The message was moved (or flagged) on the server.
pub fn settled(conn: &Connection, account: &str, uidvalidity: u32, uid: u32) -> Result<()> {
    conn.execute(
        "UPDATE mail_messages SET settled = 1
         WHERE account = ?1 AND uidvalidity = ?2 AND uid = ?3",
        params![account, uidvalidity, uid],
    )?;
    Ok(())
}

/// Messages of this UIDVALIDITY still to be moved (or flagged) on the server, in UID order.
pub fn unsettled(conn: &Connection, account: &str, uidvalidity: u32) -> Result<Vec<Message>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM mail_messages
         WHERE account = ?1 AND uidvalidity = ?2 AND settled = 0
         ORDER BY uid"
    ))?;
    let rows = stmt.query_map(params![account, uidvalidity], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Messages stored whose pages are not all made yet (`received`), under any UIDVALIDITY:
/// they need no server to be finished.
pub fn unfinished(conn: &Connection, account: &str) -> Result<Vec<Message>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM mail_messages
         WHERE account = ?1 AND state = 'received' ORDER BY uidvalidity, uid"
    ))?;
    let rows = stmt.query_map([account], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The highest UID recorded under this UIDVALIDITY (0 for none).
pub fn last_uid(conn: &Connection, account: &str, uidvalidity: u32) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(uid), 0) FROM mail_messages WHERE account = ?1 AND uidvalidity = ?2",
        params![account, uidvalidity],
        |r| r.get(0),
    )?)
}

/// Counts by state for an account: (state, count).
pub fn counts(conn: &Connection, account: &str) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT state, COUNT(*) FROM mail_messages WHERE account = ?1 GROUP BY state ORDER BY state",
    )?;
    let rows = stmt.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How a mailbox is doing, for the batch list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub account: String,
    /// `connected`, `waiting` (offline, trying again) or `error` (needs a person).
    pub state: String,
    /// The error's stable code, for the UI's sentence.
    pub code: Option<String>,
    pub detail: Option<String>,
    pub last_fetch: Option<i64>,
    pub updated_at: i64,
}

pub fn set_status(conn: &Connection, s: &Status) -> Result<()> {
    conn.execute(
        "INSERT INTO mailbox_status (account, state, code, detail, last_fetch, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account) DO UPDATE SET state = excluded.state, code = excluded.code,
             detail = excluded.detail,
             last_fetch = COALESCE(excluded.last_fetch, mailbox_status.last_fetch),
             updated_at = excluded.updated_at",
        params![
            s.account,
            s.state,
            s.code,
            s.detail,
            s.last_fetch,
            s.updated_at
        ],
    )?;
    Ok(())
}

pub fn statuses(conn: &Connection) -> Result<Vec<Status>> {
    let mut stmt = conn.prepare(
        "SELECT account, state, code, detail, last_fetch, updated_at FROM mailbox_status ORDER BY account",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Status {
            account: r.get(0)?,
            state: r.get(1)?,
            code: r.get(2)?,
            detail: r.get(3)?,
            last_fetch: r.get(4)?,
            updated_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A received message the e-mail reader refused: why, in words.
pub fn refused(
    conn: &Connection,
    account: &str,
    uidvalidity: u32,
    uid: u32,
    reason: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE mail_messages SET state = 'refused', reason = ?4
         WHERE account = ?1 AND uidvalidity = ?2 AND uid = ?3",
        params![account, uidvalidity, uid, reason],
    )?;
    Ok(())
}
