//! The Eingang desktop shell. It only wires things together: state, logging, plugins
//! and the command list. Each command (in [`commands`]) is a few lines over a core crate.

mod args;
mod central;
#[cfg(test)]
mod command_names;
mod commands;
mod error;
mod file_chooser;
mod hotfolder_worker;
mod logging;
mod mailbox_worker;
mod ocr_worker;
mod single_instance;
mod state;
mod sync_worker;
mod team_worker;
pub(crate) mod terminal;
mod window_state;

pub use error::AppError;
pub use state::{AppState, StoreExt};
use tauri::Manager as _;

/// When the process started (for the start-up time in the log).
pub(crate) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

#[allow(clippy::too_many_lines)] // the command list
/// Starts the app. Store failures do not stop it: the UI shows what is wrong and what to do.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    // WebKitGTK's accelerated compositing costs ~90 MB in the web process and a slower first
    // screen (scripts/bench-start.sh: 309 → 224 MiB PSS, 850 → 530 ms) and buys nothing for
    // forms and page thumbnails. Set before any thread starts; an explicit setting wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let args = args::Args::parse(std::env::args_os().skip(1));
    let data_dir = eingang_store::paths::resolve_data_dir(args.data_dir);
    logging::init(data_dir.as_ref().ok().map(|d| d.path.join("logs")));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Eingang starting");
    let instance = data_dir.as_ref().ok().and_then(|d| only_instance(&d.path));
    let terminal = terminal::TerminalState::load(data_dir.as_ref().ok().map(|d| d.path.as_path()));
    let state = AppState::open(data_dir);

    let built = tauri::Builder::default()
        .manage(state)
        .manage(commands::scan::ScanState::default())
        .manage(terminal)
        .setup(move |app| {
            terminal::open_window(app.handle())?;
            if let Some(held) = instance {
                let handle = app.handle().clone();
                held.serve(move || window_state::bring_to_front(&handle));
            }
            // A store waiting for its passphrase starts them once unlocked.
            if app.app_state().unlock_needed().is_none() {
                start_workers(app.handle());
            }
            window_state::restore(app.handle());
            if let Some(main) = app.get_webview_window("main") {
                file_chooser::install(&main);
            }
            Ok(())
        })
        .on_window_event(on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::status_get,
            commands::app::disk_usage,
            commands::app::language_set,
            commands::app::ui_ready,
            commands::app::store_unlock,
            commands::forms::forms_list,
            commands::forms::form_get,
            commands::forms::forms_import,
            commands::drafts::draft_create,
            commands::drafts::draft_list,
            commands::drafts::draft_get,
            commands::drafts::draft_save,
            commands::drafts::draft_delete,
            commands::drafts::draft_upgrade_preview,
            commands::drafts::draft_upgrade,
            commands::attachments::attachment_add,
            commands::submissions::draft_finalise,
            commands::submissions::submissions_list,
            commands::sync::sync_items,
            commands::sync::sync_retry,
            commands::sync::sync_redeliver,
            commands::sync::sync_cancel,
            commands::sync::sync_retarget,
            commands::sync::sync_now,
            commands::sync::target_password_set,
            commands::sync::targets_settings,
            commands::sync::target_save,
            commands::sync::target_delete,
            commands::sync::target_test,
            commands::sync::target_try,
            commands::scan::scan_profiles,
            commands::scan::scan_batches,
            commands::scan::scan_mailboxes,
            commands::team::team_view,
            commands::team::team_hand_over,
            commands::team::team_take,
            commands::team::team_done,
            commands::team::team_let_go,
            commands::scan::scan_batch_create,
            commands::scan::scan_batch_delete,
            commands::scan::scan_batch_get,
            commands::scan::scan_thumbnail,
            commands::scan::scan_page_view,
            commands::scan::scan_page_words,
            commands::scan::scan_page_edit,
            commands::scan::scan_page_move,
            commands::scan::scan_import,
            commands::scan::scan_devices,
            commands::scan::scan_start,
            commands::scan::scan_cancel,
            commands::scan::scan_documents_make,
            commands::scan::scan_document_verify,
            commands::scan::scan_release_preview,
            commands::scan::scan_batch_hold,
            commands::scan::scan_release_retry,
            commands::scan::scan_release_withdraw,
            commands::scan::scan_separate,
            commands::scan::scan_separation_undo,
            commands::station::station_info,
            commands::station::station_operator_set,
            commands::station::masterdata_import,
            commands::station::scan_check_get,
            commands::station::scan_index_set,
            commands::station::scan_verdict,
            commands::station::scan_ocr_retry,
            commands::station::scan_suggestions,
            commands::station::scan_suggestions_apply,
            central::update_install,
            commands::terminal::terminal_info,
            commands::terminal::terminal_start,
            commands::terminal::terminal_scan,
            commands::terminal::terminal_submit,
            commands::terminal::terminal_end,
            commands::terminal::terminal_ready,
            commands::terminal::terminal_exit,
        ])
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "the window system could not start the app");
            eprintln!("Eingang could not start: {e}");
            std::process::exit(1);
        }
    };
    let stopping = std::sync::atomic::AtomicBool::new(false);
    app.run(move |handle, event| {
        if let tauri::RunEvent::ExitRequested { api, .. } = event {
            // A second request is ours, after the wait.
            if !stopping.swap(true, std::sync::atomic::Ordering::SeqCst) {
                api.prevent_exit();
                finish_deliveries_then_exit(handle.clone());
            }
        }
    });
}

