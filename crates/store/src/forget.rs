//! Forgetting a self-service session: its drafts and every file it stored go, so the next
//! citizen finds no trace — only what was submitted stays, waiting in the outbox.

use crate::error::{Error, Result};
use crate::Store;
use rusqlite::OptionalExtension;
use std::collections::BTreeSet;

/// What forgetting removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Forgotten {
    pub drafts: usize,
    pub blobs: usize,
    pub bytes: u64,
    /// Blobs kept because a submission (or another draft) still names them.
    pub kept: usize,
}

impl Store {
    /// Deletes the drafts `drafts` and the blobs `blobs` (and every blob those drafts'
    /// values name) that nothing else names — no submission, no other draft, no scanned
    /// page or document. The rows go in one transaction (SQLite's `secure_delete` zeroes
    /// their freed pages), then the files, then the write-ahead log is checkpointed and
    /// truncated so no copy of the old pages stays there either.
    pub fn forget(&self, drafts: &[String], blobs: &[String]) -> Result<Forgotten> {
        let mut out = Forgotten::default();
        let mut candidates: BTreeSet<String> = blobs
            .iter()
            .filter(|h| crate::blobs::is_blob_name(h))
            .cloned()
            .collect();
        let doomed: Vec<(String, u64)> = self.with_tx(|tx| {
            for id in drafts {
                let values: Option<String> = tx
                    .query_row("SELECT values_json FROM drafts WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let Some(values) = values else { continue };
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&values) {
                    named_blobs(&v, &mut candidates);
                }
                out.drafts += tx.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
            }
            let mut doomed = Vec::new();
            for hash in &candidates {
                let named: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM drafts WHERE instr(values_json, ?1) > 0)
                         OR EXISTS (SELECT 1 FROM submissions
                                    WHERE pdf_blob = ?1 OR instr(attachments_json, ?1) > 0)
                         OR EXISTS (SELECT 1 FROM pages
                                    WHERE raw_blob = ?1 OR image_blob = ?1 OR thumb_blob = ?1)
                         OR EXISTS (SELECT 1 FROM documents
                                    WHERE pdf_blob = ?1 OR transfer_blob = ?1)",
                    [hash],
                    |r| r.get(0),
                )?;
                if named {
                    out.kept += 1;
                    continue;
                }
                let size: Option<i64> = tx
                    .query_row("SELECT size FROM blobs WHERE hash = ?1", [hash], |r| {
                        r.get(0)
                    })
                    .optional()?;
                tx.execute("DELETE FROM blobs WHERE hash = ?1", [hash])?;
                doomed.push((hash.clone(), u64::try_from(size.unwrap_or(0)).unwrap_or(0)));
            }
            Ok(doomed)
        })?;
        for (hash, size) in doomed {
            let path = self.blobs().path(&hash)?;
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    out.blobs += 1;
                    out.bytes += size;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path)(e)),
            }
        }
        self.with_conn(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })?;
        Ok(out)
    }
}

/// Every `"blob": "<sha256>"` in a draft's values (attachments and signatures).
fn named_blobs(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                match x {
                    serde_json::Value::String(s)
                        if k == "blob" && crate::blobs::is_blob_name(s) =>
                    {
                        out.insert(s.clone());
                    }
                    _ => named_blobs(x, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| named_blobs(x, out)),
        _ => {}
    }
}
