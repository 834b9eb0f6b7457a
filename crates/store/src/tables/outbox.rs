//! The `outbox` table: one row per (item, target), written in the same transaction as the
//! item. States: `pending` → `in_flight` → `delivered`; on failure `failed` (retried after a
//! backoff), `failed_permanently` (waits for the user's "retry") or `paused` (the target
//! refused the credentials). A row's receipt records where the item went and the hash the
//! target confirmed.

use crate::error::Result;
use crate::tables::cursor::Cursor;
use eingang_model::{OutboxItem, OutboxState, Receipt, SyncIssue};
use rusqlite::{params, Connection, OptionalExtension};

/// Queues `item_id` for `target` (call inside the transaction that writes the item).
pub fn enqueue(conn: &Connection, kind: &str, item_id: &str, target: &str, at: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO outbox (item_kind, item_id, target, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (item_kind, item_id, target) DO NOTHING",
        params![kind, item_id, target, at],
    )?;
    Ok(())
}

/// Rows not yet delivered (every state but `delivered`: all still need attention).
pub fn count_undelivered(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE state <> 'delivered'",
        [],
        |r| r.get(0),
    )?)
}

/// The targets that still have undelivered rows.
pub fn waiting_targets(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT DISTINCT target FROM outbox WHERE state <> 'delivered' ORDER BY target")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
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

/// Every row for `target` that is not delivered, oldest first.
pub fn for_target(conn: &Connection, target: &str) -> Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, item_kind, item_id, target, state, attempts, next_attempt_at
         FROM outbox WHERE target = ?1 AND state <> 'delivered' ORDER BY id",
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

/// Marks a row as being delivered now. A process killed in flight leaves the row so; the
/// next round delivers it again, and the connector's idempotency check finds what arrived.
pub fn start(conn: &Connection, id: i64, at: i64) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'in_flight', started_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
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
                last_error_code = NULL, next_attempt_at = NULL, receipt_remote_id = ?2,
                receipt_hash = ?3, receipt_at = ?4
         WHERE id = ?1",
        params![id, location, hash, at],
    )?;
    audit_row(
        conn,
        id,
        "delivery.done",
        serde_json::json!({ "location": location, "sha256": hash }),
    )?;
    // The last receipt of a batch's documents allows destroying its paper originals.
    let batch: Option<eingang_model::BatchId> = conn
        .query_row(
            "SELECT d.batch_id FROM outbox o JOIN documents d ON d.id = o.item_id
             WHERE o.id = ?1 AND o.item_kind = 'document'",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    match batch {
        Some(b) => crate::tables::batches::settle_originals(conn, &b),
        None => Ok(()),
    }
}

/// The audit record of a delivery event: the item and target with the facts.
fn audit_row(conn: &Connection, id: i64, kind: &str, mut facts: serde_json::Value) -> Result<()> {
    let (item, target): (String, String) = conn.query_row(
        "SELECT item_kind || ':' || item_id, target FROM outbox WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    facts["target"] = serde_json::Value::String(target);
    crate::tables::audit::append(conn, kind, &item, &facts)
}

/// Records a failed attempt: retried at `next_attempt_at`, or (when `None`) only after the
/// user asks for it (`failed_permanently`).
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    code: &str,
    detail: &str,
    next_attempt_at: Option<i64>,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = CASE WHEN ?4 IS NULL THEN 'failed_permanently' ELSE 'failed' END,
                attempts = attempts + 1, last_error_code = ?2, last_error = ?3,
                next_attempt_at = ?4
         WHERE id = ?1",
        params![id, code, detail, next_attempt_at],
    )?;
    audit_row(
        conn,
        id,
        "delivery.failed",
        serde_json::json!({ "code": code, "retry_at": next_attempt_at }),
    )
}

/// The user's "retry": a failed, failed-for-good or paused row is due at once. Returns
/// whether a row changed.
pub fn retry(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL
         WHERE id = ?1 AND state IN ('failed', 'failed_permanently', 'paused')",
        [id],
    )? > 0)
}

/// Why an undelivered row cannot be held back or moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChanged {
    /// No such row.
    Missing,
    /// It is being sent right now (try again in a moment).
    InFlight,
    /// It has its receipt already.
    Delivered,
    /// The item is already queued for that target.
    Duplicate,
}

