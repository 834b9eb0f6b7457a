//! Delivers the outbox in the background: at start, every 15 seconds, and right after a
//! draft is finalised (`sync_now`). Store work runs on a blocking thread.

use crate::state::StoreExt;
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// Wakes the worker at once (after finalising).
#[derive(Debug, Default)]
pub struct SyncNow(pub tokio::sync::Notify);

pub fn start(app: AppHandle) {
    app.manage(SyncNow::default());
    tauri::async_runtime::spawn(async move {
        loop {
            if let Ok(store) = app.store() {
                let folder =
                    eingang_sync::hotfolder::HotFolder::new(store.data_dir().join("ausgang"));
                let result = tauri::async_runtime::spawn_blocking(move || {
                    eingang_sync::sync_once(
                        &store,
                        eingang_store::tables::submissions::DEFAULT_TARGET,
                        &folder,
                    )
                })
                .await;
                match result {
                    Ok(Ok(r)) if r.delivered + r.failed > 0 => {
                        tracing::info!(delivered = r.delivered, failed = r.failed, "sync round");
                    }
                    Ok(Err(e)) => tracing::warn!(code = e.code(), "sync round failed"),
                    _ => {}
                }
            }
            let now = app.state::<SyncNow>();
            tokio::select! {
                () = now.0.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(15)) => {}
            }
        }
    });
}
