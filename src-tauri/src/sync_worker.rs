//! Delivers the outbox in the background (`eingang_sync::worker::run_forever`): at start,
//! whenever a row is due, every 15 seconds, and at once when woken ("sync now", a
//! finalised draft, a retry, new credentials).

use crate::error::AppError;
use crate::state::StoreExt;
use eingang_store::Store;
use eingang_sync::{config, Target};
use std::sync::{Arc, RwLock};
use tauri::{AppHandle, Manager};

/// The delivery targets and the worker's wake-up call.
pub struct SyncState {
    pub wake: Arc<tokio::sync::Notify>,
    targets: RwLock<Vec<Target>>,
    cfg: config::Config,
    /// Set when the configuration cannot be used: nothing is delivered, finalising is
    /// refused (the draft stays), and the status bar says why.
    pub config_error: Option<String>,
}

impl SyncState {
    fn load(store: &Store) -> Self {
        let loaded = eingang_sync::load_config(store.data_dir())
            .and_then(|cfg| eingang_sync::targets(store, &cfg).map(|t| (cfg, t)));
        let (cfg, targets, config_error) = match loaded {
            Ok((cfg, t)) => (cfg, t, None),
            Err(e) => {
                tracing::error!(file = %e.file, "configuration cannot be used");
                (config::Config::default(), Vec::new(), Some(e.to_string()))
            }
        };
        Self {
            wake: Arc::new(tokio::sync::Notify::new()),
            targets: RwLock::new(targets),
            cfg,
            config_error,
        }
    }

    pub fn targets(&self) -> Vec<Target> {
        self.targets.read().map(|t| t.clone()).unwrap_or_default()
    }

    /// The target ids a new item is queued for; refused while the configuration is broken.
    pub fn target_ids(&self) -> Result<Vec<String>, AppError> {
        if let Some(e) = &self.config_error {
            return Err(AppError::new("config.invalid", e.clone()));
        }
        Ok(self.targets().into_iter().map(|t| t.id).collect())
    }

    /// Rebuilds one target's connector (after its password changed).
    pub fn reconnect(&self, store: &Store, id: &str) -> Result<(), AppError> {
        let cfgs = config::effective_targets(&self.cfg, store.data_dir());
        let Some(tc) = cfgs.iter().find(|t| t.id == id) else {
            return Err(AppError::new(
                "input.unknown_target",
                format!("no target {id:?} is configured"),
            ));
        };
        let pw = eingang_sync::secrets::password(store, id)?;
        let target = config::connect(tc, &self.cfg.sync, pw)
            .map_err(|e| AppError::new("config.invalid", e.to_string()))?;
        if let Ok(mut all) = self.targets.write() {
            if let Some(slot) = all.iter_mut().find(|t| t.id == id) {
                *slot = target;
            }
        }
        Ok(())
    }
}

pub fn start(app: &AppHandle) {
    let Ok(store) = app.store() else {
        // The UI shows the store's problem; commands still find a (target-less) state.
        app.manage(SyncState {
            wake: Arc::new(tokio::sync::Notify::new()),
            targets: RwLock::new(Vec::new()),
            cfg: config::Config::default(),
            config_error: None,
        });
        return;
    };
    let state = SyncState::load(&store);
    let settings = config::settings(&state.cfg);
    let wake = state.wake.clone();
    app.manage(state);
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        eingang_sync::worker::run_forever(
            store,
            move || handle.state::<SyncState>().targets(),
            settings,
            wake,
            |t, r| {
                if r.delivered + r.failed > 0 {
                    tracing::info!(target = %t.id, delivered = r.delivered, failed = r.failed, "sync round");
                }
            },
        )
        .await;
    });
}
