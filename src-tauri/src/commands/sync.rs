//! The sync view: what waits or failed (and why), receipts, "retry", "sync now", and the
//! password of a target that refused its credentials.

use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_model::{OutboxItem, TargetStatus};
use eingang_store::tables::{outbox, sync_status};
use eingang_store::Store;
use tauri::{AppHandle, Manager};

/// Delivered rows the sync view lists (the newest; the CLI lists more).
const DELIVERED_SHOWN: u32 = 50;

/// The targets with their state, for the status bar and the sync view.
pub fn target_statuses(
    store: &Store,
    sync: &SyncState,
) -> eingang_store::Result<Vec<TargetStatus>> {
    store.with_conn(|c| {
        sync.targets()
            .iter()
            .map(|t| {
                let st = sync_status::get(c, &t.id)?;
                let (waiting, failed, paused) = outbox::counts(c, &t.id)?;
                Ok(TargetStatus {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    kind: t.kind.clone(),
                    location: t.connector.location(),
                    online: st.online,
                    last_probe_at: st.last_probe_at,
                    last_success_at: st.last_success_at,
                    last_error: st.last_error,
                    paused: st.paused,
                    waiting: waiting + paused,
                    failed,
                })
            })
            .collect()
    })
}

#[tauri::command]
pub async fn sync_items(app: AppHandle) -> Result<Vec<OutboxItem>, AppError> {
    blocking(app.store()?, |s| {
        s.with_conn(|c| outbox::items(c, DELIVERED_SHOWN))
    })
    .await
}

/// "Retry" on one item: due at once (a paused target stays paused until its password is
/// fixed).
#[tauri::command]
pub async fn sync_retry(app: AppHandle, id: i64) -> Result<(), AppError> {
    let changed = blocking(app.store()?, move |s| s.with_tx(|tx| outbox::retry(tx, id))).await?;
    if !changed {
        return Err(AppError::new(
            "sync.not_retryable",
            format!("item {id} is not waiting for a retry"),
        ));
    }
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Result<(), AppError> {
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

/// Stores a target's password (in the store's credentials table), lifts its pause and
/// delivers at once.
#[tauri::command]
pub async fn target_password_set(
    app: AppHandle,
    id: String,
    password: String,
) -> Result<(), AppError> {
    if password.is_empty() || password.len() > 1024 {
        return Err(AppError::new(
            "input.bad_password",
            "enter the password (at most 1024 characters)",
        )
        .with_field("password"));
    }
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    if !sync.targets().iter().any(|t| t.id == id) {
        return Err(AppError::new(
            "input.unknown_target",
            format!("no target {id:?} is configured"),
        ));
    }
    let tid = id.clone();
    blocking(store.clone(), move |s| {
        eingang_sync::secrets::set_password(s, &tid, &password)
    })
    .await?;
    sync.reconnect(&store, &id)?;
    tracing::info!(target = %id, "target credentials changed");
    sync.wake.notify_one();
    Ok(())
}
