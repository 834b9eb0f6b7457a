//! A batch's rows as JSON objects, out of this store and into another station's: what the
//! team store (PostgreSQL) carries between the scan office's desks. Every column of a row
//! travels as it is (integers, reals, text, null); the receiving store takes exactly the
//! columns it has and refuses a row with a column it does not know (a newer station wrote
//! it: this one must be updated). The append-only tables (`page_log`, `qc_verdicts`) are
//! keyed by their content, not by their local row number, so the same entry arriving twice
//! — or coming back to the station that made it — is kept once.

use crate::error::{Error, Result};
use eingang_model::BatchId;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// One row, column name → value.
pub type Row = Map<String, Value>;

/// The tables a batch travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Batches,
    Pages,
    PageLog,
    QcVerdicts,
    /// What a release made (rows only; their PDF/A and Transfervermerk are blobs).
    Documents,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Batches => "batches",
            Table::Pages => "pages",
            Table::PageLog => "page_log",
            Table::QcVerdicts => "qc_verdicts",
            Table::Documents => "documents",
        }
    }

    /// The rows of `batch` in this table (log entries in the order they were made).
    fn select(self) -> &'static str {
        match self {
            Table::Batches => "SELECT * FROM batches WHERE id = ?1",
            Table::Pages => "SELECT * FROM pages WHERE batch_id = ?1 ORDER BY position",
            Table::PageLog => {
                "SELECT l.* FROM page_log l JOIN pages p ON p.id = l.page_id
                  WHERE p.batch_id = ?1 ORDER BY l.id"
            }
            Table::QcVerdicts => "SELECT * FROM qc_verdicts WHERE batch_id = ?1 ORDER BY id",
            Table::Documents => {
                "SELECT * FROM documents WHERE batch_id = ?1 ORDER BY created_at, id"
            }
        }
    }

    /// The columns that make an append-only entry what it is (its local number is not).
    fn content(self) -> Option<&'static [&'static str]> {
        match self {
            Table::Batches | Table::Pages | Table::Documents => None,
            Table::PageLog => Some(&["page_id", "at", "op", "params_json"]),
            Table::QcVerdicts => Some(&[
                "batch_id",
                "first_page",
                "page_ids",
                "verdict",
                "checker",
                "note",
                "at",
            ]),
        }
    }
}

/// The rows of `batch` in `table`, each a JSON object of every column.
pub fn export(conn: &Connection, table: Table, batch: &BatchId) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare(table.select())?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query([batch])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Map::new();
        for (i, name) in names.iter().enumerate() {
            row.insert(name.clone(), json_of(r.get_ref(i)?, table, name)?);
        }
        out.push(row);
    }
    Ok(out)
}

/// The key of an append-only entry: the SHA-256 of its content columns (hex); for batches
/// and pages their id.
pub fn key(table: Table, row: &Row) -> String {
    match table.content() {
        None => row
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Some(cols) => {
            let mut h = Sha256::new();
            for c in cols {
                h.update(row.get(*c).map(Value::to_string).unwrap_or_default());
                h.update([0]);
            }
            hex::encode(h.finalize())
        }
    }
}

/// Writes rows another station exported: batches and pages replace the row of the same id
/// (its columns set to what arrived), log entries and verdicts are added unless the same
/// entry is here. Returns how many rows changed. Runs in the caller's transaction.
pub fn import(conn: &Connection, table: Table, rows: &[Row]) -> Result<usize> {
    let columns = columns(conn, table)?;
    let mut changed = 0;
    for row in rows {
        if let Some(unknown) = row.keys().find(|k| !columns.contains(k)) {
            return Err(Error::BadRow {
                what: table.name(),
                id: key(table, row),
                detail: format!(
                    "it came from the team store with the column {unknown}, which this station does not know: update Eingang on this station"
                ),
            });
        }
        let cols: Vec<&String> = row
            .keys()
            .filter(|k| table.content().is_none() || *k != "id")
            .collect();
        if let Some(content) = table.content() {
            if present(conn, table, content, row)? {
                continue;
            }
        }
        let names: Vec<&str> = cols.iter().map(|c| c.as_str()).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name(),
            names.join(", "),
            marks.join(", ")
        );
        if table.content().is_none() {
            let set: Vec<String> = names
                .iter()
                .filter(|n| **n != "id")
                .map(|n| format!("{n} = excluded.{n}"))
                .collect();
            let _ = write!(sql, " ON CONFLICT (id) DO UPDATE SET {}", set.join(", "));
        }
        let values: Vec<SqlValue> = cols.iter().map(|c| sql_of(&row[c.as_str()])).collect();
        changed += conn.execute(&sql, rusqlite::params_from_iter(values))?;
    }
    Ok(changed)
}

/// Whether an append-only entry with the same content is already here.
fn present(conn: &Connection, table: Table, content: &[&str], row: &Row) -> Result<bool> {
    let conditions: Vec<String> = content
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} IS ?{}", i + 1))
        .collect();
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
        table.name(),
        conditions.join(" AND ")
    );
    let values: Vec<SqlValue> = content
        .iter()
        .map(|c| row.get(*c).map_or(SqlValue::Null, sql_of))
        .collect();
    Ok(conn.query_row(&sql, rusqlite::params_from_iter(values), |r| r.get(0))?)
}

fn columns(conn: &Connection, table: Table) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{}')",
        table.name()
    ))?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

fn json_of(v: ValueRef<'_>, table: Table, column: &str) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => {
            return Err(Error::BadRow {
                what: table.name(),
                id: column.to_owned(),
                detail: "the column holds bytes, which the team store does not carry".into(),
            })
        }
    })
}

fn sql_of(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(SqlValue::Integer)
            .or_else(|| n.as_f64().map(SqlValue::Real))
            .unwrap_or(SqlValue::Null),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// The blob hashes a batch's pages name (raw scan, processed image, thumbnail).
pub fn page_blobs(pages: &[Row]) -> Vec<String> {
    named_blobs(pages, &["raw_blob", "image_blob", "thumb_blob"])
}

/// The blob hashes released documents name (PDF/A, Transfervermerk).
pub fn document_blobs(documents: &[Row]) -> Vec<String> {
    named_blobs(documents, &["pdf_blob", "transfer_blob"])
}

/// The blob hashes in these columns of the rows, each once.
fn named_blobs(rows: &[Row], columns: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .flat_map(|r| columns.iter().filter_map(|c| r.get(*c)?.as_str()))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}