/// The state of row `id`, if there is one.
fn state(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT state FROM outbox WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

/// Whether an undelivered row may change: not while it is on its way, not once delivered.
fn changeable(conn: &Connection, id: i64) -> Result<std::result::Result<(), NotChanged>> {
    Ok(match state(conn, id)?.as_deref() {
        None => Err(NotChanged::Missing),
        Some("in_flight") => Err(NotChanged::InFlight),
        Some("delivered") => Err(NotChanged::Delivered),
        Some(_) => Ok(()),
    })
}

/// The user's "cancel": the row is held back — never sent by itself again, kept and shown
/// with `reason` (`sync.cancelled`), so nothing is lost and "retry" resumes it. A
/// document's paper originals stay, as it has no receipt.
pub fn cancel(
    conn: &Connection,
    id: i64,
    reason: &str,
) -> Result<std::result::Result<(), NotChanged>> {
    if let Err(e) = changeable(conn, id)? {
        return Ok(Err(e));
    }
    conn.execute(
        "UPDATE outbox SET state = 'failed_permanently', next_attempt_at = NULL,
                last_error_code = 'sync.cancelled', last_error = ?2
         WHERE id = ?1",
        params![id, reason],
    )?;
    audit_row(
        conn,
        id,
        "delivery.cancelled",
        serde_json::json!({ "reason": reason }),
    )?;
    Ok(Ok(()))
}

/// Gives an item's undelivered rows up (not one being sent now): another station delivers
/// it — a team's document whose claim this station lost. Audited; returns how many.
pub fn hand_back(conn: &Connection, item_kind: &str, item_id: &str) -> Result<usize> {
    let ids: Vec<i64> = conn
        .prepare(
            "SELECT id FROM outbox WHERE item_kind = ?1 AND item_id = ?2
               AND state NOT IN ('delivered', 'in_flight')",
        )?
        .query_map([item_kind, item_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        audit_row(
            conn,
            *id,
            "delivery.handed_back",
            serde_json::json!({ "reason": "another station of the team delivers it" }),
        )?;
        conn.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
    }
    Ok(ids.len())
}

/// The user's "change target": an undelivered row goes to `target` instead, due at once
/// with its attempts counted from zero; the audit record names both targets.
pub fn retarget(
    conn: &Connection,
    id: i64,
    target: &str,
) -> Result<std::result::Result<(), NotChanged>> {
    if let Err(e) = changeable(conn, id)? {
        return Ok(Err(e));
    }
    let taken: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox o JOIN outbox t ON t.item_kind = o.item_kind
                        AND t.item_id = o.item_id AND t.target = ?2 WHERE o.id = ?1)",
        params![id, target],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(Err(NotChanged::Duplicate));
    }
    let from: String = conn.query_row("SELECT target FROM outbox WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    conn.execute(
        "UPDATE outbox SET target = ?2, state = 'pending', attempts = 0, next_attempt_at = NULL,
                last_error_code = NULL, last_error = NULL
         WHERE id = ?1",
        params![id, target],
    )?;
    audit_row(
        conn,
        id,
        "delivery.retargeted",
        serde_json::json!({ "from": from }),
    )?;
    Ok(Ok(()))
}

/// Why a receipt cannot be voided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotVoided {
    /// No such row, or it has no receipt (not delivered).
    NotDelivered,
    /// The item's files were already purged under the retention rules: nothing to send
    /// again (the backup has them).
    Purged,
}

