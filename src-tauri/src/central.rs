//! What runs beside the app's work: master data and scan profiles from the administrator's
//! files (at start, when they changed), the blob store's sweep after crashes, and signed
//! updates (checked in the background; installed only when the user says so).

use crate::error::AppError;
use crate::state::StoreExt;
use crate::sync_worker::SyncState;
use eingang_api::provision::{self, Outcome};
use eingang_model::{BoundaryError, UpdateInfo};
use eingang_update::{self as update, Updater};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// What the central files and the update source said.
#[derive(Debug, Default)]
pub struct CentralState {
    warnings: Mutex<Vec<String>>,
    update: Mutex<UpdateInfo>,
    package: Mutex<Option<PathBuf>>,
}

impl CentralState {
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    pub fn update(&self) -> UpdateInfo {
        self.update.lock().map(|u| u.clone()).unwrap_or_default()
    }

    fn set_update(&self, f: impl FnOnce(&mut UpdateInfo)) {
        if let Ok(mut u) = self.update.lock() {
            f(&mut u);
        }
    }
}

const PROVISION_WAIT: Duration = Duration::from_secs(2);

pub fn start(app: &AppHandle) {
    app.manage(CentralState::default());
    let Ok(store) = app.store() else { return };
    let cfg = app.state::<SyncState>().config();
    let central = app.state::<CentralState>();
    if let Ok(mut w) = central.warnings.lock() {
        w.clone_from(&cfg.warnings);
    }
    if !cfg.warnings.is_empty() {
        // The notices name files under the user's home; the status bar shows them, the
        // log only counts them (no personal data in logs).
        tracing::warn!(
            notices = cfg.warnings.len(),
            "configuration notices (shown in the status bar, `eingang config check`)"
        );
    }
    // Central files: small, read at start on a blocking thread. The first screen waits
    // for them up to PROVISION_WAIT (so the station shows today's master data), never
    // longer (a share that hangs must not hold the app).
    let handle = app.clone();
    let (masterdata, profiles) = (cfg.masterdata.source.clone(), cfg.scan.profiles.clone());
    if masterdata.is_some() || profiles.is_some() {
        let store = store.clone();
        let (done, finished) = std::sync::mpsc::channel::<()>();
        tauri::async_runtime::spawn_blocking(move || {
            let mut notes = Vec::new();
            for (what, file, outcome) in [
                (
                    "master data",
                    &masterdata,
                    masterdata
                        .as_deref()
                        .map(|f| provision::masterdata(&store, f)),
                ),
                (
                    "scan profiles",
                    &profiles,
                    profiles.as_deref().map(|f| provision::profiles(&store, f)),
                ),
            ] {
                let (Some(file), Some(outcome)) = (file, outcome) else {
                    continue;
                };
                match outcome {
                    Outcome::Imported(n) => {
                        tracing::info!(file = %file.display(), what, imported = %n, "central file");
                    }
                    Outcome::Unchanged => {}
                    Outcome::Refused(errors) => {
                        tracing::warn!(file = %file.display(), what, errors = errors.len(), "central file refused");
                        notes.extend(errors);
                    }
                }
            }
            if let Ok(mut w) = handle.state::<CentralState>().warnings.lock() {
                w.extend(notes);
            }
            let _ = done.send(());
        });
        if finished.recv_timeout(PROVISION_WAIT).is_err() {
            tracing::warn!("central files still loading; the app starts without waiting");
        }
    }
    // Files a crash left between writing and recording them, and unfinished writes; an
    // hour's grace for a command-line process working on the same folder.
    let sweeper = store.clone();
    tauri::async_runtime::spawn_blocking(move || {
        match sweeper.sweep_blobs(Duration::from_secs(3600), false) {
            Ok(s) => {
                if s.orphans_removed + s.parts_removed > 0 || !s.missing.is_empty() {
                    tracing::warn!(
                        orphans = s.orphans_removed,
                        unfinished = s.parts_removed,
                        missing = s.missing.len(),
                        "blob store swept"
                    );
                }
            }
            Err(e) => tracing::warn!(code = e.code(), "blob store not swept"),
        }
        // Files from before encryption at rest: sealed in place, one by one.
        match sweeper.seal_plain_blobs() {
            Ok(0) => {}
            Ok(n) => tracing::info!(sealed = n, "blob files from before encryption sealed"),
            Err(e) => tracing::warn!(code = e.code(), "blob files not sealed"),
        }
    });
    match Updater::new(&cfg.update) {
        Ok(Some(updater)) => {
            central.set_update(|u| u.configured = true);
            let hours = cfg.update.check_hours.unwrap_or(24).max(1);
            let handle = app.clone();
            let dir = store.data_dir().join("updates");
            tauri::async_runtime::spawn(async move {
                // Not during start-up: the first screen and the outbox come first.
                tokio::time::sleep(Duration::from_secs(20)).await;
                loop {
                    check_once(&handle, &updater, &dir).await;
                    tokio::time::sleep(Duration::from_secs(hours * 3600)).await;
                }
            });
        }
        Ok(None) => {}
        // `config::load` checked the section; this cannot happen with a loaded config.
        Err(e) => tracing::warn!(error = %e, "update settings unusable"),
    }
}

async fn check_once(app: &AppHandle, updater: &Updater, dir: &std::path::Path) {
    let central = app.state::<CentralState>();
    let result = match updater.check(env!("CARGO_PKG_VERSION")).await {
        Ok(Some(found)) => updater
            .download(&found, dir)
            .await
            .map(|path| Some((found, path))),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    let now = eingang_store::now_ms();
    match result {
        Ok(Some((found, path))) => {
            tracing::info!(version = %found.version, "update ready");
            if let Ok(mut p) = central.package.lock() {
                *p = Some(path);
            }
            central.set_update(|u| {
                u.ready = Some(found.version);
                u.notes = found.notes;
                u.error = None;
                u.checked_at = Some(now);
            });
        }
        Ok(None) => central.set_update(|u| {
            u.error = None;
            u.checked_at = Some(now);
        }),
        Err(e) if e.code == "update.unreachable" => {
            // Offline or the share not mounted: ordinary; look again next time.
            tracing::info!(code = e.code, "update source not reachable");
            central.set_update(|u| u.checked_at = Some(now));
        }
        Err(e) => {
            tracing::warn!(code = e.code, error = %e, "update refused");
            central.set_update(|u| {
                u.error = Some(BoundaryError {
                    code: e.code.to_owned(),
                    message: e.message.clone(),
                    field: None,
                });
                u.checked_at = Some(now);
            });
        }
    }
}

/// Installs the verified update (the platform's installer asks for an administrator when
/// needed), then starts the new version.
#[tauri::command]
pub async fn update_install(app: AppHandle) -> Result<(), AppError> {
    let central = app.state::<CentralState>();
    let Some(package) = central.package.lock().ok().and_then(|p| p.clone()) else {
        return Err(AppError::new(
            "update.none",
            "no verified update is waiting",
        ));
    };
    crate::state::run_blocking(move || update::install(&package)).await?;
    tracing::info!("update installed; restarting");
    app.restart();
}
