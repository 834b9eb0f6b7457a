//! The self-service terminal's commands: what it offers, a citizen's session (start, scan,
//! submit, end), and leaving terminal mode with the staff PIN. Only the terminal window's
//! capability grants these (and the few draft commands a session needs).

use crate::error::AppError;
use crate::state::{blocking, run_blocking, StoreExt};
use crate::terminal::{SessionEnded, TerminalState};
use base64::Engine as _;
use eingang_api::drafts::DraftState;
use eingang_api::terminal;
use eingang_forms::FormSummary;
use eingang_model::{AttachmentRef, DraftId};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

/// What the terminal offers, as its administrator configured it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TerminalInfo {
    pub languages: Vec<String>,
    pub forms: Vec<FormSummary>,
    #[ts(type = "number")]
    pub idle_secs: u64,
    #[ts(type = "number")]
    pub warn_secs: u64,
    /// A scanner is configured.
    pub scanner: bool,
    pub print_receipt: bool,
    /// A staff PIN is configured (otherwise terminal mode cannot be left on screen).
    pub exit_possible: bool,
}

/// One scanned page, stored as a PDF/A attachment of the session's draft.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScannedPage {
    pub attachment: AttachmentRef,
    /// A small JPEG of the page (data URL) for the preview.
    pub preview: String,
    /// The page looks empty (the citizen may have scanned the wrong side).
    pub blank: bool,
}

impl ScannedPage {
    fn new(attachment: AttachmentRef, processed: &eingang_capture::process::Processed) -> Self {
        let jpeg = base64::engine::general_purpose::STANDARD.encode(&processed.thumbnail);
        Self {
            attachment,
            preview: format!("data:image/jpeg;base64,{jpeg}"),
            blank: processed.blank,
        }
    }
}

/// What the citizen takes away: the reference code and its QR code.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TerminalReceipt {
    pub reference: String,
    /// The QR code of the reference as an SVG data URL.
    pub qr: String,
    #[ts(type = "number")]
    pub submitted_at: i64,
    /// The receipt was sent to the printer (`None`: printing is off).
    pub printed: Option<bool>,
}

fn terminal(app: &AppHandle) -> Result<tauri::State<'_, TerminalState>, AppError> {
    let state = app.state::<TerminalState>();
    if !state.is_terminal() {
        return Err(AppError::new(
            "terminal.not_terminal",
            "this machine is not a self-service terminal",
        ));
    }
    Ok(state)
}

fn own(app: &AppHandle, draft: &str) -> Result<DraftId, AppError> {
    crate::terminal::guard_draft(app, draft)?;
    Ok(draft.parse()?)
}

#[tauri::command]
pub async fn terminal_info(app: AppHandle) -> Result<TerminalInfo, AppError> {
    let settings = terminal(&app)?.settings.clone();
    let enabled = settings.forms.clone();
    let forms = blocking(app.store()?, move |s| terminal::offered_forms(s, &enabled)).await?;
    Ok(TerminalInfo {
        languages: settings.languages(),
        forms,
        idle_secs: settings.idle_secs(),
        warn_secs: settings.warn_secs(),
        scanner: settings.scanner.is_some(),
        print_receipt: settings.print_receipt.unwrap_or(false),
        exit_possible: settings.staff_pin.is_some(),
    })
}

/// Starts filling in a form: a draft that belongs to this session.
#[tauri::command]
pub async fn terminal_start(
    app: AppHandle,
    form_id: String,
    form_version: String,
    today: String,
) -> Result<DraftState, AppError> {
    let state = terminal(&app)?;
    state.check_offered(&form_id)?;
    let draft =
        crate::commands::drafts::draft_create(app.clone(), form_id, form_version, today).await?;
    state.remember_draft(draft.draft.id.to_string());
    tracing::info!("terminal session: form started");
    Ok(draft)
}

/// Scans one page on the terminal's scanner into the attachment field `field` of the
/// session's draft (as a one-page PDF/A). A scanner that is unplugged or jammed is an
/// error the citizen can act on; nothing is stored then.
#[tauri::command]
pub async fn terminal_scan(
    app: AppHandle,
    draft: String,
    field: String,
) -> Result<ScannedPage, AppError> {
    let (state, id) = (terminal(&app)?, own(&app, &draft)?);
    let (device, cancel, store) = (state.scanner()?, state.scan_flag(), app.store()?);
    let work = store.data_dir().join("tmp");
    let page = run_blocking(move || terminal::scan_page(&device, &work, &cancel)).await?;
    let attachment =
        crate::terminal::attach_scan(&app, &store, id, &draft, field, page.pdf).await?;
    let blank = page.processed.blank;
    tracing::info!(blank, "terminal session: page scanned");
    Ok(ScannedPage::new(attachment, &page.processed))
}

/// Submits the session's draft: finalised and queued like any submission; the receipt
/// carries the reference code and its QR code, and is printed when configured (on a
/// blocking thread: a slow CUPS never stalls the app's async workers).
#[tauri::command]
pub async fn terminal_submit(
    app: AppHandle,
    draft: String,
    today: String,
) -> Result<TerminalReceipt, AppError> {
    let (state, id) = (terminal(&app)?, own(&app, &draft)?);
    let s = crate::commands::submissions::finalise(&app, id, &today).await?;
    tracing::info!(submission = %s.id, "terminal session: submitted");
    let printed = crate::terminal::print_receipt(&state.settings, &s).await;
    TerminalReceipt::new(s, printed)
}

impl TerminalReceipt {
    fn new(s: eingang_model::SubmissionSummary, printed: Option<bool>) -> Result<Self, AppError> {
        Ok(Self {
            qr: qr_svg(&s.reference)?,
            reference: s.reference,
            submitted_at: s.created_at,
            printed,
        })
    }
}

/// The reference's QR code as an SVG data URL.
fn qr_svg(text: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| AppError::new("app.internal", format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Ends the session — submitted, cancelled or timed out: its drafts and files are
/// forgotten (only a submission stays, in the encrypted outbox), the webview's storage
/// and the clipboard are cleared. The UI then reloads to a clean welcome screen.
#[tauri::command]
pub async fn terminal_end(app: AppHandle, reason: String) -> Result<SessionEnded, AppError> {
    terminal(&app)?;
    if !matches!(reason.as_str(), "submitted" | "cancelled" | "timeout") {
        return Err(AppError::new(
            "input.bad_reason",
            "reason is submitted, cancelled or timeout",
        ));
    }
    crate::terminal::end_session(&app, &reason).await
}

/// The welcome screen is up again: the time since the session ended (logged; returned for
/// the forgetting test's figure).
#[allow(clippy::needless_pass_by_value)] // Tauri hands State over by value
#[tauri::command]
pub fn terminal_ready(state: tauri::State<'_, TerminalState>) -> Option<u64> {
    let ms = state.since_end()?;
    tracing::info!(ms, "terminal: clean welcome screen");
    Some(ms)
}

/// Leaves terminal mode with the staff PIN: deliveries in flight finish, then the app ends.
#[tauri::command]
pub async fn terminal_exit(app: AppHandle, pin: String) -> Result<(), AppError> {
    let state = terminal(&app)?;
    if state.settings.staff_pin.is_none() {
        return Err(AppError::new(
            "terminal.no_pin",
            "no staff PIN is configured; terminal mode cannot be left on screen",
        ));
    }
    crate::terminal::leave_with_pin(&app, pin).await
}
