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
    store: Result<Arc<Store>, AppError>,
}

impl AppState {
    /// Opens the store; a failure is kept and shown by the UI, never papered over.
    pub fn open(data_dir: eingang_store::Result<DataDir>) -> Self {
        match data_dir {
            Ok(dir) => {
                let shown = dir.path.display().to_string();
                let store = Store::open(&dir.path).map(Arc::new).map_err(|e| {
                    tracing::error!(code = e.code(), "store could not be opened");
                    AppError::from(e)
                });
                if let Ok(s) = &store {
                    // Who used the system when (TR-RESISCAN A.IS.1).
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
                Self {
                    data_dir: shown,
                    store,
                }
            }
            Err(e) => Self {
                data_dir: String::new(),
                store: Err(e.into()),
            },
        }
    }

    pub fn store_error(&self) -> Option<BoundaryError> {
        self.store.as_ref().err().map(|e| e.0.clone())
    }
}

/// `app.store()` in commands.
pub trait StoreExt<R: Runtime> {
    fn app_state(&self) -> &AppState;
    fn store(&self) -> Result<Arc<Store>, AppError> {
        self.app_state().store.clone()
    }
}

impl<R: Runtime, M: Manager<R>> StoreExt<R> for M {
    fn app_state(&self) -> &AppState {
        self.state::<AppState>().inner()
    }
}

/// Runs store work on a blocking thread (never on the async runtime's workers).
pub async fn blocking<T, F>(store: Arc<Store>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> eingang_store::Result<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?
        .map_err(AppError::from)
}
