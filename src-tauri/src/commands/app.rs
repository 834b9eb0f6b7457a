use crate::central::CentralState;
use crate::error::AppError;
use crate::state::{blocking, run_blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_model::{AppInfo, StatusSnapshot};
use eingang_store::tables;
use tauri::{AppHandle, Manager};

pub const LANGUAGES: &[&str] = &["de", "en"];

#[tauri::command]
pub async fn app_info(app: AppHandle) -> Result<AppInfo, AppError> {
    let state = app.app_state();
    let language = match app.store() {
        Ok(store) => blocking(store, |s| {
            s.with_conn(|c| tables::preferences::get(c, tables::preferences::LANGUAGE))
        })
        .await?
        .filter(|l| LANGUAGES.contains(&l.as_str())),
        Err(_) => None,
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.clone(),
        store_error: state.store_error(),
        language: language.unwrap_or_else(|| "de".to_owned()),
        role: app.state::<crate::terminal::TerminalState>().role,
        unlock: state.unlock_needed().map(str::to_owned),
        accessibility_contact: app
            .state::<crate::terminal::TerminalState>()
            .accessibility_contact
            .clone(),
    })
}

/// Opens a store locked by a passphrase (`choose`: sets it for a new data folder, at least
/// 12 characters), then starts the app's background work.
#[tauri::command]
pub async fn store_unlock(app: AppHandle, passphrase: String) -> Result<AppInfo, AppError> {
    if app.app_state().unlock_needed().is_none() {
        return Err(AppError::new(
            "store.not_locked",
            "the store is not waiting for a passphrase",
        ));
    }
    if passphrase.len() > 1024 {
        return Err(AppError::new(
            "store.passphrase_weak",
            "at most 1024 characters",
        ));
    }
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

#[tauri::command]
pub async fn language_set(app: AppHandle, language: String) -> Result<(), AppError> {
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(AppError::new(
            "input.bad_language",
            format!(
                "unsupported language; choose one of {}",
                LANGUAGES.join(", ")
            ),
        ));
    }
    let store = app.store()?;
    blocking(store, move |s| {
        s.with_tx(|tx| tables::preferences::set(tx, tables::preferences::LANGUAGE, &language))
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
