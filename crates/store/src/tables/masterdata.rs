//! The `master_data` table: organisation units (each with its Aktenzeichen pattern) and
//! document types (each with the index fields it needs), as the city maintains them.
//! Replaced as a whole on import, in one transaction.

use crate::error::Result;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `unit` or `doctype`.
    pub kind: String,
    pub code: String,
    pub label: String,
    /// For units: the regular expression an Aktenzeichen of this unit matches.
    pub pattern: Option<String>,
    /// For document types: the index fields it requires.
    pub fields: Vec<String>,
    /// Words that suggest this type or unit before anything is learned.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// Replaces all master data with `entries` (the caller validated them).
pub fn replace(conn: &Connection, entries: &[Entry]) -> Result<()> {
    conn.execute("DELETE FROM master_data", [])?;
    let mut stmt = conn.prepare(
        "INSERT INTO master_data (kind, code, label, pattern, fields_json, keywords_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for e in entries {
        let fields = serde_json::to_string(&e.fields).unwrap_or_else(|_| "[]".into());
        let keywords = serde_json::to_string(&e.keywords).unwrap_or_else(|_| "[]".into());
        stmt.execute(params![
            e.kind, e.code, e.label, e.pattern, fields, keywords
        ])?;
    }
    crate::tables::audit::append(
        conn,
        "masterdata.imported",
        "master_data",
        &serde_json::json!({
            "units": entries.iter().filter(|e| e.kind == "unit").count(),
            "doctypes": entries.iter().filter(|e| e.kind == "doctype").count(),
        }),
    )
}

/// All entries, units first, each kind by code.
pub fn all(conn: &Connection) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT kind, code, label, pattern, fields_json, keywords_json FROM master_data
         ORDER BY kind DESC, code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Entry {
            kind: r.get(0)?,
            code: r.get(1)?,
            label: r.get(2)?,
            pattern: r.get(3)?,
            fields: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
            keywords: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
