//! `batches`: a stack of pages scanned (or dropped, or mailed) together with one profile,
//! until it is released (and its paper originals may be destroyed).

use crate::error::{Error, Result};
use crate::now_ms;
use crate::tables::cursor::Cursor;
use eingang_model::BatchId;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: BatchId,
    pub name: String,
    pub profile_id: Option<String>,
    pub profile_json: String,
    pub created_at: i64,
    pub pages: u32,
    pub blank: u32,
    /// The person who scanned it.
    pub scanned_by: String,
    pub released_at: Option<i64>,
    /// Set once every document is delivered with a receipt (and the check passed with
    /// integrity evidence): the paper originals may be destroyed.
    pub destroyable_at: Option<i64>,
    /// Pages waiting for OCR.
    pub ocr_pending: u32,
    /// The check passed with integrity evidence: destroyable once all are delivered.
    pub originals_eligible: bool,
    /// Documents made at release, and how many of them are delivered everywhere.
    pub documents: u32,
    pub documents_delivered: u32,
    /// Documents released for the team: in no outbox here, a station with the deliver
    /// role delivers them.
    pub documents_for_team: u32,
    /// A release waits for a service (see [`PendingRelease`]): since, tries, the last
    /// error code, the next try.
    pub release_pending: Option<Waiting>,
    /// On legal hold: never purged.
    pub hold: bool,
    /// When its page images were purged (`[retention]`).
    pub purged_at: Option<i64>,
    /// The batch its documents were split off from (straight-through release): its check
    /// draws as that batch's.
    pub split_from: Option<BatchId>,
    /// When automatic indexing ran on it after its OCR (`None`: not yet).
    pub auto_at: Option<i64>,
}

/// A pending release as the batch list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub since: i64,
    pub attempts: u32,
    pub last_code: String,
    pub next_at: i64,
}

pub fn create_batch(
    conn: &Connection,
    name: &str,
    profile_id: Option<&str>,
    profile_json: &str,
) -> Result<BatchId> {
    let id = BatchId::new();
    let now = now_ms();
    conn.execute(
        "INSERT INTO batches (id, name, profile_id, profile_json, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id, name, profile_id, profile_json, now],
    )?;
    conn.execute(
        "UPDATE batches SET scanned_by = ?2 WHERE id = ?1",
        params![id, crate::tables::audit::actor()],
    )?;
    Ok(id)
}

/// The batch is released: its documents are made and queued. `eligible` when the check
/// passed and integrity evidence exists — the originals may then be destroyed once every
/// document has its delivery receipt ([`settle_originals`]). A pending release is done.
pub fn set_released(conn: &Connection, id: &BatchId, eligible: bool) -> Result<()> {
    let now = now_ms();
    conn.execute(
        "UPDATE batches SET released_at = ?2, originals_eligible = ?3 WHERE id = ?1",
        params![id, now, eligible],
    )?;
    conn.execute("DELETE FROM release_pending WHERE batch_id = ?1", [id])?;
    crate::tables::audit::append(
        conn,
        "batch.released",
        &id.to_string(),
        &serde_json::json!({ "originals_eligible": eligible }),
    )?;
    settle_originals(conn, id)
}

/// Marks the originals destroyable when the batch is eligible and every one of its
/// documents is delivered with a receipt (a document with no target never is).
pub fn settle_originals(conn: &Connection, id: &BatchId) -> Result<()> {
    let changed = conn.execute(
        "UPDATE batches SET destroyable_at = ?2
         WHERE id = ?1 AND originals_eligible AND destroyable_at IS NULL AND released_at IS NOT NULL
           AND EXISTS (SELECT 1 FROM documents d WHERE d.batch_id = ?1)
           AND NOT EXISTS (
               SELECT 1 FROM documents d WHERE d.batch_id = ?1 AND (
                   NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id)
                   OR EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id
                                                       AND o.state <> 'delivered')))",
        params![id, now_ms()],
    )?;
    if changed > 0 {
        crate::tables::audit::append(
            conn,
            "batch.originals_destroyable",
            &id.to_string(),
            &serde_json::json!({ "reason": "all documents delivered with receipts" }),
        )?;
    }
    Ok(())
}

/// A release that waits for a service (the timestamp service), retried automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRelease {
    pub batch_id: BatchId,
    /// What the clerk asked for (the use case's request, as JSON).
    pub request_json: String,
    pub since: i64,
    pub attempts: u32,
    /// The error code of the last attempt (e.g. `tsa.unreachable`).
    pub last_code: String,
    pub next_at: i64,
}

