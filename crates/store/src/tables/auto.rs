//! Automatic indexing's tables: `auto_examples` (what the model learned from: a released
//! document's words with its type and unit) and `auto_model` (the learned model, one row),
//! and the orientation readings of a batch's pages from the page log.

use crate::error::Result;
use crate::now_ms;
use eingang_model::{BatchId, DocumentId, PageId};
use rusqlite::{params, Connection, OptionalExtension as _};
use std::collections::HashMap;

/// One learned example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub document_id: String,
    pub doctype: String,
    pub unit: String,
    pub tokens: Vec<String>,
}

/// Records an example; a document already learned is not learned twice (returns false).
pub fn add_example(conn: &Connection, document: &DocumentId, e: &Example) -> Result<bool> {
    let tokens = serde_json::to_string(&e.tokens).unwrap_or_else(|_| "[]".into());
    let n = conn.execute(
        "INSERT INTO auto_examples (document_id, doctype, unit, tokens_json, at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (document_id) DO NOTHING",
        params![document, e.doctype, e.unit, tokens, now_ms()],
    )?;
    Ok(n == 1)
}

/// `(code, count)` pairs, by code.
pub type Counts = Vec<(String, u32)>;

/// Examples in all, per type and per unit.
pub fn example_counts(conn: &Connection) -> Result<(u32, Counts, Counts)> {
    let group = |col: &str| -> Result<Counts> {
        let mut stmt = conn.prepare(&format!(
            "SELECT {col}, count(*) FROM auto_examples WHERE {col} <> '' GROUP BY {col} ORDER BY {col}"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let all: u32 = conn.query_row("SELECT count(*) FROM auto_examples", [], |r| r.get(0))?;
    Ok((all, group("doctype")?, group("unit")?))
}

/// Every example, oldest first (a model is rebuilt from them).
pub fn examples(conn: &Connection) -> Result<Vec<Example>> {
    let mut stmt = conn
        .prepare("SELECT document_id, doctype, unit, tokens_json FROM auto_examples ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(Example {
            document_id: r.get(0)?,
            doctype: r.get(1)?,
            unit: r.get(2)?,
            tokens: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A learned example as listed: the released document, its title and batch, the type and
/// unit it was learned with, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Learned {
    pub document_id: String,
    pub title: Option<String>,
    pub batch: Option<String>,
    pub doctype: String,
    pub unit: String,
    pub at: i64,
}

/// The learned examples, most recent first, at most `limit`; only those of `doctype` when
/// given.
pub fn learned(conn: &Connection, doctype: Option<&str>, limit: u32) -> Result<Vec<Learned>> {
    let mut stmt = conn.prepare(
        "SELECT e.document_id, d.title, b.name, e.doctype, e.unit, e.at
         FROM auto_examples e LEFT JOIN documents d ON d.id = e.document_id
              LEFT JOIN batches b ON b.id = d.batch_id
         WHERE ?1 IS NULL OR e.doctype = ?1 ORDER BY e.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![doctype, limit], |r| {
        Ok(Learned {
            document_id: r.get(0)?,
            title: r.get(1)?,
            batch: r.get(2)?,
            doctype: r.get(3)?,
            unit: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Forgets the examples learned from these documents (a document released with the wrong
/// type, say); audited. Returns the documents that had none.
pub fn forget(conn: &Connection, documents: &[String]) -> Result<Vec<String>> {
    let mut unknown = Vec::new();
    for d in documents {
        let n = conn.execute("DELETE FROM auto_examples WHERE document_id = ?1", [d])?;
        if n == 0 {
            unknown.push(d.clone());
        } else {
            crate::tables::audit::append(
                conn,
                "auto.example_forgotten",
                d,
                &serde_json::json!({}),
            )?;
        }
    }
    Ok(unknown)
}

/// The values of `fields` the documents learned from were released with (the most recent
/// `limit` examples), read in one pass.
pub fn learned_values(conn: &Connection, fields: &[&str], limit: u32) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT d.index_json FROM auto_examples e JOIN documents d ON d.id = e.document_id
         ORDER BY e.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for json in rows {
        let pairs: Vec<(String, String)> = serde_json::from_str(&json?).unwrap_or_default();
        out.extend(
            pairs
                .into_iter()
                .filter(|(k, _)| fields.contains(&k.as_str()))
                .map(|(_, v)| v),
        );
    }
    Ok(out)
}

/// What changes whenever the stored model does: (format, examples, updated at).
pub fn model_stamp(conn: &Connection) -> Result<Option<(u32, u32, i64)>> {
    Ok(conn
        .query_row(
            "SELECT format, examples, updated_at FROM auto_model WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The stored model: (format, JSON, examples, updated at).
pub fn model(conn: &Connection) -> Result<Option<(u32, String, u32, i64)>> {
    Ok(conn
        .query_row(
            "SELECT format, model_json, examples, updated_at FROM auto_model WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

pub fn put_model(conn: &Connection, format: u32, json: &str, examples: u32) -> Result<()> {
    conn.execute(
        "INSERT INTO auto_model (id, format, model_json, examples, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET format = ?1, model_json = ?2, examples = ?3,
                                        updated_at = ?4",
        params![format, json, examples, now_ms()],
    )?;
    Ok(())
}

/// Forgets the model and its examples (index values already given stay: they are the
/// pages' and documents'); audited.
pub fn reset(conn: &Connection) -> Result<u32> {
    let n: u32 = conn.query_row("SELECT count(*) FROM auto_examples", [], |r| r.get(0))?;
    conn.execute("DELETE FROM auto_examples", [])?;
    conn.execute("DELETE FROM auto_model", [])?;
    crate::tables::audit::append(
        conn,
        "auto.model_reset",
        "auto_model",
        &serde_json::json!({ "examples": n }),
    )?;
    Ok(n)
}

/// The orientation reading of a page: its confidence, whether it was applied, and whether
/// a person turned the page since.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TurnReading {
    pub confidence: Option<f32>,
    pub applied: bool,
    pub by_user: bool,
    /// The OCR's second opinion turned it (it read as noise the way it stood).
    pub by_ocr: bool,
}

/// The orientation readings of a batch's pages, from the page log in one query.
pub fn turn_readings(conn: &Connection, batch: &BatchId) -> Result<HashMap<PageId, TurnReading>> {
    let mut stmt = conn.prepare(
        "SELECT l.page_id, l.op, l.params_json FROM page_log l JOIN pages p ON p.id = l.page_id
         WHERE p.batch_id = ?1 AND l.op IN ('orientation', 'user_rotation', 'ocr_rotation')
         ORDER BY l.id",
    )?;
    let rows = stmt.query_map([batch], |r| {
        Ok((
            r.get::<_, PageId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out: HashMap<PageId, TurnReading> = HashMap::new();
    for row in rows {
        let (page, op, json) = row?;
        let e = out.entry(page).or_default();
        if op == "user_rotation" {
            e.by_user = true;
        } else if op == "ocr_rotation" {
            e.by_ocr = true;
        } else {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            #[allow(clippy::cast_possible_truncation)]
            let confidence = v
                .get("confidence")
                .and_then(serde_json::Value::as_f64)
                .map(|c| c as f32);
            e.confidence = confidence;
            e.applied = v
                .get("applied")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
        }
    }
    Ok(out)
}
