//! Terminal mode: a citizens' self-service machine (`[station] role = "terminal"`).
//!
//! The window is full screen without decorations and cannot be closed except with the
//! staff PIN; it is labelled `terminal`, so the `terminal-window` capability (only the
//! commands a citizen's session needs) applies instead of the main window's. Its webview
//! keeps its storage and cache in a private memory folder, cleared at the end of every
//! session. A session remembers every draft and file it made, so that ending it —
//! submitted, cancelled or timed out — can forget them all ([`TerminalState::end`]).

use crate::error::AppError;
use eingang_config::{self as config, central::TerminalSection};
use eingang_model::Role;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// The terminal window's label (its capability names it).
pub const WINDOW: &str = "terminal";

/// After this many wrong staff PINs in a row, the next try waits [`PIN_LOCKOUT`].
const PIN_TRIES: u32 = 5;
const PIN_LOCKOUT: Duration = Duration::from_secs(60);

/// The machine's role and terminal settings, read once at start.
pub struct TerminalState {
    pub role: Role,
    pub settings: TerminalSection,
    /// `[station] accessibility_contact` (for the accessibility statement).
    pub accessibility_contact: Option<String>,
    session: Mutex<Session>,
    pin: Mutex<PinTries>,
    /// Set once the staff PIN was accepted: the window may close.
    pub leaving: AtomicBool,
    /// Cancels a scan in progress when the session ends.
    pub scan_cancel: Mutex<Arc<AtomicBool>>,
    /// The webview's storage and cache (memory-backed where the OS has it); removed at exit.
    webview_dir: Option<tempfile::TempDir>,
    /// When the last session ended (for the time to a clean welcome screen).
    ended_at: Mutex<Option<Instant>>,
}

#[derive(Default)]
struct Session {
    drafts: Vec<String>,
    blobs: Vec<String>,
}

#[derive(Default)]
struct PinTries {
    wrong: u32,
    locked_until: Option<Instant>,
}

/// What ending a session removed, and how long it took.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SessionEnded {
    pub drafts: u32,
    pub files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub ms: u64,
}

