//! `pages`: each page's raw scan and processed version (both in the blob store), its flags,
//! OCR words, barcodes and index values. Every page is written in its own transaction the
//! moment it arrives (raw blob fsynced first), so a crash mid-scan keeps every page already
//! received. Page operations are setters (rotation, deleted, position, document start):
//! idempotent, each logged in the [`page_log`](super::page_log), and undone by setting the
//! old value — a deleted page is only marked, its raw scan stays.

use crate::error::{Error, Result};
use crate::now_ms;
use crate::tables::page_log::log;
use eingang_model::{BatchId, PageId};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// A page as it arrived: where from, its raw scan, its resolution.
#[derive(Debug, Clone)]
pub struct NewPage<'a> {
    pub source: &'a str,
    pub source_page: u32,
    pub raw_blob: &'a str,
    pub dpi: (f32, f32),
}

/// Appends a page at the end of the batch; returns its id.
pub fn add_page(conn: &Connection, batch_id: &BatchId, page: &NewPage<'_>) -> Result<PageId> {
    let id = PageId::new();
    let now = now_ms();
    conn.execute(
        "INSERT INTO pages (id, batch_id, position, source, source_page, raw_blob, dpi_x, dpi_y, created_at)
         VALUES (?1, ?2, coalesce((SELECT max(position) FROM pages WHERE batch_id = ?2), 0) + 1,
                 ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            batch_id,
            page.source,
            page.source_page,
            page.raw_blob,
            f64::from(page.dpi.0),
            f64::from(page.dpi.1),
            now
        ],
    )?;
    conn.execute(
        "UPDATE batches SET updated_at = ?2 WHERE id = ?1",
        params![batch_id, now],
    )?;
    log(
        conn,
        &id,
        "received",
        &serde_json::json!({ "source": page.source, "page": page.source_page, "raw": page.raw_blob }),
    )?;
    Ok(id)
}

/// The processed version of a page.
#[derive(Debug, Clone)]
pub struct ProcessedPage<'a> {
    pub image_blob: &'a str,
    /// `jpeg`, `g4`, `gray8`, `rgb8`.
    pub image_kind: &'a str,
    pub width: u32,
    pub height: u32,
    pub thumb_blob: &'a str,
    pub skew: Option<f32>,
    pub ink: f32,
    pub blank: bool,
    /// The barcodes read while processing (JSON), if the profile reads them.
    pub barcodes_json: Option<&'a str>,
    /// The steps, each `{"op": …, params…}`.
    pub ops: &'a [serde_json::Value],
    /// Queue the page for OCR.
    pub ocr: bool,
    /// The quarter turns the page's orientation reading asks for; never over a turn a
    /// person made (`user_rotation` in the page log).
    pub turn: Option<u8>,
}

pub fn set_processed(conn: &Connection, page_id: &PageId, p: &ProcessedPage<'_>) -> Result<()> {
    conn.execute(
        "UPDATE pages SET state = 'processed', error = NULL, image_blob = ?2, image_kind = ?3,
                width = ?4, height = ?5, thumb_blob = ?6, skew = ?7, ink = ?8, blank = ?9,
                barcodes_json = coalesce(?10, barcodes_json),
                ocr_state = CASE WHEN ?11 THEN 'pending' END, ocr_json = NULL, ocr_error = NULL,
                rotation = CASE WHEN ?12 IS NULL OR EXISTS (
                    SELECT 1 FROM page_log l WHERE l.page_id = ?1 AND l.op = 'user_rotation')
                    THEN rotation ELSE ?12 END
         WHERE id = ?1",
        params![
            page_id,
            p.image_blob,
            p.image_kind,
            p.width,
            p.height,
            p.thumb_blob,
            p.skew.map(f64::from),
            f64::from(p.ink),
            p.blank,
            p.barcodes_json,
            p.ocr && !p.blank,
            p.turn.map(|q| q % 4)
        ],
    )?;
    for op in p.ops {
        let name = op
            .get("op")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("step");
        log(conn, page_id, name, op)?;
    }
    Ok(())
}

/// Processing failed: the raw scan stays, the page shows the reason.
pub fn set_failed(conn: &Connection, page_id: &PageId, code: &str, detail: &str) -> Result<()> {
    conn.execute(
        "UPDATE pages SET state = 'failed', error = ?2 WHERE id = ?1",
        params![page_id, format!("{code}: {detail}")],
    )?;
    log(
        conn,
        page_id,
        "failed",
        &serde_json::json!({ "code": code, "detail": detail }),
    )
}