/// Records a release that could not finish (first attempt or a retry): the batch is frozen
/// until it succeeds or is withdrawn.
pub fn set_pending(
    conn: &Connection,
    id: &BatchId,
    request_json: &str,
    code: &str,
    next_at: i64,
) -> Result<()> {
    let now = now_ms();
    let first = conn.execute(
        "INSERT INTO release_pending (batch_id, request_json, since, last_code, next_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (batch_id) DO UPDATE SET attempts = attempts + 1, last_code = ?4, next_at = ?5",
        params![id, request_json, now, code, next_at],
    )?;
    let attempts: u32 = conn.query_row(
        "SELECT attempts FROM release_pending WHERE batch_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if attempts == 1 && first > 0 {
        crate::tables::audit::append(
            conn,
            "batch.release_pending",
            &id.to_string(),
            &serde_json::json!({ "code": code }),
        )?;
    }
    Ok(())
}

fn pending_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingRelease> {
    Ok(PendingRelease {
        batch_id: r.get(0)?,
        request_json: r.get(1)?,
        since: r.get(2)?,
        attempts: r.get(3)?,
        last_code: r.get(4)?,
        next_at: r.get(5)?,
    })
}

const PENDING_SELECT: &str =
    "SELECT batch_id, request_json, since, attempts, last_code, next_at FROM release_pending";

/// The batch's pending release, if any.
pub fn pending(conn: &Connection, id: &BatchId) -> Result<Option<PendingRelease>> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .query_row(
            &format!("{PENDING_SELECT} WHERE batch_id = ?1"),
            [id],
            pending_row,
        )
        .optional()?)
}

/// Pending releases whose next try is due at `now`, oldest first.
pub fn pending_due(conn: &Connection, now: i64) -> Result<Vec<PendingRelease>> {
    let mut stmt = conn.prepare(&format!(
        "{PENDING_SELECT} WHERE next_at <= ?1 ORDER BY since"
    ))?;
    let rows = stmt.query_map([now], pending_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The clerk withdraws a pending release: the batch can be changed again.
pub fn withdraw_pending(conn: &Connection, id: &BatchId) -> Result<bool> {
    let gone = conn.execute("DELETE FROM release_pending WHERE batch_id = ?1", [id])? > 0;
    if gone {
        crate::tables::audit::append(
            conn,
            "batch.release_withdrawn",
            &id.to_string(),
            &serde_json::json!({}),
        )?;
    }
    Ok(gone)
}

const BATCH_SELECT: &str = "SELECT b.id, b.name, b.profile_id, b.profile_json, b.created_at,
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted),
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted AND p.blank),
        b.scanned_by, b.released_at, b.destroyable_at,
        (SELECT count(*) FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted AND p.ocr_state = 'pending'),
        b.originals_eligible,
        (SELECT count(*) FROM documents d WHERE d.batch_id = b.id),
        (SELECT count(*) FROM documents d WHERE d.batch_id = b.id
           AND EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id)
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id
                                                   AND o.state <> 'delivered')),
        r.since, r.attempts, r.last_code, r.next_at, b.hold, b.purged_at, b.split_from, b.auto_at,
        (SELECT count(*) FROM documents d WHERE d.batch_id = b.id
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id))
     FROM batches b LEFT JOIN release_pending r ON r.batch_id = b.id";

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        name: r.get(1)?,
        profile_id: r.get(2)?,
        profile_json: r.get(3)?,
        created_at: r.get(4)?,
        pages: r.get(5)?,
        blank: r.get(6)?,
        scanned_by: r.get(7)?,
        released_at: r.get(8)?,
        destroyable_at: r.get(9)?,
        ocr_pending: r.get(10)?,
        originals_eligible: r.get(11)?,
        documents: r.get(12)?,
        documents_delivered: r.get(13)?,
        release_pending: match r.get::<_, Option<i64>>(14)? {
            Some(since) => Some(Waiting {
                since,
                attempts: r.get(15)?,
                last_code: r.get(16)?,
                next_at: r.get(17)?,
            }),
            None => None,
        },
        hold: r.get(18)?,
        purged_at: r.get(19)?,
        split_from: r.get(20)?,
        auto_at: r.get(21)?,
        documents_for_team: r.get(22)?,
    })
}