/// A delivered row: kind, item, target, and its receipt's location, hash and time.
type Delivered = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A receipt that turned out wrong — the DMS does not have the file: the row goes back to
/// `pending` (delivered again on the next run) with `reason` as its last error, the old
/// receipt is kept in the audit record, and a document's batch loses its permission to
/// destroy the paper originals until every receipt is there again. Until the new receipt,
/// the retention purge leaves the item's files alone.
pub fn void_receipt(
    conn: &Connection,
    id: i64,
    reason: &str,
) -> Result<std::result::Result<(), NotVoided>> {
    let row: Option<Delivered> = conn
        .query_row(
            "SELECT item_kind, item_id, target, receipt_remote_id, receipt_hash, receipt_at
             FROM outbox WHERE id = ?1 AND state = 'delivered'",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((kind, item, target, location, hash, at)) = row else {
        return Ok(Err(NotVoided::NotDelivered));
    };
    let purged: Option<i64> = match kind.as_str() {
        "document" => conn.query_row(
            "SELECT purged_at FROM documents WHERE id = ?1",
            [&item],
            |r| r.get(0),
        ),
        _ => conn.query_row(
            "SELECT purged_at FROM submissions WHERE id = ?1",
            [&item],
            |r| r.get(0),
        ),
    }
    .optional()?
    .flatten();
    if purged.is_some() {
        return Ok(Err(NotVoided::Purged));
    }
    conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL, receipt_remote_id = NULL,
                receipt_hash = NULL, receipt_at = NULL, last_error_code = 'sync.receipt_void',
                last_error = ?2
         WHERE id = ?1",
        params![id, reason],
    )?;
    if kind == "document" {
        conn.execute(
            "UPDATE batches SET destroyable_at = NULL
             WHERE id = (SELECT batch_id FROM documents WHERE id = ?1)",
            [&item],
        )?;
    }
    crate::tables::audit::append(
        conn,
        "delivery.receipt_void",
        &item,
        &serde_json::json!({
            "kind": kind, "target": target, "location": location, "sha256": hash,
            "receipt_at": at, "reason": reason,
        }),
    )?;
    Ok(Ok(()))
}

/// Pauses every undelivered row of `target` (its credentials were refused).
pub fn pause_target(conn: &Connection, target: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'paused'
         WHERE target = ?1 AND state IN ('pending', 'in_flight', 'failed')",
        [target],
    )?;
    Ok(())
}

/// Resumes the paused rows of `target`.
pub fn resume_target(conn: &Connection, target: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL
         WHERE target = ?1 AND state = 'paused'",
        [target],
    )?;
    Ok(())
}

fn state_of(s: &str) -> OutboxState {
    match s {
        "in_flight" => OutboxState::InFlight,
        "delivered" => OutboxState::Delivered,
        "failed" => OutboxState::Failed,
        "failed_permanently" => OutboxState::FailedPermanently,
        "paused" => OutboxState::Paused,
        _ => OutboxState::Pending,
    }
}

const ITEM_COLUMNS: &str = "o.id, o.item_kind, o.item_id, o.target, o.state, o.attempts,
    o.next_attempt_at, o.last_error_code, o.last_error, o.receipt_remote_id, o.receipt_hash,
    o.receipt_at, o.created_at, coalesce(s.form_id, d.title), s.form_version, s.data_json,
    (SELECT CASE WHEN j.type = 'array' THEN j.value ->> 1 END
     FROM json_each(CASE WHEN json_valid(d.index_json) THEN d.index_json ELSE '[]' END) j
     WHERE CASE WHEN j.type = 'array' THEN j.value ->> 0 END = 'aktenzeichen'),
    b.name";

/// The rows and what names them: the submission or document, and a document's batch.
const ITEM_FROM: &str = "FROM outbox o
    LEFT JOIN submissions s ON o.item_kind = 'submission' AND s.id = o.item_id
    LEFT JOIN documents d ON o.item_kind = 'document' AND d.id = o.item_id
    LEFT JOIN batches b ON b.id = d.batch_id";

/// A row and, for a submission, its answers (JSON) — its caption comes from its form.
fn item_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxItem, Option<String>)> {
    let state: String = r.get(4)?;
    let code: Option<String> = r.get(7)?;
    let location: Option<String> = r.get(9)?;
    let kind: String = r.get(1)?;
    let item_id: String = r.get(2)?;
    let item = OutboxItem {
        id: r.get(0)?,
        reference: (kind == "submission").then(|| eingang_model::draft::reference_code(&item_id)),
        item_kind: kind,
        item_id,
        target: r.get(3)?,
        state: state_of(&state),
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        error: code.map(|code| SyncIssue {
            code,
            detail: r
                .get::<_, Option<String>>(8)
                .ok()
                .flatten()
                .unwrap_or_default(),
        }),
        receipt: match (location, r.get::<_, Option<String>>(10)?, r.get(11)?) {
            (Some(location), Some(sha256), Some(at)) => Some(Receipt {
                location,
                sha256,
                at,
            }),
            _ => None,
        },
        created_at: r.get(12)?,
        form_id: r.get(13)?,
        form_version: r.get(14)?,
        caption: r.get(16)?,
        batch: r.get(17)?,
    };
    Ok((item, r.get(15)?))
}