/// A page as the scan office sees it (its flags mirror the table's columns).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRow {
    pub id: PageId,
    pub batch_id: BatchId,
    pub position: f64,
    pub source: String,
    pub source_page: u32,
    pub raw_blob: String,
    pub dpi: (f32, f32),
    pub state: String,
    pub error: Option<String>,
    pub image_blob: Option<String>,
    pub image_kind: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumb_blob: Option<String>,
    pub skew: Option<f64>,
    pub ink: Option<f64>,
    pub blank: bool,
    pub rotation: u8,
    pub starts_document: bool,
    pub deleted: bool,
    /// The barcodes read (JSON list of `{format, value}`); `None` = not read yet.
    pub barcodes_json: Option<String>,
    /// Removed as a separator sheet (not by the user).
    pub separator: bool,
    /// Index values for the document this page starts (from barcodes).
    pub index: Vec<(String, String)>,
    /// `pending`, `done`, `failed`; `None` = no OCR wanted.
    pub ocr_state: Option<String>,
    pub ocr_error: Option<String>,
}

const PAGE_SELECT: &str =
    "SELECT id, batch_id, position, source, source_page, raw_blob, dpi_x, dpi_y,
        state, error, image_blob, image_kind, width, height, thumb_blob, skew, ink, blank,
        rotation, starts_document, deleted, barcodes_json, separator, index_json, ocr_state,
        ocr_error FROM pages";

fn page_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PageRow> {
    let (dx, dy): (f64, f64) = (r.get(6)?, r.get(7)?);
    #[allow(clippy::cast_possible_truncation)]
    let dpi = (dx as f32, dy as f32);
    Ok(PageRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        position: r.get(2)?,
        source: r.get(3)?,
        source_page: r.get(4)?,
        raw_blob: r.get(5)?,
        dpi,
        state: r.get(8)?,
        error: r.get(9)?,
        image_blob: r.get(10)?,
        image_kind: r.get(11)?,
        width: r.get(12)?,
        height: r.get(13)?,
        thumb_blob: r.get(14)?,
        skew: r.get(15)?,
        ink: r.get(16)?,
        blank: r.get(17)?,
        rotation: r.get(18)?,
        starts_document: r.get(19)?,
        deleted: r.get(20)?,
        barcodes_json: r.get(21)?,
        separator: r.get(22)?,
        index: serde_json::from_str(&r.get::<_, String>(23)?).unwrap_or_default(),
        ocr_state: r.get(24)?,
        ocr_error: r.get(25)?,
    })
}

/// Pages waiting for OCR (processed, not deleted), oldest batch first.
pub fn ocr_pending(
    conn: &Connection,
    batch_id: Option<&BatchId>,
    limit: u32,
) -> Result<Vec<PageId>> {
    let mut stmt = conn.prepare(
        "SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id
         WHERE p.ocr_state = 'pending' AND p.state = 'processed' AND NOT p.deleted
           AND (?1 IS NULL OR p.batch_id = ?1)
         ORDER BY b.created_at, p.position LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![batch_id, limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Queues pages for OCR (again): those of `batch_id` that are processed and not blank.
pub fn ocr_request(conn: &Connection, batch_id: &BatchId) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE pages SET ocr_state = 'pending', ocr_error = NULL
         WHERE batch_id = ?1 AND state = 'processed' AND NOT blank AND NOT deleted
           AND (ocr_state IS NULL OR ocr_state = 'failed')",
        [batch_id],
    )?)
}

/// Records a page's OCR, read with the page turned `rotation` quarter turns: the words
/// (JSON) or why it failed. Returns false (and records nothing) when the page was turned
/// again meanwhile — it stays queued and is read anew.
pub fn set_ocr(
    conn: &Connection,
    page_id: &PageId,
    rotation: u8,
    result: std::result::Result<&str, &str>,
) -> Result<bool> {
    let n = match result {
        Ok(words) => conn.execute(
            "UPDATE pages SET ocr_state = 'done', ocr_json = ?3, ocr_error = NULL
             WHERE id = ?1 AND rotation = ?2",
            params![page_id, rotation, words],
        )?,
        Err(why) => conn.execute(
            "UPDATE pages SET ocr_state = 'failed', ocr_error = ?3 WHERE id = ?1 AND rotation = ?2",
            params![page_id, rotation, why],
        )?,
    };
    Ok(n > 0)
}

