//! `tracing` to stderr and to a daily-rolling file in `<data>/logs/` (14 days kept).
//! Log lines carry ids, counts and error codes — never field values or file contents.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Installs the subscriber; keep the guard alive until exit so the file is flushed.
pub fn init(log_dir: Option<std::path::PathBuf>) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("EINGANG_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let (file_layer, guard) = match log_dir.and_then(|dir| {
        std::fs::create_dir_all(&dir).ok()?;
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("eingang")
            .filename_suffix("log")
            .max_log_files(14)
            .build(dir)
            .ok()
    }) {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init();
    guard
}
