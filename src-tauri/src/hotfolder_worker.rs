//! Watches the hot folder from `[scan] hotfolder` while the app runs
//! (`eingang_api::loops::hot_folder_forever`, as `eingang hotfolder`): complete files go
//! into the day's batch (raw kept, processed by the configured profile) and are archived;
//! refused files move to `failed/` with the reason. The UI hears `scan-batches-changed`.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use crate::Loops;
use eingang_api::loops::{self, HotFolderSettings};
use tauri::{AppHandle, Emitter, Manager};

/// Starts the watcher thread (it idles while no hot folder is configured).
pub fn start(app: &AppHandle) {
    let Ok(store) = app.store() else { return };
    let shutdown = app.state::<Loops>().shutdown.clone();
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("hotfolder".into())
        .spawn(move || {
            let settings =
                || HotFolderSettings::configured(&app.state::<SyncState>().config().scan);
            let on_look = |_: &loops::HotFolderWatch, taken: eingang_api::Result<_>| match taken {
                Ok(taken) if !Vec::is_empty(&taken) => {
                    let refused = loops::refused(&taken);
                    tracing::info!(files = taken.len(), refused, "hot folder files taken");
                    let _ = app.emit("scan-batches-changed", ());
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(code = e.code(), "hot folder poll failed"),
            };
            loops::hot_folder_forever(&store, None, &settings, &shutdown, &|_| {}, &on_look);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the hot folder watcher could not start");
    }
}
