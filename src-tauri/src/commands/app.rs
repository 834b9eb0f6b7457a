use crate::central::CentralState;
use crate::error::AppError;
use crate::state::{blocking, run_blocking, StoreExt};
use crate::sync_worker::SyncState;
use crate::terminal::TerminalState;
use eingang_api::preferences;
use eingang_model::{AppInfo, StatusSnapshot};
use tauri::{AppHandle, Manager};

#[tauri::command]
pub async fn app_info(app: AppHandle) -> Result<AppInfo, AppError> {
    let (state, terminal) = (app.app_state(), app.state::<TerminalState>());
    let language = language(&app).await?;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.clone(),
        store_error: state.store_error(),
        language,
        role: terminal.role,
        unlock: state.unlock_needed().map(str::to_owned),
        accessibility_contact: terminal.accessibility_contact.clone(),
    })
}

/// The workspaces' language (German while the store is locked or broken).
async fn language(app: &AppHandle) -> Result<String, AppError> {
    match app.store() {
        Ok(store) => blocking(store, preferences::language).await,
        Err(_) => Ok(preferences::LANGUAGES[0].to_owned()),
    }
}

/// Opens a store locked by a passphrase (`choose`: sets it for a new data folder, at least
/// 12 characters), then starts the app's background work.
#[tauri::command]
pub async fn store_unlock(app: AppHandle, passphrase: String) -> Result<AppInfo, AppError> {
    let handle = app.clone();
    run_blocking(move || handle.app_state().unlock(passphrase)).await?;
    tracing::info!("store unlocked with a passphrase");
    crate::start_workers(&app);
    app_info(app).await
}

#[tauri::command]
pub async fn status_get(app: AppHandle) -> Result<StatusSnapshot, AppError> {
    let (sync, central) = (app.state::<SyncState>(), app.state::<CentralState>());
    let extras = eingang_api::targets::StatusExtras {
        config_error: sync.config_error(),
        config_warnings: central.warnings(),
        update: central.update(),
    };
    let targets = sync.targets();
    blocking(app.store()?, move |s| {
        eingang_api::targets::status(s, &targets, extras)
    })
    .await
}

/// What the data folder holds by kind — asked when the status bar's storage details open
/// (it sums every file's row, so never on the status bar's poll).
#[tauri::command]
pub async fn disk_usage(app: AppHandle) -> Result<eingang_model::StoreUsage, AppError> {
    blocking(app.store()?, eingang_api::disk::usage).await
}

#[tauri::command]
pub async fn language_set(app: AppHandle, language: String) -> Result<(), AppError> {
    blocking(app.store()?, move |s| {
        preferences::set_language(s, &language)
    })
    .await
}

/// The UI shows its first screen (it says so once): logged with the time since the process
/// started — what the start-up benchmark measures, and a figure support can read in the log.
#[tauri::command]
pub fn ui_ready() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let ms = crate::STARTED.get().map_or(0, |t| t.elapsed().as_millis());
        tracing::info!(ms, "first screen ready");
    });
}
