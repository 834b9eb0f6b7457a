//! The self-service terminal's commands: what it offers, a citizen's session (start, scan,
//! submit, end), and leaving terminal mode with the staff PIN. Only the terminal window's
//! capability grants these (and the few draft commands a session needs).

use crate::commands::drafts::DraftState;
use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::terminal::{SessionEnded, TerminalState};
use base64::Engine as _;
use eingang_forms::FormSummary;
use eingang_model::{AttachmentRef, DraftId};
use eingang_store::tables::{attachments, forms};
use serde::Serialize;
use std::sync::atomic::Ordering;
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
    let state = terminal(&app)?;
    let settings = state.settings.clone();
    let enabled = settings.forms.clone();
    let all = blocking(app.store()?, |s| s.with_conn(forms::list)).await?;
    // The newest version of each enabled form, in the configured order.
    let mut offered: Vec<FormSummary> = Vec::new();
    for f in all {
        if !enabled.is_empty() && !enabled.contains(&f.id) {
            continue;
        }
        match offered.iter_mut().find(|o| o.id == f.id) {
            Some(o)
                if eingang_forms::versions::compare_versions(&f.version, &o.version).is_gt() =>
            {
                *o = f;
            }
            Some(_) => {}
            None => offered.push(f),
        }
    }
    if !enabled.is_empty() {
        offered.sort_by_key(|f| enabled.iter().position(|e| *e == f.id));
    }
    Ok(TerminalInfo {
        languages: settings.languages(),
        forms: offered,
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
    let enabled = &state.settings.forms;
    if !enabled.is_empty() && !enabled.contains(&form_id) {
        return Err(AppError::new(
            "terminal.form_not_offered",
            "this form is not offered at this terminal",
        ));
    }
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
    let state = terminal(&app)?;
    let id = own(&app, &draft)?;
    let Some(device) = state.settings.scanner.clone() else {
        return Err(AppError::new(
            "terminal.no_scanner",
            "no scanner is configured at this terminal",
        ));
    };
    let cancel = state.scan_flag();
    let store = app.store()?;
    let fallback = store.data_dir().join("tmp");
    let page = tauri::async_runtime::spawn_blocking(move || scan_one(&device, &fallback, &cancel))
        .await
        .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))??;
    let (pdf, processed) = page;
    let attachment = blocking(store.clone(), move |s| {
        s.with_tx(|tx| attachments::add(tx, s.blobs(), id, &field, "Scan.pdf", &pdf))
    })
    .await?;
    // The citizen walked away mid-scan and the session ended meanwhile: the page goes at
    // once (the draft is already gone, so nothing names it).
    if !state.owns(&draft) {
        let blob = attachment.blob.clone();
        blocking(store, move |s| s.forget(&[], &[blob])).await?;
        return Err(AppError::new(
            "terminal.scan_cancelled",
            "the session ended during the scan",
        ));
    }
    state.remember_blob(attachment.blob.clone());
    tracing::info!(blank = processed.blank, "terminal session: page scanned");
    Ok(ScannedPage {
        attachment,
        preview: format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&processed.thumbnail)
        ),
        blank: processed.blank,
    })
}

