//! `tracing` to stderr and to a daily-rolling file in `<data>/logs/` (14 days kept); on
//! Windows warnings and errors also go to the Event Log (Application, source "Eingang"),
//! where Windows administrators look first. Log lines carry ids, counts and error codes —
//! never field values or file contents.
//!
//! The file is written synchronously (the volume is small): a crash or a killed process
//! leaves every line already logged on disk, which a buffered writer would lose.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Installs the subscriber. `EINGANG_LOG` sets the level (default `info`);
/// `EINGANG_LOG_STDERR` can quieten the terminal alone (the tests do) while the file keeps
/// the full record.
pub fn init(log_dir: Option<std::path::PathBuf>) {
    let filter =
        || EnvFilter::try_from_env("EINGANG_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr_filter = EnvFilter::try_from_env("EINGANG_LOG_STDERR").unwrap_or_else(|_| filter());
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(stderr_filter);
    let file_layer = log_dir
        .and_then(|dir| {
            std::fs::create_dir_all(&dir).ok()?;
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("eingang")
                .filename_suffix("log")
                .max_log_files(14)
                .build(dir)
                .ok()
        })
        .map(|appender| {
            fmt::layer()
                .with_ansi(false)
                .with_writer(appender)
                .with_filter(filter())
        });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .with(event_log())
        .try_init();
}

/// The installer registers the source (`HKLM\SYSTEM\CurrentControlSet\Services\EventLog\
/// Application\Eingang`, with .NET's `EventLogMessages.dll`, whose every message is the
/// text itself); without the registration Windows still records the events. `None` when the
/// Event Log cannot be opened: the file log goes on alone.
#[cfg(windows)]
fn event_log<S>() -> Option<impl Layer<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_layer_win_eventlog::EventLogLayer::new("Eingang")
        .ok()
        .map(|l| l.with_filter(tracing_subscriber::filter::LevelFilter::WARN))
}

#[cfg(not(windows))]
fn event_log() -> Option<tracing_subscriber::layer::Identity> {
    None
}

#[cfg(all(test, windows))]
mod tests {
    #[test]
    fn the_event_log_source_opens_and_takes_a_warning() {
        use tracing_subscriber::layer::SubscriberExt;
        let layer = super::event_log::<tracing_subscriber::Registry>()
            .expect("RegisterEventSourceW opens the Application log");
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(code = "sync.unreachable", "delivery paused");
        });
    }
}
