//! Watches the hot folder from `[scan] hotfolder` while the app runs: complete files go into
//! the day's batch (raw kept, processed by the configured profile) and are archived;
//! refused files move to `failed/` with the reason. The UI hears `scan-batches-changed`.

use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use eingang_capture::batch::{self, ScanProfile};
use eingang_capture::hotfolder::{HotFolder, Taken};
use eingang_capture::Limits;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

/// Starts the watcher thread (it idles while no hot folder is configured).
pub fn start(app: &AppHandle) {
    let Ok(store) = app.store() else { return };
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("hotfolder".into())
        .spawn(move || {
            let mut current: Option<(PathBuf, String, u64, HotFolder, ScanProfile)> = None;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let cfg = app.state::<SyncState>().config();
                let Some(inbox) = cfg.scan.hotfolder.clone() else {
                    current = None;
                    continue;
                };
                let profile_id = cfg
                    .scan
                    .hotfolder_profile
                    .clone()
                    .unwrap_or_else(|| "standard".into());
                let settle = cfg.scan.hotfolder_settle_secs.unwrap_or(2);
                let same = current
                    .as_ref()
                    .is_some_and(|c| c.0 == inbox && c.1 == profile_id && c.2 == settle);
                if !same {
                    let profile = batch::profiles(&store)
                        .ok()
                        .and_then(|all| all.into_iter().find(|p| p.id == profile_id));
                    let Some(profile) = profile else {
                        tracing::warn!("the hot folder's scan profile does not exist");
                        current = None;
                        continue;
                    };
                    match HotFolder::new(
                        &inbox,
                        &inbox.join("archive"),
                        Duration::from_secs(settle),
                        Limits::default(),
                    ) {
                        Ok(h) => current = Some((inbox, profile_id, settle, h, profile)),
                        Err(e) => {
                            tracing::warn!(code = e.code(), "the hot folder cannot be watched");
                            current = None;
                            continue;
                        }
                    }
                }
                let Some((inbox, _, _, folder, profile)) = current.as_mut() else {
                    continue;
                };
                match batch::hotfolder_poll(&store, folder, inbox, profile, &|_| {}) {
                    Ok(taken) if !taken.is_empty() => {
                        let refused = taken
                            .iter()
                            .filter(|t| matches!(t, Taken::Failed { .. }))
                            .count();
                        tracing::info!(files = taken.len(), refused, "hot folder files taken");
                        let _ = app.emit("scan-batches-changed", ());
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(code = e.code(), "hot folder poll failed"),
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the hot folder watcher could not start");
    }
}
