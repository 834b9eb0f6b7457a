//! Retention (`[retention]`): what was delivered long enough ago is purged from this
//! station — page images and their OCR text, released PDFs (and what automatic indexing
//! learned from them: the model is trained afresh), delivered submissions' content — never without
//! every receipt, never a batch on legal hold, never a draft (old drafts are only listed).
//! The app runs it hourly; `eingang retention run` on demand.

use crate::error::Result;
use eingang_config::RetentionSection;
use eingang_model::{BatchId, BatchSummary, DraftSummary};
use eingang_store::retention::{Policy, Purged};
use eingang_store::Store;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Rows (batches, documents, submissions) per transaction: short locks, bounded memory.
const CHUNK: usize = 50;

/// The purge `cfg` allows at `now` (milliseconds since the epoch).
pub fn policy(cfg: &RetentionSection, now: i64) -> Policy {
    let before = |days: u32| now - i64::from(days) * DAY_MS;
    Policy {
        scans_before: before(cfg.scans_days()),
        documents_before: before(cfg.documents_days()),
        submissions_before: before(cfg.submissions_days()),
        chunk: CHUNK,
    }
}

/// Purges what the configuration allows now; nothing when retention is off.
pub fn run(store: &Store, cfg: &RetentionSection) -> Result<Purged> {
    if !cfg.enabled() {
        return Ok(Purged::default());
    }
    let purged = store.purge(&policy(cfg, eingang_store::now_ms()))?;
    // The model forgets the purged documents' words too: trained afresh from the rest; the
    // index station's memory of suggestions read from purged text goes as well.
    if purged.examples > 0 {
        crate::auto::retrain(store)?;
    }
    if purged.batches > 0 {
        crate::remembered::forget_documents();
    }
    if purged != Purged::default() {
        tracing::info!(
            batches = purged.batches,
            documents = purged.documents,
            examples = purged.examples,
            submissions = purged.submissions,
            files = purged.blobs,
            bytes = purged.bytes,
            "retention purge"
        );
    }
    Ok(purged)
}

/// Sets or lifts a batch's legal hold; the batch as the list shows it.
pub fn hold(store: &Store, batch: &BatchId, on: bool) -> Result<BatchSummary> {
    store.with_conn(|c| eingang_store::retention::set_hold(c, batch, on))?;
    crate::batches::get(store, batch)
}

/// Drafts untouched for longer than `[retention] drafts_listed_days` — listed, never deleted
/// automatically (a field worker's work).
/// At most [`eingang_model::PAGE_MAX`] of them, most recently changed first, read along the
/// drafts' index.
pub fn old_drafts(store: &Store, cfg: &RetentionSection) -> Result<Vec<DraftSummary>> {
    let before = eingang_store::now_ms() - i64::from(cfg.drafts_listed_days()) * DAY_MS;
    // (updated_at, id) < (before, ""): exactly the drafts last changed before `before`.
    let from = eingang_store::tables::cursor::Cursor {
        key: before,
        id: String::new(),
    };
    let (drafts, _) = store.with_conn(|c| {
        eingang_store::tables::drafts::list(c, Some(&from), eingang_model::PAGE_MAX)
    })?;
    Ok(drafts)
}
