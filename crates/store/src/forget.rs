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
    pub submissions: usize,
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
            unnamed_blobs(tx, &candidates, &mut out)
        })?;
        self.remove_blob_files(doomed, &mut out)?;
        Ok(out)
    }

    /// Deletes the delivered submissions (every target has its receipt) with their outbox
    /// rows and the files only they name. A self-service terminal keeps a citizen's
    /// submission only while it waits in the outbox.
    pub fn purge_delivered_submissions(&self) -> Result<Forgotten> {
        let mut out = Forgotten::default();
        let doomed = self.with_tx(|tx| {
            let mut stmt = tx.prepare(
                "SELECT s.id, s.pdf_blob, s.attachments_json FROM submissions s
                 WHERE EXISTS (SELECT 1 FROM outbox o
                               WHERE o.item_kind = 'submission' AND o.item_id = s.id)
                   AND NOT EXISTS (SELECT 1 FROM outbox o
                                   WHERE o.item_kind = 'submission' AND o.item_id = s.id
                                     AND o.state != 'delivered')",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut candidates = BTreeSet::new();
            for (id, pdf, attachments) in rows {
                candidates.extend(pdf);
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&attachments) {
                    named_blobs(&v, &mut candidates);
                }
                tx.execute(
                    "DELETE FROM outbox WHERE item_kind = 'submission' AND item_id = ?1",
                    [&id],
                )?;
                out.submissions += tx.execute("DELETE FROM submissions WHERE id = ?1", [&id])?;
            }
            unnamed_blobs(tx, &candidates, &mut out)
        })?;
        if out.submissions > 0 {
            self.remove_blob_files(doomed, &mut out)?;
        }
        Ok(out)
    }

    /// Removes the files of blobs whose rows are gone, then checkpoints and truncates the
    /// write-ahead log.
    fn remove_blob_files(&self, doomed: Vec<(String, u64)>, out: &mut Forgotten) -> Result<()> {
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
        Ok(())
    }
}

/// Deletes the `blobs` rows of `candidates` that nothing names any more — no draft, no
/// submission, no scanned page or document — and returns them with their sizes. What
/// drafts and submissions' attachments name is read once (their JSON); the rest is asked
/// per blob through the indexes on the blob columns (migration 16).
pub(crate) fn unnamed_blobs(
    tx: &rusqlite::Transaction<'_>,
    candidates: &BTreeSet<String>,
    out: &mut Forgotten,
) -> Result<Vec<(String, u64)>> {
    let mut doomed = Vec::new();
    if candidates.is_empty() {
        return Ok(doomed);
    }
    let mut in_json = BTreeSet::new();
    for sql in [
        "SELECT values_json FROM drafts",
        "SELECT attachments_json FROM submissions WHERE attachments_json <> '[]'",
    ] {
        let mut s = tx.prepare(sql)?;
        let rows = s.query_map([], |r| r.get::<_, String>(0))?;
        for json in rows {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&json?) {
                named_blobs(&v, &mut in_json);
            }
        }
    }
    let mut named = tx.prepare(
        "SELECT EXISTS (SELECT 1 FROM pages WHERE raw_blob = ?1)
             OR EXISTS (SELECT 1 FROM pages WHERE image_blob = ?1)
             OR EXISTS (SELECT 1 FROM pages WHERE thumb_blob = ?1)
             OR EXISTS (SELECT 1 FROM documents WHERE pdf_blob = ?1)
             OR EXISTS (SELECT 1 FROM documents WHERE transfer_blob = ?1)
             OR EXISTS (SELECT 1 FROM submissions WHERE pdf_blob = ?1)",
    )?;
    for hash in candidates {
        if in_json.contains(hash) || named.query_row([hash], |r| r.get::<_, bool>(0))? {
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
}

/// Every `"blob": "<sha256>"` in a draft's values (attachments and signatures).
pub(crate) fn named_blobs(v: &serde_json::Value, out: &mut BTreeSet<String>) {
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