/// Up to `limit` batches, newest first, after `after` (a page's last row): read along
/// `batches_by_created`. The cursor of the next page, if the list goes on.
pub fn batches(
    conn: &Connection,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<BatchRow>, Option<String>)> {
    let (key, id) = Cursor::bounds(after);
    let mut stmt = conn.prepare(&format!(
        "{BATCH_SELECT} WHERE (b.created_at, b.id) < (?1, ?2)
         ORDER BY b.created_at DESC, b.id DESC LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![key, id, limit], batch_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next = Cursor::next(
        rows.len() == limit as usize,
        rows.last().map(|b| (b.created_at, b.id.to_string())),
    );
    Ok((rows, next))
}

/// The newest batch named `name` that still takes pages (not released, no release
/// pending), if any (along `batches_by_name`).
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<BatchId>> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .query_row(
            "SELECT id FROM batches b WHERE name = ?1 AND released_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM release_pending r WHERE r.batch_id = b.id)
             ORDER BY created_at DESC LIMIT 1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn batch(conn: &Connection, id: &BatchId) -> Result<BatchRow> {
    conn.query_row(&format!("{BATCH_SELECT} WHERE b.id = ?1"), [id], batch_row)
        .map_err(Error::not_found("batch", id))
}

/// Splits the documents whose pages are `page_ids` off `parent` into a new batch named
/// `name` (same profile, same person who scanned it), whose check draws as `parent`'s did;
/// audited. Refused for a released batch (the store's trigger) and one whose release waits.
pub fn split_off(
    conn: &Connection,
    parent: &BatchId,
    page_ids: &[eingang_model::PageId],
    name: &str,
) -> Result<BatchId> {
    let from = batch(conn, parent)?;
    if from.release_pending.is_some() {
        return Err(Error::ReleasePending);
    }
    let id = create_batch(conn, name, from.profile_id.as_deref(), &from.profile_json)?;
    conn.execute(
        "UPDATE batches SET scanned_by = ?2, split_from = ?3, auto_at = ?4, created_at = ?5
         WHERE id = ?1",
        params![
            id,
            from.scanned_by,
            from.split_from.unwrap_or(from.id),
            now_ms(),
            from.created_at
        ],
    )?;
    for p in page_ids {
        conn.execute(
            "UPDATE pages SET batch_id = ?2 WHERE id = ?1 AND batch_id = ?3",
            params![p, id, parent],
        )?;
    }
    crate::tables::audit::append(
        conn,
        "batch.split",
        &id.to_string(),
        &serde_json::json!({ "from": parent, "pages": page_ids.len() }),
    )?;
    Ok(id)
}

/// Undoes [`split_off`] of a batch not released: its pages go back, the batch goes.
pub fn merge_back(conn: &Connection, split: &BatchId, parent: &BatchId) -> Result<()> {
    conn.execute(
        "UPDATE pages SET batch_id = ?2 WHERE batch_id = ?1",
        params![split, parent],
    )?;
    conn.execute(
        "DELETE FROM batches WHERE id = ?1 AND released_at IS NULL",
        [split],
    )?;
    crate::tables::audit::append(
        conn,
        "batch.merged_back",
        &parent.to_string(),
        &serde_json::json!({ "split": split }),
    )?;
    Ok(())
}

/// Automatic indexing ran on the batch after its OCR.
pub fn set_auto_done(conn: &Connection, id: &BatchId) -> Result<()> {
    conn.execute(
        "UPDATE batches SET auto_at = ?2 WHERE id = ?1",
        params![id, now_ms()],
    )?;
    Ok(())
}

/// Batches automatic indexing has not run on whose pages are all processed and read, and
/// none of them came after `quiet_since` (a scan still running is left to finish): not
/// released, no release waiting, at least one page; oldest first.
pub fn auto_due(conn: &Connection, quiet_since: i64) -> Result<Vec<BatchId>> {
    let mut stmt = conn.prepare(
        "SELECT b.id FROM batches b
         WHERE b.auto_at IS NULL AND b.released_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM release_pending r WHERE r.batch_id = b.id)
           AND EXISTS (SELECT 1 FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted)
           AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.batch_id = b.id AND NOT p.deleted
                             AND (p.state NOT IN ('processed', 'failed')
                                  OR p.ocr_state = 'pending'))
           AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.batch_id = b.id AND p.created_at > ?1)
         ORDER BY b.created_at",
    )?;
    let ids = stmt
        .query_map([quiet_since], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}

/// Removes a batch with its pages (their blobs stay until the blob sweep).
pub fn delete_batch(conn: &Connection, id: &BatchId) -> Result<()> {
    conn.execute("DELETE FROM batches WHERE id = ?1", [id])?;
    Ok(())
}