/// Records the OCR's words of a page read at `read_at` quarter turns that reads right only
/// at `turned_to` (the OCR's second opinion on its orientation, `confidence` its mean word
/// confidence there): the page is turned, logged as `ocr_rotation` — unless it was turned
/// since, or by a person. `false` when nothing was recorded.
pub fn set_ocr_turned(
    conn: &Connection,
    page_id: &PageId,
    read_at: u8,
    turned_to: u8,
    words: &str,
    confidence: f32,
) -> Result<bool> {
    if turned_by_user(conn, page_id)? {
        return Ok(false);
    }
    let n = conn.execute(
        "UPDATE pages SET rotation = ?3, ocr_state = 'done', ocr_json = ?4, ocr_error = NULL
         WHERE id = ?1 AND rotation = ?2",
        params![page_id, read_at, turned_to % 4, words],
    )?;
    if n > 0 {
        log(
            conn,
            page_id,
            "ocr_rotation",
            &serde_json::json!({
                "edit": { "set": "rotation", "value": turned_to % 4 },
                "old": read_at,
                "confidence": (f64::from(confidence) * 10.0).round() / 10.0,
            }),
        )?;
    }
    Ok(n > 0)
}

/// Whether a person turned the page (`user_rotation` in its log).
pub fn turned_by_user(conn: &Connection, page_id: &PageId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM page_log WHERE page_id = ?1 AND op = 'user_rotation')",
        [page_id],
        |r| r.get(0),
    )?)
}

/// A page's OCR words (JSON), if it was read.
pub fn ocr_words(conn: &Connection, page_id: &PageId) -> Result<Option<String>> {
    conn.query_row("SELECT ocr_json FROM pages WHERE id = ?1", [page_id], |r| {
        r.get(0)
    })
    .map_err(Error::not_found("page", page_id))
}

/// Records how a page went into its archived document (`archive_encoding`: MRC with its
/// layers' sizes, or the plain image and why), in the page's log.
pub fn log_archive_encoding(
    conn: &Connection,
    page_id: &PageId,
    params: &serde_json::Value,
) -> Result<()> {
    log(conn, page_id, "archive_encoding", params)
}

/// Records that the document starting at `page_id` was released straight through (its
/// values and how sure each was), in the page log.
pub fn log_straight_through(
    conn: &Connection,
    page_id: &PageId,
    params: &serde_json::Value,
) -> Result<()> {
    log(conn, page_id, "straight_through", params)
}

/// Records the barcodes read on a page (JSON list).
pub fn set_barcodes(conn: &Connection, page_id: &PageId, json: &str) -> Result<()> {
    conn.execute(
        "UPDATE pages SET barcodes_json = ?2 WHERE id = ?1",
        params![page_id, json],
    )?;
    Ok(())
}

/// Marks a page as removed (or not) as a separator sheet.
pub fn set_separator(conn: &Connection, page_id: &PageId, separator: bool) -> Result<()> {
    conn.execute(
        "UPDATE pages SET separator = ?2 WHERE id = ?1",
        params![page_id, separator],
    )?;
    Ok(())
}

/// The index values the document starting at this page gets (from barcodes); logged.
pub fn set_index(conn: &Connection, page_id: &PageId, index: &[(String, String)]) -> Result<()> {
    set_index_as(conn, page_id, index, "index_from_barcodes")
}

/// Marks `page_id` as the start of a document with `index` (an e-mail's message page);
/// `op` names why in the page log, `detail` adds to its entry (an e-mail's signature
/// check).
pub fn mark_document_start(
    conn: &Connection,
    page_id: &PageId,
    index: &[(String, String)],
    op: &str,
    mut detail: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let json = serde_json::to_string(index).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "UPDATE pages SET starts_document = 1, index_json = ?2 WHERE id = ?1",
        params![page_id, json],
    )?;
    detail.insert("index".into(), serde_json::json!(index));
    log(conn, page_id, op, &serde_json::Value::Object(detail))
}

/// Sets the index values of the document `page_id` starts; `op` names who set them in the
/// page log (`index_from_barcodes`, `user_index`).
pub fn set_index_as(
    conn: &Connection,
    page_id: &PageId,
    index: &[(String, String)],
    op: &str,
) -> Result<()> {
    set_index_logged(conn, page_id, index, op, serde_json::Map::new())
}

/// [`set_index_as`] with more in the page log's entry (`detail`: which values a person
/// typed and which suggestions they took).
pub fn set_index_logged(
    conn: &Connection,
    page_id: &PageId,
    index: &[(String, String)],
    op: &str,
    mut detail: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let json = serde_json::to_string(index).unwrap_or_else(|_| "[]".into());
    let changed = conn.execute(
        "UPDATE pages SET index_json = ?2 WHERE id = ?1 AND index_json <> ?2",
        params![page_id, json],
    )?;
    if changed > 0 {
        detail.insert("index".into(), serde_json::json!(index));
        log(conn, page_id, op, &serde_json::Value::Object(detail))?;
    }
    Ok(())
}

