//! The purge of what was delivered long enough ago (`[retention]`): page images and their
//! OCR text of batches whose documents all have their receipts, released PDFs and
//! Transfervermerke (and the words automatic indexing learned from them), and delivered
//! submissions' answers and files. Never anything without its receipts, never a
//! batch on legal hold, never a draft. The rows stay (hashes, receipts, integrity records),
//! marked `purged_at`; every purge is an audit record. Work goes in chunks, each one
//! transaction; blob files go after the commit, listed in `purge_files` until they are
//! gone, so a purge killed at any moment loses nothing and finishes at its next run.

use crate::error::Result;
use crate::forget::{named_blobs, unnamed_blobs, Forgotten};
use crate::tables::audit;
use crate::Store;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;

/// What a purge may remove: everything delivered (all receipts) before these times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Page images of batches whose last receipt is older.
    pub scans_before: i64,
    /// PDFs and Transfervermerke whose last receipt is older.
    pub documents_before: i64,
    /// Submissions whose last receipt is older.
    pub submissions_before: i64,
    /// Rows per transaction (batches count as one row each).
    pub chunk: usize,
}

/// What a purge removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    pub batches: usize,
    pub pages: usize,
    pub documents: usize,
    pub submissions: usize,
    /// Examples automatic indexing learned from purged documents, forgotten with them (the
    /// model is then trained afresh from the rest).
    pub examples: usize,
    /// Blob files removed and their bytes.
    pub blobs: usize,
    pub bytes: u64,
    /// Batches whose time had come but which are on legal hold.
    pub held: usize,
    /// Database space returned to the disk after the purge.
    pub reclaimed: u64,
}

/// When the last receipt of a batch's documents arrived, if every one is delivered. The
/// receipts are read per document of the batch (`CROSS JOIN` keeps that order): joined the
/// other way round, SQLite read the whole outbox for every batch.
const BATCH_DELIVERED: &str = "
    SELECT b.id FROM batches b INDEXED BY batches_unpurged
    WHERE b.released_at IS NOT NULL AND b.purged_at IS NULL AND b.hold = ?3
      AND EXISTS (SELECT 1 FROM documents d WHERE d.batch_id = b.id)
      AND NOT EXISTS (
          SELECT 1 FROM documents d WHERE d.batch_id = b.id AND (
              NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id)
              OR EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = d.id
                                                   AND o.state <> 'delivered')))
      AND (SELECT max(o.receipt_at) FROM documents d CROSS JOIN outbox o
             ON o.item_kind = 'document' AND o.item_id = d.id WHERE d.batch_id = b.id) < ?1
    ORDER BY b.released_at LIMIT ?2";

/// An item (`kind`, id column `col` of `table`) every outbox row of which is delivered, the
/// last receipt before ?1.
fn delivered_before(kind: &str, alias: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = '{kind}' AND o.item_id = {alias}.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.item_kind = '{kind}' AND o.item_id = {alias}.id
                                                  AND o.state <> 'delivered')
         AND (SELECT max(o.receipt_at) FROM outbox o
              WHERE o.item_kind = '{kind}' AND o.item_id = {alias}.id) < ?1"
    )
}

impl Store {
    /// Purges what `policy` allows, chunk by chunk; first finishes the file removals of a
    /// purge that was interrupted.
    pub fn purge(&self, policy: &Policy) -> Result<Purged> {
        let mut out = Purged::default();
        self.remove_purged_files(&mut out)?;
        out.held = self.with_conn(|c| {
            let mut s = c.prepare(BATCH_DELIVERED)?;
            let n = s.query_map(params![policy.scans_before, i64::MAX, true], |_| Ok(()))?;
            Ok(n.count())
        })?;
        let chunk = policy.chunk.max(1);
        while self.with_tx(|tx| purge_scans(tx, policy.scans_before, chunk, &mut out))? > 0 {
            self.remove_purged_files(&mut out)?;
        }
        while self.with_tx(|tx| purge_documents(tx, policy.documents_before, chunk, &mut out))? > 0
        {
            self.remove_purged_files(&mut out)?;
        }
        while self
            .with_tx(|tx| purge_submissions(tx, policy.submissions_before, chunk, &mut out))?
            > 0
        {
            self.remove_purged_files(&mut out)?;
        }
        if out.batches + out.documents + out.submissions > 0 {
            out.reclaimed = self.reclaim(u32::MAX)?;
        }
        Ok(out)
    }

