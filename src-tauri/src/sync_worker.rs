//! Delivers the outbox in the background (`eingang_sync::worker::run_forever`): at start,
//! whenever a row is due, every 15 seconds, and at once when woken ("sync now", a
//! finalised draft, a retry, new credentials, changed targets).

use crate::error::AppError;
use crate::state::StoreExt;
use eingang_config as config;
use eingang_store::Store;
use eingang_sync::{worker, Target};
use std::sync::{Arc, RwLock};
use tauri::{AppHandle, Emitter, Manager};

/// What the configuration says, loaded together.
#[derive(Default)]
struct Loaded {
    targets: Vec<Target>,
    cfg: config::Config,
    /// Set when the configuration cannot be used: nothing is delivered, finalising is
    /// refused (the draft stays), and the status bar says why.
    error: Option<String>,
}

impl Loaded {
    fn read(store: &Store) -> Self {
        let loaded = eingang_sync::load_config(store.data_dir())
            .and_then(|cfg| eingang_sync::targets(store, &cfg).map(|t| (cfg, t)));
        match loaded {
            Ok((cfg, targets)) => {
                if let Err(e) = eingang_api::mailbox::configure_smime(&cfg.mailbox) {
                    tracing::error!(code = e.code(), "S/MIME trust cannot be read");
                }
                Self {
                    targets,
                    cfg,
                    error: None,
                }
            }
            Err(e) => {
                tracing::error!(file = %e.file, "configuration cannot be used");
                Self {
                    error: Some(e.to_string()),
                    ..Self::default()
                }
            }
        }
    }
}

/// The delivery targets and the worker's wake-up call.
pub struct SyncState {
    pub wake: Arc<tokio::sync::Notify>,
    loaded: RwLock<Loaded>,
    shutdown: Arc<worker::Shutdown>,
    /// Closed when the worker has ended (or never ran).
    finished: tokio::sync::watch::Receiver<bool>,
}

impl SyncState {
    pub fn targets(&self) -> Vec<Target> {
        self.loaded
            .read()
            .map(|l| l.targets.clone())
            .unwrap_or_default()
    }

    pub fn config(&self) -> config::Config {
        self.loaded
            .read()
            .map(|l| l.cfg.clone())
            .unwrap_or_default()
    }

    pub fn config_error(&self) -> Option<String> {
        self.loaded.read().ok().and_then(|l| l.error.clone())
    }

    /// The target ids a new item is queued for (the configured ones, not a folder that only
    /// drains older items); refused while the configuration is broken.
    pub fn target_ids(&self, store: &Store) -> Result<Vec<String>, AppError> {
        if let Some(e) = self.config_error() {
            return Err(AppError::new("config.invalid", e));
        }
        Ok(config::effective_targets(&self.config(), store.data_dir())
            .into_iter()
            .map(|t| t.id)
            .collect())
    }

    /// The names of the targets documents go to (what the release summary shows).
    pub fn target_names(&self, store: &Store) -> Vec<String> {
        config::effective_targets(&self.config(), store.data_dir())
            .into_iter()
            .map(|t| t.name.unwrap_or(t.id))
            .collect()
    }

    /// What a release of a batch needs from the configuration: the targets its documents
    /// are queued for, the workstation's name, the seal and the timestamp service — read
    /// afresh, so a seal IT has just set up counts at the next release.
    pub fn release_request(
        &self,
        store: &Store,
        title: String,
        index: Vec<(String, String)>,
    ) -> Result<eingang_api::release::ReleaseRequest, AppError> {
        self.reload(store);
        let config = self.config();
        Ok(eingang_api::release::ReleaseRequest {
            title,
            index,
            targets: self.target_ids(store)?,
            station: config.station.name,
            authenticated: config.directory.configured(),
            seal: config.seal,
            timestamp: config.timestamp,
            automatic: Vec::new(),
        })
    }

    /// Stops the worker after the deliveries in flight, waiting at most `limit`; whatever
    /// is still in flight then is resumed at the next start. `true` if it ended in time.
    pub async fn stop(&self, limit: std::time::Duration) -> bool {
        self.shutdown.request();
        let mut finished = self.finished.clone();
        let ended = tokio::time::timeout(limit, finished.wait_for(|done| *done))
            .await
            .is_ok();
        ended
    }

    /// Reads the configuration and the passwords again (after the settings changed) and
    /// wakes the worker.
    pub fn reload(&self, store: &Store) {
        let fresh = Loaded::read(store);
        if let Ok(mut l) = self.loaded.write() {
            *l = fresh;
        }
        self.wake.notify_one();
    }
}

/// A blob-key rotation `eingang key rotate` could not finish (stopped, crashed) goes on
/// in the background; every file stays readable meanwhile.
fn reseal_pending(store: Arc<Store>) {
    std::thread::spawn(move || {
        let go_on = std::sync::atomic::AtomicBool::new(false);
        match store.reseal_blobs(&go_on) {
            Ok(Some((resealed, _))) => tracing::info!(resealed, "blob key rotation finished"),
            Ok(None) => {}
            Err(e) => tracing::warn!(
                code = e.code(),
                "blob key rotation: next try at the next start"
            ),
        }
    });
}

