//! One delivery (issue 26): a batch released at a desk of the team becomes documents whose
//! PDF/A waits on the team store, each as `deliver` work. A station with the deliver role
//! claims them (at most [`MAX_DELIVERING`] at a time), puts each into its own outbox for
//! its targets, and finishes the claim once the outbox has the receipt — the claim is in
//! the database, so two stations running the role never deliver one document both. If a
//! station goes away mid-delivery its claim runs out and another takes the document; the
//! targets count "already there with the same SHA-256" as delivered, so the DMS still holds
//! it once.

use crate::error::{Error, Result};
use crate::team::work::{done, take};
use eingang_config::Config;
use eingang_model::OutboxState;
use eingang_store::tables::{outbox, team as local};
use eingang_store::Store;

/// The documents one station delivers at a time.
pub const MAX_DELIVERING: usize = 16;

/// What a delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverReport {
    /// Documents claimed this round (now in the outbox).
    pub taken: usize,
    /// Documents delivered whose work was finished on the team store.
    pub finished: usize,
    /// Documents this station holds that wait in its outbox.
    pub delivering: usize,
}

/// Whether a document's every outbox row has its receipt.
fn delivered(store: &Store, document: &str) -> Result<bool> {
    let rows = store.with_conn(|c| outbox::of_item(c, "document", document))?;
    Ok(!rows.is_empty() && rows.iter().all(|r| r.state == OutboxState::Delivered))
}

/// Whether a document this station delivers for the team has gone out and waits to be
/// finished (a look into this store only: the team loop asks it every round).
pub fn finished_waiting(store: &Store) -> Result<bool> {
    for h in store.with_conn(local::claims)? {
        if h.step == "deliver" && delivered(store, &h.item)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One round of the deliver role: the claims whose documents went out are finished, and
/// with `take_new` more documents are claimed (up to [`MAX_DELIVERING`] held) and queued
/// for `targets`. Delivering itself is the sync loop's, as for every outbox row.
pub fn deliver_due(
    store: &Store,
    cfg: &Config,
    targets: &[String],
    take_new: bool,
) -> Result<DeliverReport> {
    let mut report = DeliverReport::default();
    let mut holding = 0;
    for h in store.with_conn(local::claims)? {
        if h.step != "deliver" {
            continue;
        }
        if !delivered(store, &h.item)? {
            holding += 1;
            continue;
        }
        match done(store, cfg, h.claim_id) {
            Ok(_) => report.finished += 1,
            // Ran out meanwhile and another station took it: that one finishes it (its
            // target finds the document there with the same hash).
            Err(Error::Refused { code, .. }) if code == "team.not_held" => {
                store.with_tx(|c| crate::team::work::lose(c, &h))?;
            }
            Err(e) => return Err(e),
        }
    }
    if take_new {
        while holding < MAX_DELIVERING {
            if take(store, cfg, "deliver", targets)?.is_none() {
                break;
            }
            holding += 1;
            report.taken += 1;
        }
    }
    report.delivering = holding;
    Ok(report)
}
