//! Delivery of the outbox (the sync issue builds on this).
//!
//! - [`plan`]: a pure function from outbox rows to operations (what is due, what waits).
//! - [`hotfolder::HotFolder`]: the first connector — a folder an importer watches (nscale
//!   Pipeliner and similar) or simply a local folder, the zero-configuration default
//!   (`<data>/ausgang`). Files are written under a temporary name, fsynced and renamed; the
//!   index file is written last as the completion marker; a delivery repeated after an
//!   unknown outcome finds its index file and counts as done.
//! - [`sync_once`]: plan, then apply for every due item, recording receipts and errors.

pub mod hotfolder;
pub mod plan;

use eingang_store::tables::outbox;
use eingang_store::{now_ms, Store};

/// What one round of delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub failed: usize,
    pub waiting: usize,
}

/// Delivers every due outbox item for `target` through `folder`.
pub fn sync_once(
    store: &Store,
    target: &str,
    folder: &hotfolder::HotFolder,
) -> eingang_store::Result<Report> {
    let now = now_ms();
    let rows = store.with_conn(|c| outbox::for_target(c, target))?;
    let mut report = Report::default();
    for op in plan::plan(&rows, now) {
        match op {
            plan::Op::Wait { .. } => report.waiting += 1,
            plan::Op::Deliver {
                outbox_id,
                item_id,
                attempts,
            } => {
                let package = store.with_conn(|c| {
                    eingang_store::tables::submissions::package(c, store.blobs(), &item_id)
                });
                let result = package
                    .map_err(|e| format!("[{}] {e}", e.code()))
                    .and_then(|p| folder.deliver(&p).map_err(|e| e.to_string()));
                match result {
                    Ok(receipt) => {
                        store.with_tx(|tx| {
                            outbox::mark_delivered(
                                tx,
                                outbox_id,
                                &receipt.location,
                                &receipt.sha256,
                                now_ms(),
                            )?;
                            outbox::record_attempt(tx, target, now, None)
                        })?;
                        tracing::info!(item = %item_id, "delivered");
                        report.delivered += 1;
                    }
                    Err(error) => {
                        let next = now + plan::backoff_ms(attempts + 1, now);
                        store.with_tx(|tx| {
                            outbox::mark_failed(tx, outbox_id, &error, next)?;
                            outbox::record_attempt(tx, target, now, Some(&error))
                        })?;
                        tracing::warn!(item = %item_id, attempts = attempts + 1, "delivery failed; will retry");
                        report.failed += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}