/// The daily anchor of the audit log (besides the one after every release): looked at
/// hourly, made when the last checkpoint is a day old and the log grew since; the
/// retention purge runs in the same hourly round.
fn anchor_daily(app: &AppHandle, store: Arc<Store>, shutdown: Arc<eingang_sync::worker::Shutdown>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while !shutdown.is_requested() {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            checkpoint_round(&handle, store.clone()).await;
            purge_round(&handle, store.clone()).await;
            tokio::time::sleep(std::time::Duration::from_secs(3540)).await;
        }
    });
}

async fn checkpoint_round(handle: &AppHandle, store: Arc<Store>) {
    let day = std::time::Duration::from_secs(24 * 3600);
    let cfg = handle.state::<SyncState>().config();
    let targets = handle
        .state::<SyncState>()
        .target_ids(&store)
        .unwrap_or_default();
    let made = tauri::async_runtime::spawn_blocking(move || {
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        eingang_api::evidence::checkpoint_if_due(
            &store,
            &cfg.seal,
            &cfg.timestamp,
            &targets,
            cfg.station.name.as_deref(),
            day,
        )
    })
    .await;
    if let Ok(Err(e)) = made {
        tracing::warn!(
            code = e.code(),
            "the daily audit checkpoint failed; next try in an hour"
        );
    }
}

/// Retention: what was delivered long enough ago goes (cheap when nothing is due).
async fn purge_round(handle: &AppHandle, store: Arc<Store>) {
    let retention = handle.state::<SyncState>().config().retention;
    let purged = tauri::async_runtime::spawn_blocking(move || {
        eingang_api::retention::run(&store, &retention)
    })
    .await;
    match purged {
        Ok(Ok(p)) if p.batches + p.documents + p.submissions > 0 => {
            let _ = handle.emit("scan-batches-changed", ());
        }
        Ok(Err(e)) => tracing::warn!(
            code = e.code(),
            "the retention purge failed; next try in an hour"
        ),
        _ => {}
    }
}

/// Releases that wait for the timestamp service, tried again when due (looked at every
/// half minute); the scan workspace hears of every try.
fn retry_releases(
    app: &AppHandle,
    store: Arc<Store>,
    shutdown: Arc<eingang_sync::worker::Shutdown>,
) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while !shutdown.is_requested() {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            let waiting = store
                .with_conn(|c| {
                    eingang_store::tables::batches::pending_due(c, eingang_store::now_ms())
                })
                .map_or(0, |d| d.len());
            if waiting == 0 {
                continue;
            }
            let sync = handle.state::<SyncState>();
            sync.reload(&store);
            let (cfg, store) = (sync.config(), store.clone());
            let tried = tauri::async_runtime::spawn_blocking(move || {
                eingang_api::release::retry_due(&store, &cfg, false)
            })
            .await;
            if let Ok(Ok(tried)) = tried {
                let done = tried
                    .iter()
                    .filter(|(_, r)| matches!(r, Ok(eingang_api::release::Released::Done(_))))
                    .count();
                tracing::info!(
                    tried = tried.len(),
                    released = done,
                    "waiting releases tried"
                );
                if done > 0 {
                    handle.state::<SyncState>().wake.notify_one();
                }
                let _ = handle.emit("scan-batches-changed", ());
            }
        }
    });
}

pub fn start(app: &AppHandle) {
    let (done, finished) = tokio::sync::watch::channel(false);
    let Ok(store) = app.store() else {
        // The UI shows the store's problem; commands still find a (target-less) state.
        let _ = done.send(true);
        app.manage(SyncState {
            wake: Arc::new(tokio::sync::Notify::new()),
            loaded: RwLock::new(Loaded::default()),
            shutdown: Arc::default(),
            finished,
        });
        return;
    };
    let loaded = Loaded::read(&store);
    let settings = eingang_sync::settings(&loaded.cfg);
    let state = SyncState {
        wake: Arc::new(tokio::sync::Notify::new()),
        loaded: RwLock::new(loaded),
        shutdown: Arc::default(),
        finished,
    };
    let (wake, shutdown) = (state.wake.clone(), state.shutdown.clone());
    app.manage(state);
    anchor_daily(app, store.clone(), shutdown.clone());
    retry_releases(app, store.clone(), shutdown.clone());
    reseal_pending(store.clone());
    let handle = app.clone();
    let events = app.clone();
    tauri::async_runtime::spawn(async move {
        worker::run_forever(
            store,
            move || handle.state::<SyncState>().targets(),
            settings,
            wake,
            shutdown,
            |t, r| {
                if r.delivered + r.failed > 0 {
                    tracing::info!(target = %t.id, delivered = r.delivered, failed = r.failed, "sync round");
                    // The lists that show delivery states follow at once (no stale
                    // "wird übertragen").
                    let _ = events.emit("outbox-changed", ());
                }
                if r.delivered > 0 {
                    // A receipt may allow a batch's originals to be destroyed.
                    let _ = events.emit("scan-batches-changed", ());
                }
            },
        )
        .await;
        let _ = done.send(true);
    });
}