/// Each submission's caption from its form (each form read once).
fn captioned(conn: &Connection, rows: Vec<(OutboxItem, Option<String>)>) -> Vec<OutboxItem> {
    let mut forms_seen = std::collections::HashMap::new();
    rows.into_iter()
        .map(|(mut item, data)| {
            if let (Some(data), Some(id), Some(version)) = (data, &item.form_id, &item.form_version)
            {
                let values: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&data).unwrap_or_default();
                item.caption = forms_seen
                    .entry((id.clone(), version.clone()))
                    .or_insert_with(|| super::forms::load(conn, id, version).ok())
                    .as_ref()
                    .map(|f| f.caption(&values))
                    .filter(|c| !c.is_empty());
            }
            item
        })
        .collect()
}

/// The tag of a cursor inside the rows still waiting (its key is the outbox id).
const WAITING: &str = "waiting";

/// What the sync view lists, a page at a time: first what is not delivered (oldest first,
/// along `outbox_waiting`), then the delivered rows with their receipts (newest receipt
/// first, along `outbox_delivered`). Up to `limit` rows after `after`, and the cursor of
/// the next page if the list goes on.
pub fn items(
    conn: &Connection,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<OutboxItem>, Option<String>)> {
    let query = |filter: &str, order: &str, key: i64, id: i64, limit: usize| {
        let sql =
            format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE {filter} ORDER BY {order} LIMIT ?3");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map(
                params![key, id, i64::try_from(limit).unwrap_or(i64::MAX)],
                item_of,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, crate::Error>(captioned(conn, rows))
    };
    let limit = limit as usize;
    let in_waiting = after.is_none_or(|c| c.id == WAITING);
    let mut out = Vec::new();
    if in_waiting {
        let from = after.map_or(0, |c| c.key);
        out = query(
            "o.state <> 'delivered' AND o.id > ?1",
            "o.id",
            from,
            0,
            limit,
        )?;
        if out.len() == limit {
            let next = Cursor::next(true, out.last().map(|i| (i.id, WAITING.to_owned())));
            return Ok((out, next));
        }
    }
    let (key, id) = match after.filter(|_| !in_waiting) {
        Some(c) => (
            c.key,
            c.id.parse::<i64>()
                .map_err(|_| crate::Error::BadCursor(format!("{}~{}", c.key, c.id)))?,
        ),
        None => (i64::MAX, i64::MAX),
    };
    let room = limit - out.len();
    let delivered = query(
        "o.state = 'delivered' AND (o.receipt_at, o.id) < (?1, ?2)",
        "o.receipt_at DESC, o.id DESC",
        key,
        id,
        room,
    )?;
    let next = Cursor::next(
        delivered.len() == room,
        delivered
            .last()
            .map(|i| (i.receipt.as_ref().map_or(0, |r| r.at), i.id.to_string())),
    );
    out.extend(delivered);
    Ok((out, next))
}

/// One row by id (for "retry" and tests).
pub fn item(conn: &Connection, id: i64) -> Result<Option<OutboxItem>> {
    let sql = format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE o.id = ?1");
    let row = conn.query_row(&sql, [id], item_of).optional()?;
    Ok(row.and_then(|r| captioned(conn, vec![r]).pop()))
}

/// Every row of one item (its targets), oldest first: whether and where it went.
pub fn of_item(conn: &Connection, item_kind: &str, item_id: &str) -> Result<Vec<OutboxItem>> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE o.item_kind = ?1 AND o.item_id = ?2 ORDER BY o.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([item_kind, item_id], item_of)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().map(|(item, _)| item).collect())
}

/// Counts per state for `target`: `(waiting, failed_permanently, paused)`.
pub fn counts(conn: &Connection, target: &str) -> Result<(u32, u32, u32)> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'in_flight', 'failed')),
                count(*) FILTER (WHERE state = 'failed_permanently'),
                count(*) FILTER (WHERE state = 'paused')
         FROM outbox WHERE target = ?1
           AND state IN ('pending', 'in_flight', 'failed', 'failed_permanently', 'paused')",
        [target],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// The delivery state of an item's first outbox row (`pending` … `delivered`).
pub fn delivery_state(c: &Connection, item_kind: &str, item_id: &str) -> Result<String> {
    Ok(c.query_row(
        "SELECT state FROM outbox WHERE item_kind = ?1 AND item_id = ?2 ORDER BY id LIMIT 1",
        [item_kind, item_id],
        |r| r.get(0),
    )?)
}
