//! App state, reached from any command through [`StoreExt`] on the app handle.

use crate::error::AppError;
use eingang_model::BoundaryError;
use eingang_store::paths::DataDir;
use eingang_store::Store;
use std::sync::Arc;
use tauri::{Manager, Runtime};

#[derive(Debug)]
pub struct AppState {
    pub data_dir: String,
    dir: Option<std::path::PathBuf>,
    /// Replaced once, when a store locked by a passphrase is unlocked.
    store: std::sync::RwLock<Result<Arc<Store>, AppError>>,
}

impl AppState {
    /// Opens the store; a failure is kept and shown by the UI, never papered over.
    pub fn open(data_dir: eingang_store::Result<DataDir>) -> Self {
        match data_dir {
            Ok(dir) => {
                let shown = dir.path.display().to_string();
                let store = Store::open(&dir.path).map(Arc::new).map_err(|e| {
                    if e.code() == "store.passphrase_needed" {
                        tracing::info!("the store waits for its passphrase");
                    } else {
                        tracing::error!(code = e.code(), "store could not be opened");
                    }
                    AppError::from(e)
                });
                if let Ok(s) = &store {
                    session_started(s);
                }
                Self {
                    data_dir: shown,
                    dir: Some(dir.path),
                    store: std::sync::RwLock::new(store),
                }
            }
            Err(e) => Self {
                data_dir: String::new(),
                dir: None,
                store: std::sync::RwLock::new(Err(e.into())),
            },
        }
    }

    fn current(&self) -> Result<Arc<Store>, AppError> {
        self.store
            .read()
            .map_or_else(|p| p.into_inner().clone(), |s| s.clone())
    }

    pub fn store_error(&self) -> Option<BoundaryError> {
        self.current().err().map(|e| e.0)
    }

    /// The store waits for a passphrase: `enter` (its key is wrapped under one) or
    /// `choose` (a new data folder on a machine without a key store).
    pub fn unlock_needed(&self) -> Option<&'static str> {
        let err = self.store_error()?;
        if err.code != "store.passphrase_needed" {
            return None;
        }
        let dir = self.dir.as_ref()?;
        match eingang_store::keys::mode(dir) {
            Ok(Some(_)) => Some("enter"),
            Ok(None) => Some("choose"),
            Err(_) => None,
        }
    }

    /// Opens the store with the passphrase the user typed; the app's workers start after.
    pub fn unlock(&self, passphrase: String) -> Result<Arc<Store>, AppError> {
        if self.unlock_needed().is_none() {
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
        let dir = self
            .dir
            .clone()
            .ok_or_else(|| AppError::new("store.no_data_dir", "no data folder"))?;
        let opts = eingang_store::OpenOptions {
            unlock: eingang_store::keys::Unlock::Passphrase(zeroize::Zeroizing::new(passphrase)),
            ..eingang_store::OpenOptions::default()
        };
        let store = Arc::new(Store::open_with(&dir, &opts).map_err(AppError::from)?);
        session_started(&store);
        if let Ok(mut slot) = self.store.write() {
            *slot = Ok(store.clone());
        }
        Ok(store)
    }
}

/// Who used the system when (TR-RESISCAN A.IS.1).
fn session_started(s: &Store) {
    let started = s.with_tx(|c| {
        eingang_store::tables::audit::append(
            c,
            "session.start",
            "app",
            &serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }),
        )
    });
    if let Err(e) = started {
        tracing::warn!(code = e.code(), "session start not recorded");
    }
}

/// `app.store()` in commands.
pub trait StoreExt<R: Runtime> {
    fn app_state(&self) -> &AppState;
    fn store(&self) -> Result<Arc<Store>, AppError> {
        self.app_state().current()
    }
}

impl<R: Runtime, M: Manager<R>> StoreExt<R> for M {
    fn app_state(&self) -> &AppState {
        self.state::<AppState>().inner()
    }
}

/// Runs blocking work (a use case, a table call, a scanner) on a blocking thread, never on
/// the async runtime's workers: the one way the shell leaves the async world.
pub async fn run_blocking<T, E, F>(f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    E: Into<AppError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?
        .map_err(Into::into)
}

/// [`run_blocking`] with the store.
pub async fn blocking<T, E, F>(store: Arc<Store>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    E: Into<AppError> + Send + 'static,
    F: FnOnce(&Store) -> Result<T, E> + Send + 'static,
{
    run_blocking(move || f(&store)).await
}