fn on_window_event(window: &tauri::Window, event: &tauri::WindowEvent) {
    match event {
        tauri::WindowEvent::CloseRequested { api, .. } => {
            tracing::info!(window = window.label(), "window close requested");
            // A terminal closes only after the staff PIN.
            if window.label() == terminal::WINDOW
                && !window
                    .state::<terminal::TerminalState>()
                    .leaving
                    .load(std::sync::atomic::Ordering::SeqCst)
            {
                api.prevent_close();
                return;
            }
            window_state::save(window);
        }
        tauri::WindowEvent::Destroyed => {
            tracing::info!(window = window.label(), "window closed");
        }
        _ => {}
    }
}

/// The last window closed: deliveries in flight finish (the window is gone, the process
/// lingers at most [`SHUTDOWN_WAIT`]), then the app ends.
fn finish_deliveries_then_exit(handle: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        if let Some(loops) = handle.try_state::<Loops>() {
            loops.shutdown.request();
        }
        // No worker runs while the store waited for its passphrase.
        let in_time = match handle.try_state::<sync_worker::SyncState>() {
            Some(sync) => sync.stop(SHUTDOWN_WAIT).await,
            None => true,
        };
        tracing::info!(deliveries_finished = in_time, "Eingang ending");
        handle.exit(0);
    });
}

/// The blocking background loops' (OCR, hot folder) shared stop.
#[derive(Debug, Default)]
pub(crate) struct Loops {
    pub shutdown: std::sync::Arc<eingang_api::loops::Shutdown>,
}

/// The background work over the store: delivery, central files and updates, the hot
/// folder, the mailbox, the team store, OCR.
pub(crate) fn start_workers(app: &tauri::AppHandle) {
    app.manage(Loops::default());
    sync_worker::start(app);
    central::start(app);
    hotfolder_worker::start(app);
    mailbox_worker::start(app);
    team_worker::start(app);
    ocr_worker::start(app);
    terminal::start(app);
}

/// How long the app waits at the end for deliveries in flight.
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Claims the data folder for this process; when another Eingang has it, brings that one's
/// window to the front and ends this process.
fn only_instance(dir: &std::path::Path) -> Option<single_instance::Held> {
    match single_instance::claim(dir) {
        Ok(single_instance::Claim::Held(held)) => Some(held),
        Ok(single_instance::Claim::Running(running)) => {
            let shown = running.signal();
            tracing::info!(
                shown = shown.is_ok(),
                "second start: the running window comes to the front"
            );
            eprintln!(
                "Eingang läuft bereits; sein Fenster ist jetzt im Vordergrund.\nEingang is already running; its window was brought to the front."
            );
            std::process::exit(i32::from(shown.is_err()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::ResourceBusy => {
            tracing::warn!("another instance holds the data folder and does not answer");
            eprintln!("Eingang: {e}");
            std::process::exit(1);
        }
        // The data folder itself is unusable: the store says so on the first screen.
        Err(e) => {
            tracing::warn!(error = %e, "single-instance check not possible");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::command_names::ALL;

    /// Least privilege: the main window's capability grants exactly our commands, no more.
    #[test]
    fn the_capability_grants_exactly_the_app_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main-window.json")).unwrap();
        let granted: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| p.starts_with("allow-"))
            .map(str::to_owned)
            .collect();
        // The terminal's session commands belong to the terminal window alone.
        let expected: Vec<String> = ALL
            .iter()
            .filter(|c| !c.starts_with("terminal_"))
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(granted, expected);
        let others: Vec<&str> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("allow-"))
            .collect();
        assert_eq!(
            others,
            [
                "core:event:allow-listen",
                "core:event:allow-unlisten",
                "core:window:allow-destroy",
                "core:webview:allow-set-webview-zoom"
            ],
            "no plugin or core permission beyond events, closing after saves and page zoom"
        );
    }

    /// The terminal's window reaches only a citizen's session: no other draft, no outbox,
    /// no scan office, no settings, no updates.
    #[test]
    fn the_terminal_capability_grants_only_the_session_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/terminal-window.json")).unwrap();
        assert_eq!(cap["windows"], serde_json::json!([crate::terminal::WINDOW]));
        let granted: Vec<&str> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        let mut expected = vec!["core:event:allow-listen", "core:event:allow-unlisten"];
        let commands: Vec<String> = super::command_names::TERMINAL
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.extend(commands.iter().map(String::as_str));
        assert_eq!(granted, expected);
        for c in super::command_names::TERMINAL {
            assert!(ALL.contains(c), "{c} is a command");
        }
        for staff in [
            "draft_list",
            "draft_delete",
            "sync_items",
            "scan_start",
            "target_save",
            "update_install",
            "language_set",
            "forms_import",
        ] {
            assert!(!super::command_names::TERMINAL.contains(&staff), "{staff}");
        }
    }

    #[test]
    fn the_csp_allows_no_remote_content_and_no_eval() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        let all = csp.to_string();
        assert!(!all.contains("unsafe-eval") && !all.contains("unsafe-inline"));
        assert!(!all.contains("https:") && !all.contains('*'), "{all}");
        assert_eq!(csp["default-src"], "'self'");
    }
}
