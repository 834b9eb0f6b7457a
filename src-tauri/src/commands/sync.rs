//! The sync view: what waits or failed (and why), receipts, "retry", "sync now", and the
//! password of a target that refused its credentials.

use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_model::{OutboxItem, SyncIssue, TargetSetting, TargetStatus};
use eingang_store::tables::{outbox, sync_status};
use eingang_store::Store;
use eingang_sync::config;
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

/// Stores a target's password (OS key store, else the store), lifts its pause and
/// delivers at once.
#[tauri::command]
pub async fn target_password_set(
    app: AppHandle,
    id: String,
    password: String,
) -> Result<(), AppError> {
    check_password(&password)?;
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
    sync.reload(&store);
    tracing::info!(target = %id, "target credentials changed");
    Ok(())
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.is_empty() || password.len() > 1024 {
        return Err(AppError::new(
            "input.bad_password",
            "enter the password (at most 1024 characters)",
        )
        .with_field("password"));
    }
    Ok(())
}

/// The targets as the settings show them: the administrator's (read-only), the user's own
/// (editable), or the built-in local folder.
#[tauri::command]
pub async fn targets_settings(app: AppHandle) -> Result<Vec<TargetSetting>, AppError> {
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    let cfg = sync.config();
    let user_file = config::user_file(store.data_dir());
    blocking(store, move |s| {
        config::effective_targets(&cfg, s.data_dir())
            .into_iter()
            .map(|t| {
                Ok(TargetSetting {
                    editable: cfg.origin.get(&t.id) == Some(&user_file),
                    has_password: eingang_sync::secrets::password(s, &t.id)?.is_some(),
                    id: t.id,
                    name: t.name,
                    kind: t.kind.as_str().to_owned(),
                    url: t.url,
                    path: t.path.map(|p| p.display().to_string()),
                    user: t.user,
                    folder: t.folder,
                })
            })
            .collect()
    })
    .await
}

/// Adds or changes one of the user's targets (checked as a whole before the file is
/// written); a password, when given, goes to the key store.
#[tauri::command]
pub async fn target_save(
    app: AppHandle,
    target: TargetSetting,
    password: Option<String>,
) -> Result<(), AppError> {
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    let cfg = sync.config();
    let user_file = config::user_file(store.data_dir());
    if cfg.origin.get(&target.id).is_some_and(|f| f != &user_file) {
        return Err(AppError::new(
            "input.target_managed",
            "this target is set by the administrator's configuration and cannot be changed here",
        )
        .with_field("id"));
    }
    let kind: config::TargetKind =
        serde_json::from_value(serde_json::Value::String(target.kind.clone())).map_err(|_| {
            AppError::new("input.bad_kind", "choose a kind of target").with_field("kind")
        })?;
    let needs_url = kind != config::TargetKind::Folder;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if target.id.trim().is_empty() {
        return Err(AppError::new("input.required", "enter an id").with_field("id"));
    }
    if needs_url && blank(&target.url) {
        return Err(AppError::new("input.required", "enter the URL").with_field("url"));
    }
    if !needs_url && blank(&target.path) {
        return Err(AppError::new("input.required", "enter the folder").with_field("path"));
    }
    if let Some(pw) = password.as_deref().filter(|p| !p.is_empty()) {
        check_password(pw)?;
    }
    // Keep what only the file can say (templates, CMIS/Mayan details) when editing.
    let mut t = cfg
        .targets
        .iter()
        .find(|t| t.id == target.id)
        .cloned()
        .unwrap_or_else(|| {
            let mut d =
                config::effective_targets(&config::Config::default(), store.data_dir()).remove(0);
            d.path = None;
            d
        });
    let trimmed = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    t.id = target.id.trim().to_owned();
    t.name = trimmed(target.name);
    t.kind = kind;
    t.url = if needs_url { trimmed(target.url) } else { None };
    t.path = if needs_url {
        None
    } else {
        trimmed(target.path).map(Into::into)
    };
    t.user = if needs_url {
        trimmed(target.user)
    } else {
        None
    };
    t.folder = target.folder.trim().to_owned();
    let s = store.clone();
    tauri::async_runtime::spawn_blocking(move || -> Result<(), AppError> {
        config::save_user_target(s.data_dir(), &t)
            .map_err(|e| AppError::new("config.invalid", e.to_string()))?;
        if let Some(pw) = password.filter(|p| !p.is_empty()) {
            eingang_sync::secrets::set_password(&s, &t.id, &pw)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))??;
    sync.reload(&store);
    tracing::info!(target = %target.id, "target saved in the user's configuration");
    Ok(())
}

/// Removes one of the user's targets; refused while items still wait for it.
#[tauri::command]
pub async fn target_delete(app: AppHandle, id: String) -> Result<(), AppError> {
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    let user_file = config::user_file(store.data_dir());
    if sync.config().origin.get(&id) != Some(&user_file) {
        return Err(AppError::new(
            "input.target_managed",
            "only targets set in these settings can be removed here",
        ));
    }
    let tid = id.clone();
    let (waiting, failed, paused) = blocking(store.clone(), move |s| {
        s.with_conn(|c| outbox::counts(c, &tid))
    })
    .await?;
    if waiting + failed + paused > 0 {
        return Err(AppError::new(
            "input.target_in_use",
            format!(
                "{} items still wait for this target",
                waiting + failed + paused
            ),
        ));
    }
    let s = store.clone();
    let tid = id.clone();
    tauri::async_runtime::spawn_blocking(move || -> Result<(), AppError> {
        config::remove_user_target(s.data_dir(), &tid)
            .map_err(|e| AppError::new("config.invalid", e.to_string()))?;
        eingang_sync::secrets::forget_password(&s, &tid)?;
        Ok(())
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))??;
    sync.reload(&store);
    Ok(())
}

/// Checks a target now (the same authenticated request the worker makes); the answer is
/// also recorded in the status.
#[tauri::command]
pub async fn target_test(app: AppHandle, id: String) -> Result<Option<SyncIssue>, AppError> {
    let store = app.store()?;
    let sync = app.state::<SyncState>();
    let Some(target) = sync.targets().into_iter().find(|t| t.id == id) else {
        return Err(AppError::new(
            "input.unknown_target",
            format!("no target {id:?} is configured"),
        ));
    };
    let failure = eingang_sync::worker::probe(&store, &target).await?;
    Ok(failure.map(|f| SyncIssue {
        code: f.code.to_owned(),
        detail: f.detail,
    }))
}
