//! The team loop while the app runs (`eingang_api::team::team_forever`, as `eingang team
//! upload --watch`): a capture station's hand-overs go up whenever the server can be
//! reached; a deliver station takes the team's released documents into its outbox (and
//! wakes the sync worker); every station hears the changes other desks make (LISTEN/NOTIFY) and tells the
//! UI (`team-changed`, and `scan-batches-changed` for the batch list) — the Scanstelle
//! follows the day without reloading.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use crate::Loops;
use tauri::{AppHandle, Emitter, Manager};

/// Starts the team thread (it idles while the station is not part of a team).
pub fn start(app: &AppHandle) {
    let Ok(store) = app.store() else { return };
    let shutdown = app.state::<Loops>().shutdown.clone();
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("team".into())
        .spawn(move || {
            let config = || Some(app.state::<SyncState>().config());
            let on_change = |_: &str| {
                let _ = app.emit("team-changed", ());
            };
            let on_upload = |r: eingang_api::Result<eingang_api::team::UploadReport>| match r {
                Ok(r) if r.sent > 0 => {
                    tracing::info!(
                        batches = r.sent,
                        handed = r.handed,
                        "sent to the team store"
                    );
                    let _ = app.emit("team-changed", ());
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(code = e.code(), "team upload failed"),
            };
            // Documents taken to deliver wait in the outbox: the sync worker looks now.
            let on_deliver = |r: eingang_api::Result<eingang_api::team::DeliverReport>| match r {
                Ok(r) => {
                    tracing::info!(
                        taken = r.taken,
                        finished = r.finished,
                        "delivering for the team"
                    );
                    app.state::<SyncState>().wake.notify_one();
                    let _ = app.emit("team-changed", ());
                }
                Err(e) => tracing::warn!(code = e.code(), "team delivery round failed"),
            };
            let targets = || {
                app.state::<SyncState>()
                    .target_ids(&store)
                    .unwrap_or_default()
            };
            let events = eingang_api::team::TeamEvents {
                on_change: &on_change,
                on_upload: &on_upload,
                on_deliver: &on_deliver,
            };
            eingang_api::team::team_forever(&store, &config, &targets, &shutdown, &events);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the team loop could not start");
    }
}