/// One page from `device` (200 dpi colour), deskewed, as a PDF/A and its processing result.
fn scan_one(
    device: &str,
    fallback: &std::path::Path,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<(Vec<u8>, eingang_capture::process::Processed), AppError> {
    let work = eingang_capture::private_tempdir(fallback, 64 * 1024 * 1024)
        .map_err(|e| AppError::new("terminal.scan_failed", format!("no working folder: {e}")))?;
    let settings = eingang_capture::ScanSettings {
        source: None,
        mode: Some("Color".into()),
        resolution: 200,
        max_pages: Some(1),
    };
    let mut page = None;
    eingang_capture::source_for(device)
        .scan(&settings, work.path(), cancel, &mut |p| {
            page.get_or_insert(p);
        })
        .map_err(|e| AppError::new("terminal.scanner", e.to_string()))?;
    if cancel.load(Ordering::SeqCst) {
        return Err(AppError::new(
            "terminal.scan_cancelled",
            "the scan was cancelled",
        ));
    }
    let page = page.ok_or_else(|| {
        AppError::new(
            "terminal.scan_empty",
            "the scanner delivered no page; put the document on the glass and try again",
        )
    })?;
    let processing = eingang_capture::process::Processing {
        whiten_background: true,
        ..eingang_capture::process::Processing::default()
    };
    let processed = eingang_capture::process::process("scan", &page.page, &processing)
        .map_err(|e| AppError::new("terminal.scanner", e.to_string()))?;
    let doc = eingang_pdf::ScanPdf {
        title: "Scan".into(),
        language: "de".into(),
        created: eingang_model::time::rfc3339_utc(eingang_model::time::now_ms()),
        reference: uuid::Uuid::now_v7().to_string(),
    };
    let pdf = eingang_pdf::render_scan_pdf(&doc, std::slice::from_ref(&processed.page))
        .map_err(|e| AppError::new("terminal.scanner", e.to_string()))?;
    Ok((pdf, processed))
}

/// Submits the session's draft: finalised and queued like any submission; the receipt
/// carries the reference code and its QR code, and is printed when configured.
#[tauri::command]
pub async fn terminal_submit(
    app: AppHandle,
    draft: String,
    today: String,
) -> Result<TerminalReceipt, AppError> {
    let state = terminal(&app)?;
    let id = own(&app, &draft)?;
    let s = crate::commands::submissions::finalise(&app, id, &today).await?;
    tracing::info!(submission = %s.id, "terminal session: submitted");
    // `lp` spools and returns; it runs on a blocking thread all the same, so a slow CUPS
    // never stalls the app's async workers.
    let printed = if state.settings.print_receipt.unwrap_or(false) {
        let (printer, reference, at) = (
            state.settings.printer.clone(),
            s.reference.clone(),
            s.created_at,
        );
        Some(
            tauri::async_runtime::spawn_blocking(move || {
                print_receipt(printer.as_deref(), &reference, at)
            })
            .await
            .unwrap_or(false),
        )
    } else {
        None
    };
    Ok(TerminalReceipt {
        qr: qr_svg(&s.reference)?,
        reference: s.reference,
        submitted_at: s.created_at,
        printed,
    })
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

/// Prints the receipt through CUPS (`lp`). It holds no personal data — the reference,
/// the time, where to ask — so the print spool keeps nothing of the citizen either.
fn print_receipt(printer: Option<&str>, reference: &str, at: i64) -> bool {
    let text = format!(
        "Eingang — Quittung / Receipt\n\nVorgangsnummer / Reference:\n\n    {reference}\n\n{}\n\nBitte bewahren Sie diese Nummer auf.\nPlease keep this number.\n",
        eingang_model::time::rfc3339_utc(at)
    );
    let mut cmd =
        std::process::Command::new(std::env::var_os("EINGANG_LP").unwrap_or_else(|| "lp".into()));
    if let Some(p) = printer {
        cmd.args(["-d", p]);
    }
    cmd.args(["-t", "Eingang", "-o", "job-sheets=none", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let sent = cmd.spawn().and_then(|mut child| {
        use std::io::Write as _;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(text.as_bytes())?;
        }
        child.wait()
    });
    let ok = sent.as_ref().is_ok_and(std::process::ExitStatus::success);
    tracing::info!(printed = ok, "terminal receipt");
    ok
}

/// Ends the session — submitted, cancelled or timed out: its drafts and files are
/// forgotten (only a submission stays, in the encrypted outbox), the webview's storage
/// and the clipboard are cleared. The UI then reloads to a clean welcome screen.
#[tauri::command]
pub async fn terminal_end(app: AppHandle, reason: String) -> Result<SessionEnded, AppError> {
    let state = terminal(&app)?;
    if !matches!(reason.as_str(), "submitted" | "cancelled" | "timeout") {
        return Err(AppError::new(
            "input.bad_reason",
            "reason is submitted, cancelled or timeout",
        ));
    }
    let started = std::time::Instant::now();
    let (drafts, blobs) = state.take_session();
    let gone = blocking(app.store()?, move |s| s.forget(&drafts, &blobs)).await?;
    crate::terminal::clear_traces(&app);
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        reason,
        drafts = gone.drafts,
        files = gone.blobs,
        ms,
        "terminal session ended and forgotten"
    );
    Ok(SessionEnded {
        drafts: u32::try_from(gone.drafts).unwrap_or(u32::MAX),
        files: u32::try_from(gone.blobs).unwrap_or(u32::MAX),
        bytes: gone.bytes,
        ms,
    })
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
    if pin.len() > 128 {
        return Err(AppError::new("terminal.pin_wrong", "wrong PIN").with_field("pin"));
    }
    let handle = app.clone();
    let checked = tauri::async_runtime::spawn_blocking(move || {
        handle.state::<TerminalState>().check_pin(&pin)
    })
    .await
    .map_err(|e| AppError::new("app.internal", format!("background task failed: {e}")))?;
    match checked {
        Ok(true) => {
            tracing::info!("terminal mode left with the staff PIN");
            state.leaving.store(true, Ordering::SeqCst);
            let (drafts, blobs) = state.take_session();
            let store = app.store()?;
            blocking(store, move |s| s.forget(&drafts, &blobs)).await?;
            crate::terminal::clear_traces(&app);
            app.exit(0);
            Ok(())
        }
        Ok(false) => {
            tracing::warn!("terminal: wrong staff PIN");
            Err(AppError::new("terminal.pin_wrong", "wrong PIN").with_field("pin"))
        }
        Err(secs) => Err(AppError::new(
            "terminal.pin_locked",
            format!("too many wrong PINs; try again in {secs} s"),
        )
        .with_field("pin")),
    }
}
