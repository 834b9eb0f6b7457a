//! Reads the city's mailbox from `[mailbox]` while the app runs
//! (`eingang_api::mailbox::fetch_forever`, as `eingang mail fetch --watch`): new messages
//! become e-mail documents of the day's mail batch, exactly once, and are moved on the
//! server. The UI hears `scan-batches-changed` when something arrived; the batch list shows
//! the mailbox's state from the store.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use crate::Loops;
use tauri::{AppHandle, Emitter, Manager};

/// Starts the mailbox thread (it idles while no mailbox is configured).
pub fn start(app: &AppHandle) {
    let Ok(store) = app.store() else { return };
    let shutdown = app.state::<Loops>().shutdown.clone();
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("mailbox".into())
        .spawn(move || {
            let section = || {
                let m = app.state::<SyncState>().config().mailbox.clone();
                m.configured().then_some(m)
            };
            let on_pass =
                |_: &eingang_mailbox::Account, p: &eingang_api::Result<eingang_mailbox::Pass>| {
                    match p {
                        Ok(p) if p.taken + p.refused.len() + p.resumed > 0 => {
                            tracing::info!(
                                taken = p.taken,
                                refused = p.refused.len(),
                                duplicates = p.duplicates,
                                "mailbox messages taken"
                            );
                            let _ = app.emit("scan-batches-changed", ());
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(code = e.code(), "mailbox pass failed"),
                    }
                    // The batch list shows the mailbox's state.
                    let _ = app.emit("mailbox-changed", ());
                };
            if let Err(e) =
                eingang_api::mailbox::fetch_forever(&store, &section, &shutdown, &|_| {}, &on_pass)
            {
                tracing::error!(code = e.code(), "the mailbox reader stopped");
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the mailbox reader could not start");
    }
}
