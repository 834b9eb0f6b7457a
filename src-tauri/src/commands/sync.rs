//! The sync view: what waits or failed (and why), receipts, "retry", "sync now", the
//! targets in the settings, and the password of a target that refused its credentials.
//! Each command calls `eingang_api::targets`; the targets are reloaded after a change.

use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_api::targets;
use eingang_model::{OutboxItem, Paged, SyncIssue, TargetSetting};
use tauri::{AppHandle, Manager};

/// A page of the outbox: what waits first, then the delivered rows, newest receipt first
/// (`after`: the last page's `next`).
#[tauri::command]
pub async fn sync_items(
    app: AppHandle,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Paged<OutboxItem>, AppError> {
    blocking(app.store()?, move |s| {
        targets::outbox_items(s, after.as_deref(), limit)
    })
    .await
}

/// The DMS does not have what a receipt says (the clerk's `reason`): the receipt is void,
/// the item goes out again on the next run.
#[tauri::command]
pub async fn sync_redeliver(app: AppHandle, id: i64, reason: String) -> Result<(), AppError> {
    blocking(app.store()?, move |s| targets::void_receipt(s, id, &reason)).await?;
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

/// "Cancel" on one undelivered item: held back with the clerk's `reason` (retry resumes it).
#[tauri::command]
pub async fn sync_cancel(app: AppHandle, id: i64, reason: String) -> Result<(), AppError> {
    blocking(app.store()?, move |s| targets::cancel(s, id, &reason)).await
}

/// "Change target" on one undelivered item: it goes to `target` instead, at once.
#[tauri::command]
pub async fn sync_retarget(app: AppHandle, id: i64, target: String) -> Result<(), AppError> {
    let cfg = app.state::<SyncState>().config();
    blocking(app.store()?, move |s| {
        targets::retarget(s, &cfg, id, &target)
    })
    .await?;
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

/// "Retry" on one item: due at once (a paused target stays paused until its password is
/// fixed).
#[tauri::command]
pub async fn sync_retry(app: AppHandle, id: i64) -> Result<(), AppError> {
    blocking(app.store()?, move |s| targets::retry(s, id)).await?;
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Result<(), AppError> {
    app.state::<SyncState>().wake.notify_one();
    Ok(())
}

/// Stores a target's password (OS key store, else the store), lifts its pause and
/// delivers at once.
#[tauri::command]
pub async fn target_password_set(
    app: AppHandle,
    id: String,
    password: String,
) -> Result<(), AppError> {
    let (store, all) = (app.store()?, app.state::<SyncState>().targets());
    blocking(store.clone(), move |s| {
        targets::set_password(s, &all, &id, &password)
    })
    .await?;
    app.state::<SyncState>().reload(&store);
    Ok(())
}

/// The targets as the settings show them: the administrator's (read-only), the user's own
/// (editable), or the built-in local folder.
#[tauri::command]
pub async fn targets_settings(app: AppHandle) -> Result<Vec<TargetSetting>, AppError> {
    let cfg = app.state::<SyncState>().config();
    blocking(app.store()?, move |s| targets::settings(s, &cfg)).await
}

/// Adds or changes one of the user's targets (checked as a whole before the file is
/// written); a password, when given, goes to the key store.
#[tauri::command]
pub async fn target_save(
    app: AppHandle,
    target: TargetSetting,
    password: Option<String>,
    keep_local: Option<bool>,
) -> Result<(), AppError> {
    let (store, cfg) = (app.store()?, app.state::<SyncState>().config());
    let keep = keep_local.unwrap_or(false);
    blocking(store.clone(), move |s| {
        targets::save(s, &cfg, target, password.as_deref(), keep)
    })
    .await?;
    app.state::<SyncState>().reload(&store);
    Ok(())
}

/// "Verbindung testen" in the target form, before saving: the target as typed.
#[tauri::command]
pub async fn target_try(
    app: AppHandle,
    target: TargetSetting,
    password: Option<String>,
) -> Result<Option<SyncIssue>, AppError> {
    let (store, cfg) = (app.store()?, app.state::<SyncState>().config());
    Ok(targets::try_unsaved(&store, &cfg, target, password.as_deref()).await?)
}

/// Removes one of the user's targets; refused while items still wait for it.
#[tauri::command]
pub async fn target_delete(app: AppHandle, id: String) -> Result<(), AppError> {
    let (store, cfg) = (app.store()?, app.state::<SyncState>().config());
    blocking(store.clone(), move |s| targets::delete(s, &cfg, &id)).await?;
    app.state::<SyncState>().reload(&store);
    Ok(())
}

/// Checks a target now (the same authenticated request the worker makes); the answer is
/// also recorded in the status.
#[tauri::command]
pub async fn target_test(app: AppHandle, id: String) -> Result<Option<SyncIssue>, AppError> {
    let (store, all) = (app.store()?, app.state::<SyncState>().targets());
    Ok(targets::test(&store, &all, &id).await?)
}