/// The batch's pages in order, deleted ones included (the UI hides them; undo needs them).
pub fn pages(conn: &Connection, batch_id: &BatchId) -> Result<Vec<PageRow>> {
    let mut stmt = conn.prepare(&format!(
        "{PAGE_SELECT} WHERE batch_id = ?1 ORDER BY position, id"
    ))?;
    let rows = stmt.query_map([batch_id], page_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn page(conn: &Connection, id: &PageId) -> Result<PageRow> {
    conn.query_row(&format!("{PAGE_SELECT} WHERE id = ?1"), [id], page_row)
        .map_err(Error::not_found("page", id))
}

/// What the user may change on a page (quarter turns, deleted, document start, blank flag).
pub use eingang_model::PageEdit;

/// Applies an edit by the user and logs it with the old value (so it can be undone).
pub fn edit_page(conn: &Connection, id: &PageId, edit: PageEdit) -> Result<()> {
    edit_page_by(conn, id, edit, "user")
}

/// Applies an edit made by `by` (`user`, `separation`, `undo`); the page log names it
/// `<by>_<field>` with the old value.
pub fn edit_page_by(conn: &Connection, id: &PageId, edit: PageEdit, by: &str) -> Result<()> {
    let old = page(conn, id)?;
    let (op, old_value) = match edit {
        PageEdit::Rotation(q) => {
            // A turned page is read again, the right way up (if it is read at all).
            conn.execute(
                "UPDATE pages SET rotation = ?2,
                        ocr_state = CASE WHEN ocr_state IS NULL OR rotation = ?2 THEN ocr_state
                                         ELSE 'pending' END
                 WHERE id = ?1",
                params![id, q % 4],
            )?;
            ("rotation", serde_json::json!(old.rotation))
        }
        PageEdit::Deleted(d) => {
            conn.execute(
                "UPDATE pages SET deleted = ?2 WHERE id = ?1",
                params![id, d],
            )?;
            ("deleted", serde_json::json!(old.deleted))
        }
        PageEdit::StartsDocument(s) => {
            conn.execute(
                "UPDATE pages SET starts_document = ?2 WHERE id = ?1",
                params![id, s],
            )?;
            ("starts_document", serde_json::json!(old.starts_document))
        }
        PageEdit::Blank(b) => {
            conn.execute("UPDATE pages SET blank = ?2 WHERE id = ?1", params![id, b])?;
            ("blank_reviewed", serde_json::json!(old.blank))
        }
    };
    log(
        conn,
        id,
        &format!("{by}_{op}"),
        &serde_json::json!({ "edit": edit, "old": old_value }),
    )
}

/// Whether the page's document break (set or removed) was last decided by a person, not
/// by the separation rules.
pub fn break_set_by_hand(conn: &Connection, id: &PageId) -> Result<bool> {
    use rusqlite::OptionalExtension as _;
    let op: Option<String> = conn
        .query_row(
            "SELECT op FROM page_log WHERE page_id = ?1 AND op LIKE '%\\_starts_document' ESCAPE '\\'
             ORDER BY id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(op.is_some_and(|o| o == "user_starts_document" || o == "undo_starts_document"))
}

/// Moves a page to index `to` among the batch's pages (0 = first).
pub fn move_page(conn: &Connection, id: &PageId, to: usize) -> Result<()> {
    let page = page(conn, id)?;
    let mut order: Vec<PageRow> = pages(conn, &page.batch_id)?;
    let from = order.iter().position(|p| p.id == *id).unwrap_or(0);
    let moved = order.remove(from);
    let to = to.min(order.len());
    order.insert(to, moved);
    // Renumber the whole batch: positions stay small integers, order is exact.
    let mut stmt = conn.prepare("UPDATE pages SET position = ?2 WHERE id = ?1")?;
    for (i, p) in order.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        stmt.execute(params![p.id, (i + 1) as f64])?;
    }
    log(
        conn,
        id,
        "user_move",
        &serde_json::json!({ "from": from, "to": to }),
    )
}

/// Removes the pages an interrupted intake made of one source (`source` read from
/// `raw_blob`) in a batch, with their log (the mailbox intake makes them again from the
/// stored message): the number removed.
pub fn remove_unfinished(
    conn: &Connection,
    batch_id: &BatchId,
    source: &str,
    raw_blob: &str,
) -> Result<usize> {
    conn.execute(
        "DELETE FROM page_log WHERE page_id IN
             (SELECT id FROM pages WHERE batch_id = ?1 AND source = ?2 AND raw_blob = ?3)",
        params![batch_id, source, raw_blob],
    )?;
    Ok(conn.execute(
        "DELETE FROM pages WHERE batch_id = ?1 AND source = ?2 AND raw_blob = ?3",
        params![batch_id, source, raw_blob],
    )?)
}
