//! The `audit_log` table: append-only, hash-chained records of what happened — pages
//! received, processed and edited, profile changes, deliveries and delivery errors,
//! sessions (TR-RESISCAN A.SC.11, A.IS.1).
//!
//! `hash = SHA-256(prev_hash \n seq \n at \n actor \n kind \n subject \n details)`, the first
//! record's `prev_hash` 64 zeros. [`verify`] walks the chain and names the first record that
//! was changed, removed or moved.

use crate::error::Result;
use crate::now_ms;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

static OPERATOR: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Names the person working at this station from now on (the scan office's shared PC:
/// whoever signs in at the station; the CLI's `--user`). `None` goes back to the OS user.
pub fn set_operator(name: Option<&str>) {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 64);
    if let Ok(mut op) = OPERATOR.write() {
        *op = name.map(str::to_owned);
    }
}

/// Who acts: the person signed in at the station, else the operating system's user of this
/// session (the app has no passwords of its own; the OS login is the authentication).
pub fn actor() -> String {
    if let Some(op) = OPERATOR.read().ok().and_then(|o| o.clone()) {
        return op;
    }
    let plausible = |u: &String| !u.is_empty() && u.len() <= 64 && !u.chars().any(char::is_control);
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(plausible)
        // No variable (a service, a kiosk session, a root shell): the account the process
        // runs as, from the system.
        .or_else(|| Some(whoami::username()).filter(plausible))
        .unwrap_or_else(|| "unknown".into())
}

fn hash_of(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    kind: &str,
    subject: &str,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        actor,
        kind,
        subject,
        details,
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Appends a record (call inside the transaction that does what it records).
pub fn append(
    conn: &Connection,
    kind: &str,
    subject: &str,
    details: &serde_json::Value,
) -> Result<()> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let (at, actor, details) = (now_ms(), actor(), details.to_string());
    let hash = hash_of(&prev, seq, at, &actor, kind, subject, &details);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, kind, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, at, actor, kind, subject, details, prev, hash],
    )?;
    Ok(())
}

/// `limit` records from sequence number `from` on.
pub fn records_from(conn: &Connection, from: i64, limit: i64) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, kind, subject, details, prev_hash, hash FROM audit_log
         WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![from, limit], record_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The chain's head: the last record's sequence number and hash (none for an empty log).
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// When `kind` about `subject` was last recorded, if ever.
pub fn last_at(conn: &Connection, kind: &str, subject: &str) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT MAX(at) FROM audit_log WHERE kind = ?1 AND subject = ?2",
        params![kind, subject],
        |r| r.get(0),
    )?)
}

/// How often `kind` about `subject` was recorded after `since` (ms).
pub fn count_since(conn: &Connection, kind: &str, subject: &str, since: i64) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM audit_log WHERE kind = ?1 AND subject = ?2 AND at > ?3",
        params![kind, subject, since],
        |r| r.get(0),
    )?)
}

/// One record, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

fn record_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        subject: r.get(4)?,
        details: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// Every record in order (tests and small logs; the commands stream with [`each`]).
pub fn records(conn: &Connection) -> Result<Vec<Record>> {
    let mut all = Vec::new();
    each(conn, |r| {
        all.push(r);
        Ok(())
    })?;
    Ok(all)
}

/// Hands every record to `f` in order, one row at a time: memory stays flat however long
/// the log is.
pub fn each(conn: &Connection, mut f: impl FnMut(Record) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, kind, subject, details, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(record_of(row)?)?;
    }
    Ok(())
}

/// The hash of record `seq`, if the log has it.
pub fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Where the chain is broken: the first record that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("record {expected} is missing (found {found} in its place): records were removed or reordered")]
    Missing { expected: i64, found: i64 },
    #[error("record {seq}: does not follow record {} (a record before it was changed, removed or moved)", seq - 1)]
    NotFollowing { seq: i64 },
    #[error("record {seq}: its content was changed")]
    Changed { seq: i64 },
}

/// The chain checked: `Ok(n)` for n intact records, or the first break. Streams the log.
pub fn verify(conn: &Connection) -> Result<std::result::Result<usize, ChainBreak>> {
    let mut chain = Chain::default();
    let mut broken = None;
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, kind, subject, details, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Err(b) = chain.follow(&record_of(row)?) {
            broken = Some(b);
            break;
        }
    }
    Ok(broken.map_or(Ok(chain.len), Err))
}

/// Checks a sequence of records (also an exported one).
pub fn check_chain(all: &[Record]) -> std::result::Result<usize, ChainBreak> {
    let mut chain = Chain::default();
    for r in all {
        chain.follow(r)?;
    }
    Ok(chain.len)
}

/// The chain walked one record at a time: what the next record must follow.
#[derive(Debug)]
pub struct Chain {
    prev: String,
    len: usize,
}

impl Default for Chain {
    fn default() -> Self {
        Self {
            prev: GENESIS.to_owned(),
            len: 0,
        }
    }
}

impl Chain {
    /// Takes the next record, or names the break it makes.
    pub fn follow(&mut self, r: &Record) -> std::result::Result<(), ChainBreak> {
        let want_seq = i64::try_from(self.len).unwrap_or(i64::MAX) + 1;
        if r.seq != want_seq {
            return Err(ChainBreak::Missing {
                expected: want_seq,
                found: r.seq,
            });
        }
        if r.prev_hash != self.prev {
            return Err(ChainBreak::NotFollowing { seq: r.seq });
        }
        let hash = hash_of(
            &r.prev_hash,
            r.seq,
            r.at,
            &r.actor,
            &r.kind,
            &r.subject,
            &r.details,
        );
        if hash != r.hash {
            return Err(ChainBreak::Changed { seq: r.seq });
        }
        self.prev.clone_from(&r.hash);
        self.len += 1;
        Ok(())
    }
}