impl TerminalState {
    /// Reads the machine's role. A configuration that cannot be read fails closed: the
    /// machine file alone decides the role, so a broken user file never turns a terminal
    /// into a full workstation.
    pub fn load(data_dir: Option<&Path>) -> Self {
        let machine_only = || config::load_files(Some(&config::central::machine_file()), None);
        let cfg = data_dir
            .map_or_else(machine_only, config::load)
            .or_else(|_| machine_only())
            .unwrap_or_default();
        let role = cfg.station.role.unwrap_or_default();
        let webview_dir = (role == Role::Terminal)
            .then(|| {
                let fallback = data_dir.map_or_else(std::env::temp_dir, |d| d.join("tmp"));
                eingang_capture::private_tempdir(&fallback, 64 * 1024 * 1024).ok()
            })
            .flatten();
        Self {
            role,
            accessibility_contact: cfg.station.accessibility_contact,
            settings: cfg.terminal,
            session: Mutex::default(),
            pin: Mutex::default(),
            leaving: AtomicBool::new(false),
            scan_cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
            webview_dir,
            ended_at: Mutex::default(),
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.role == Role::Terminal
    }

    /// A draft (or file) made in this session, to be forgotten at its end.
    /// The form is offered at this terminal (every imported one when none are configured).
    pub fn check_offered(&self, form_id: &str) -> Result<(), AppError> {
        let enabled = &self.settings.forms;
        if !enabled.is_empty() && !enabled.iter().any(|f| f == form_id) {
            return Err(AppError::new(
                "terminal.form_not_offered",
                "this form is not offered at this terminal",
            ));
        }
        Ok(())
    }

    /// The configured scanner.
    pub fn scanner(&self) -> Result<String, AppError> {
        self.settings.scanner.clone().ok_or_else(|| {
            AppError::new(
                "terminal.no_scanner",
                "no scanner is configured at this terminal",
            )
        })
    }

    pub fn remember_draft(&self, id: String) {
        self.lock().drafts.push(id);
    }

    pub fn remember_blob(&self, hash: String) {
        self.lock().blobs.push(hash);
    }

    /// Whether `draft` belongs to the current session (a terminal touches no other).
    pub fn owns(&self, draft: &str) -> bool {
        self.lock().drafts.iter().any(|d| d == draft)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh cancel flag for the next scan.
    pub fn scan_flag(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        *self
            .scan_cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = flag.clone();
        flag
    }

    /// Takes the session's drafts and files (the next session starts empty) and stops a
    /// scan in progress.
    pub fn take_session(&self) -> (Vec<String>, Vec<String>) {
        self.scan_cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .store(true, Ordering::SeqCst);
        let s = std::mem::take(&mut *self.lock());
        *self.ended_at.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        (s.drafts, s.blobs)
    }

    /// Milliseconds since the last session ended (once per end).
    pub fn since_end(&self) -> Option<u64> {
        self.ended_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// Checks the staff PIN: `Ok(true)` accepted, `Ok(false)` wrong, `Err(secs)` locked
    /// for that many seconds after too many wrong ones.
    pub fn check_pin(&self, pin: &str) -> Result<bool, u64> {
        let mut tries = self.pin.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = tries.locked_until {
            let now = Instant::now();
            if now < until {
                return Err((until - now).as_secs() + 1);
            }
            tries.locked_until = None;
        }
        let ok = self
            .settings
            .staff_pin
            .as_deref()
            .is_some_and(|hash| config::central::verify_pin(hash, pin));
        if ok {
            tries.wrong = 0;
        } else {
            tries.wrong += 1;
            if tries.wrong >= PIN_TRIES {
                tries.wrong = 0;
                tries.locked_until = Some(Instant::now() + PIN_LOCKOUT);
            }
        }
        Ok(ok)
    }
}

/// On a terminal, a draft command may touch only the current session's draft.
pub fn guard_draft(app: &AppHandle, draft: &str) -> Result<(), crate::AppError> {
    let state = app.state::<TerminalState>();
    if state.is_terminal() && !state.owns(draft) {
        return Err(crate::AppError::new(
            "terminal.not_in_session",
            "this draft does not belong to the current session",
        ));
    }
    Ok(())
}

/// On a terminal, a file stored for the session (a drawn signature) is forgotten with it.
pub fn remember_blob(app: &AppHandle, hash: &str) {
    let state = app.state::<TerminalState>();
    if state.is_terminal() {
        state.remember_blob(hash.to_owned());
    }
}

/// Opens the app's window: the terminal's (full screen, undecorated, on top, its own
/// webview storage) or the main window as `tauri.conf.json` describes it.
pub fn open_window(app: &AppHandle) -> tauri::Result<()> {
    let state = app.state::<TerminalState>();
    if !state.is_terminal() {
        let conf = app
            .config()
            .app
            .windows
            .iter()
            .find(|w| w.label == "main")
            .cloned()
            .unwrap_or_default();
        WebviewWindowBuilder::from_config(app, &conf)?.build()?;
        return Ok(());
    }
    let mut builder = WebviewWindowBuilder::new(app, WINDOW, WebviewUrl::default())
        .title("Eingang")
        .fullscreen(true)
        .decorations(false)
        .always_on_top(true)
        .closable(false)
        .minimizable(false)
        .skip_taskbar(true)
        .zoom_hotkeys_enabled(false)
        .initialization_script(crate::file_chooser::REFUSE_FILE_INPUTS);
    if let Some(dir) = &state.webview_dir {
        builder = builder.data_directory(dir.path().to_path_buf());
    }
    let window = builder.build()?;
    // No file dialog at a citizen's terminal (it would open the machine's folders): pages
    // come from the scanner only.
    crate::file_chooser::refuse(&window);
    // Full screen needs a window manager to honour it; a bare kiosk X session may have
    // none, so the window also takes the whole primary screen itself.
    if let Ok(Some(screen)) = window.primary_monitor() {
        let _ = window.set_position(*screen.position());
        let _ = window.set_size(*screen.size());
    }
    tracing::info!("terminal mode: full screen, closed only with the staff PIN");
    Ok(())
}

/// On a terminal: delivered submissions are deleted with their files, at start and every
/// 30 seconds — a citizen's data stays on the machine only while it waits in the outbox.
pub fn start(app: &AppHandle) {
    if !app.state::<TerminalState>().is_terminal() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // A session cut short by a crash or a power cut: whatever it left goes now.
        if let Ok(store) = crate::state::StoreExt::store(&app) {
            match crate::state::blocking(store, forget_leftovers).await {
                Ok(f) if f.drafts + f.blobs > 0 => tracing::info!(
                    drafts = f.drafts,
                    files = f.blobs,
                    "terminal: an earlier session's leftovers removed"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(code = %e.0.code, "terminal: leftovers not removed"),
            }
        }
        loop {
            if let Ok(store) = crate::state::StoreExt::store(&app) {
                let purged = crate::state::blocking(
                    store,
                    eingang_store::Store::purge_delivered_submissions,
                )
                .await;
                match purged {
                    Ok(p) if p.submissions > 0 => tracing::info!(
                        submissions = p.submissions,
                        files = p.blobs,
                        "terminal: delivered submissions removed"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(code = %e.0.code, "terminal: purge failed"),
                }
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
}

/// At start no session runs, so every draft and every stored file that nothing else names
/// is a leftover of one that was cut short.
fn forget_leftovers(
    store: &eingang_store::Store,
) -> eingang_store::Result<eingang_store::Forgotten> {
    let (drafts, blobs) = store.with_conn(|c| {
        // A terminal's store holds one session at most: all of it, in one read.
        let drafts = eingang_store::tables::drafts::list(c, None, u32::MAX)?
            .0
            .into_iter()
            .map(|d| d.id.to_string())
            .collect::<Vec<_>>();
        let mut stmt = c.prepare("SELECT hash FROM blobs")?;
        let blobs = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((drafts, blobs))
    })?;
    store.forget(&drafts, &blobs)
}

/// Clears what a session may have left outside the store: the webview's storage and
/// cache, and the clipboard (both X11 selections on Linux).
pub fn clear_traces(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(WINDOW) {
        if let Err(e) = w.clear_all_browsing_data() {
            tracing::warn!(error = %e, "webview data not cleared");
        }
    }
    clear_clipboard();
}

fn clear_clipboard() {
    let Ok(mut clipboard) = arboard::Clipboard::new() else {
        // No display (tests without X): no clipboard either.
        return;
    };
    if let Err(e) = clipboard.clear() {
        tracing::warn!(error = %e, "clipboard not cleared");
    }
    #[cfg(target_os = "linux")]
    {
        use arboard::{ClearExtLinux, LinuxClipboardKind};
        if let Err(e) = clipboard
            .clear_with()
            .clipboard(LinuxClipboardKind::Primary)
        {
            tracing::warn!(error = %e, "primary selection not cleared");
        }
    }
}

/// Stores a page scanned for the session's draft as an attachment of `field` and remembers
/// its file. The citizen walked away mid-scan and the session ended meanwhile: the page
/// goes at once (the draft is already gone, so nothing names it).
pub async fn attach_scan(
    app: &AppHandle,
    store: &Arc<eingang_store::Store>,
    id: eingang_model::DraftId,
    draft: &str,
    field: String,
    pdf: Vec<u8>,
) -> Result<eingang_model::AttachmentRef, AppError> {
    use eingang_store::tables::attachments;
    let attachment = crate::state::blocking(store.clone(), move |s| {
        s.with_tx(|tx| attachments::add(tx, s.blobs(), id, &field, "Scan.pdf", &pdf))
    })
    .await?;
    let state = app.state::<TerminalState>();
    if !state.owns(draft) {
        let blob = attachment.blob.clone();
        crate::state::blocking(store.clone(), move |s| s.forget(&[], &[blob])).await?;
        return Err(AppError::new(
            "terminal.scan_cancelled",
            "the session ended during the scan",
        ));
    }
    state.remember_blob(attachment.blob.clone());
    Ok(attachment)
}

/// Ends the session (`reason`: submitted, cancelled, timeout) and forgets it; logged with
/// counts and the time it took, never with what the citizen entered.
pub async fn end_session(app: &AppHandle, reason: &str) -> Result<SessionEnded, AppError> {
    let ended = forget_session(app).await?;
    tracing::info!(
        reason,
        drafts = ended.drafts,
        files = ended.files,
        ms = ended.ms,
        "terminal session ended and forgotten"
    );
    Ok(ended)
}

/// The receipt printed when `[terminal] print_receipt` is on (on a blocking thread: a slow
/// CUPS never stalls the app's async workers); `None` when printing is off.
pub async fn print_receipt(
    settings: &TerminalSection,
    s: &eingang_model::SubmissionSummary,
) -> Option<bool> {
    if !settings.print_receipt.unwrap_or(false) {
        return None;
    }
    let (queue, reference, at) = (settings.printer.clone(), s.reference.clone(), s.created_at);
    let lp = move || {
        Ok::<_, AppError>(eingang_api::terminal::print_receipt(
            queue.as_deref(),
            &reference,
            at,
        ))
    };
    Some(crate::state::run_blocking(lp).await.unwrap_or(false))
}

/// Forgets the session: its drafts and files (rows under `secure_delete`, blob files, the
/// WAL truncated), then the webview's data and the clipboard.
pub async fn forget_session(app: &AppHandle) -> Result<SessionEnded, AppError> {
    use crate::state::StoreExt;
    let started = Instant::now();
    let (drafts, blobs) = app.state::<TerminalState>().take_session();
    let gone = crate::state::blocking(app.store()?, move |s| s.forget(&drafts, &blobs)).await?;
    clear_traces(app);
    Ok(SessionEnded {
        drafts: u32::try_from(gone.drafts).unwrap_or(u32::MAX),
        files: u32::try_from(gone.blobs).unwrap_or(u32::MAX),
        bytes: gone.bytes,
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// Checks the staff PIN (on a blocking thread: Argon2 takes a moment; wrong tries lock it
/// for a while); a right one forgets the session and ends the app.
pub async fn leave_with_pin(app: &AppHandle, pin: String) -> Result<(), AppError> {
    let wrong = || AppError::new("terminal.pin_wrong", "wrong PIN").with_field("pin");
    if pin.len() > 128 {
        return Err(wrong());
    }
    let handle = app.clone();
    let checked = crate::state::run_blocking(move || {
        Ok::<_, AppError>(handle.state::<TerminalState>().check_pin(&pin))
    })
    .await?;
    match checked {
        Ok(true) => {
            tracing::info!("terminal mode left with the staff PIN");
            app.state::<TerminalState>()
                .leaving
                .store(true, Ordering::SeqCst);
            forget_session(app).await?;
            app.exit(0);
            Ok(())
        }
        Ok(false) => {
            tracing::warn!("terminal: wrong staff PIN");
            Err(wrong())
        }
        Err(secs) => Err(AppError::new(
            "terminal.pin_locked",
            format!("too many wrong PINs; try again in {secs} s"),
        )
        .with_field("pin")),
    }
}