    /// Removes the files `purge_files` lists (their rows are gone), then the list.
    fn remove_purged_files(&self, out: &mut Purged) -> Result<()> {
        let listed: Vec<(String, i64)> = self.with_conn(|c| {
            let mut s = c.prepare("SELECT hash, size FROM purge_files")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        let mut done = Vec::with_capacity(listed.len());
        for (hash, size) in listed {
            match self.blobs().path(&hash) {
                Ok(path) => match std::fs::remove_file(&path) {
                    Ok(()) => {
                        out.blobs += 1;
                        out.bytes += u64::try_from(size).unwrap_or(0);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(crate::error::Error::io(&path)(e)),
                },
                // Gone already (the run before was killed after removing it).
                Err(crate::error::Error::BlobMissing { .. }) => {}
                Err(e) => return Err(e),
            }
            done.push(hash);
        }
        // The list shortened in one transaction, not one commit (and sync) per file; a run
        // killed before it finds those files gone and drops their rows then.
        self.with_tx(|tx| {
            let mut del = tx.prepare_cached("DELETE FROM purge_files WHERE hash = ?1")?;
            for hash in &done {
                del.execute([hash])?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// The blobs of `candidates` nothing names any more: their rows deleted
/// ([`unnamed_blobs`], the one check `forget` uses too), their files listed for removal
/// after the commit.
fn doom(tx: &rusqlite::Transaction<'_>, candidates: &BTreeSet<String>) -> Result<()> {
    let mut counted = Forgotten::default();
    for (hash, size) in unnamed_blobs(tx, candidates, &mut counted)? {
        tx.execute(
            "INSERT OR IGNORE INTO purge_files (hash, size) VALUES (?1, ?2)",
            params![hash, i64::try_from(size).unwrap_or(i64::MAX)],
        )?;
    }
    Ok(())
}

fn blobs_of_pages(c: &Connection, batch: &str) -> Result<(BTreeSet<String>, usize)> {
    let mut s =
        c.prepare("SELECT raw_blob, image_blob, thumb_blob FROM pages WHERE batch_id = ?1")?;
    let mut set = BTreeSet::new();
    let mut pages = 0;
    let rows = s.query_map([batch], |r| {
        Ok([
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
        ])
    })?;
    for row in rows {
        pages += 1;
        set.extend(
            row?.into_iter()
                .flatten()
                .filter(|h| crate::blobs::is_blob_name(h)),
        );
    }
    Ok((set, pages))
}

fn purge_scans(
    tx: &rusqlite::Transaction<'_>,
    before: i64,
    chunk: usize,
    out: &mut Purged,
) -> Result<usize> {
    let ids: Vec<String> = {
        let mut s = tx.prepare(BATCH_DELIVERED)?;
        let limit = i64::try_from(chunk).unwrap_or(i64::MAX);
        let rows = s.query_map(params![before, limit, false], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &ids {
        let (candidates, pages) = blobs_of_pages(tx, id)?;
        tx.execute(
            "UPDATE pages SET raw_blob = '', image_blob = NULL, thumb_blob = NULL, ocr_json = NULL
             WHERE batch_id = ?1",
            [id],
        )?;
        tx.execute(
            "UPDATE batches SET purged_at = ?2 WHERE id = ?1",
            params![id, crate::now_ms()],
        )?;
        audit::append(
            tx,
            "retention.scans_purged",
            id,
            &serde_json::json!({ "pages": pages, "files": candidates.len() }),
        )?;
        doom(tx, &candidates)?;
        out.batches += 1;
        out.pages += pages;
    }
    Ok(ids.len())
}

fn purge_documents(
    tx: &rusqlite::Transaction<'_>,
    before: i64,
    chunk: usize,
    out: &mut Purged,
) -> Result<usize> {
    let rows: Vec<(String, String, Option<String>)> = {
        let mut s = tx.prepare(&format!(
            "SELECT d.id, d.pdf_blob, d.transfer_blob
             FROM documents d INDEXED BY documents_unpurged JOIN batches b ON b.id = d.batch_id
             WHERE d.purged_at IS NULL AND NOT b.hold AND {} ORDER BY d.created_at LIMIT ?2",
            delivered_before("document", "d")
        ))?;
        let limit = i64::try_from(chunk).unwrap_or(i64::MAX);
        let rows = s.query_map(params![before, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, pdf, transfer) in &rows {
        let candidates: BTreeSet<String> = [Some(pdf.clone()), transfer.clone()]
            .into_iter()
            .flatten()
            .filter(|h| crate::blobs::is_blob_name(h))
            .collect();
        tx.execute(
            "UPDATE documents SET pdf_blob = '', transfer_blob = NULL, purged_at = ?2 WHERE id = ?1",
            params![id, crate::now_ms()],
        )?;
        let examples = tx.execute("DELETE FROM auto_examples WHERE document_id = ?1", [id])?;
        audit::append(
            tx,
            "retention.document_purged",
            id,
            &serde_json::json!({ "files": candidates.len(), "examples": examples }),
        )?;
        out.examples += examples;
        doom(tx, &candidates)?;
        out.documents += 1;
    }
    Ok(rows.len())
}

fn purge_submissions(
    tx: &rusqlite::Transaction<'_>,
    before: i64,
    chunk: usize,
    out: &mut Purged,
) -> Result<usize> {
    let rows: Vec<(String, Option<String>, String)> = {
        let mut s = tx.prepare(&format!(
            "SELECT s.id, s.pdf_blob, s.attachments_json
             FROM submissions s INDEXED BY submissions_unpurged
             WHERE s.purged_at IS NULL AND {} ORDER BY s.created_at LIMIT ?2",
            delivered_before("submission", "s")
        ))?;
        let limit = i64::try_from(chunk).unwrap_or(i64::MAX);
        let rows = s.query_map(params![before, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, pdf, attachments) in &rows {
        let mut candidates: BTreeSet<String> = pdf.iter().cloned().collect();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(attachments) {
            named_blobs(&v, &mut candidates);
        }
        tx.execute(
            "UPDATE submissions SET data_json = '{}', xml = NULL, pdf_blob = NULL,
                    attachments_json = '[]', purged_at = ?2 WHERE id = ?1",
            params![id, crate::now_ms()],
        )?;
        audit::append(
            tx,
            "retention.submission_purged",
            id,
            &serde_json::json!({ "files": candidates.len() }),
        )?;
        doom(tx, &candidates)?;
        out.submissions += 1;
    }
    Ok(rows.len())
}

/// Sets or lifts the legal hold on a batch (audit record `batch.hold` / `batch.hold_lifted`).
pub fn set_hold(conn: &Connection, batch: &eingang_model::BatchId, hold: bool) -> Result<()> {
    let was: Option<bool> = conn
        .query_row("SELECT hold FROM batches WHERE id = ?1", [batch], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(was) = was else {
        return Err(crate::error::Error::NotFound {
            what: "batch",
            id: batch.to_string(),
        });
    };
    if was != hold {
        conn.execute(
            "UPDATE batches SET hold = ?2 WHERE id = ?1",
            params![batch, hold],
        )?;
        let kind = if hold {
            "batch.hold"
        } else {
            "batch.hold_lifted"
        };
        audit::append(conn, kind, &batch.to_string(), &serde_json::json!({}))?;
    }
    Ok(())
}
