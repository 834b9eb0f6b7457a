//! The self-service terminal's use cases: the forms it offers, one page scanned into a
//! one-page PDF/A for an attachment field, and the printed receipt. The session itself
//! (its window, what it must forget) is the shell's.

use crate::error::{Error, Result};
use eingang_capture::process::{self, Processed, Processing};
use eingang_forms::FormSummary;
use eingang_store::tables::forms;
use eingang_store::Store;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The newest version of each form in `enabled` (every imported form when it is empty), in
/// the configured order.
pub fn offered_forms(store: &Store, enabled: &[String]) -> Result<Vec<FormSummary>> {
    let all = store.with_conn(forms::list)?;
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
    Ok(offered)
}

/// One page scanned at the terminal: a one-page PDF/A and what processing found.
#[derive(Debug)]
pub struct ScannedPage {
    pub pdf: Vec<u8>,
    pub processed: Processed,
}

/// One page from `device` (200 dpi colour), deskewed and whitened, as a PDF/A. A scanner
/// that is unplugged or jammed, a cancelled scan or an empty glass is an error the citizen
/// can act on; nothing is stored. `work` is where the scanner's file may go when memory
/// has no room.
pub fn scan_page(device: &str, work: &Path, cancel: &AtomicBool) -> Result<ScannedPage> {
    let scanner = |e: &dyn std::fmt::Display| Error::refused("terminal.scanner", e.to_string());
    let folder = eingang_capture::private_tempdir(work, 64 * 1024 * 1024)
        .map_err(|e| Error::refused("terminal.scan_failed", format!("no working folder: {e}")))?;
    let settings = eingang_capture::ScanSettings {
        source: None,
        mode: Some("Color".into()),
        resolution: 200,
        max_pages: Some(1),
    };
    let mut page = None;
    eingang_capture::source_for(device)
        .scan(&settings, folder.path(), cancel, &mut |p| {
            page.get_or_insert(p);
        })
        .map_err(|e| scanner(&e))?;
    if cancel.load(Ordering::SeqCst) {
        return Err(Error::refused(
            "terminal.scan_cancelled",
            "the scan was cancelled",
        ));
    }
    let page = page.ok_or_else(|| {
        Error::refused(
            "terminal.scan_empty",
            "the scanner delivered no page; put the document on the glass and try again",
        )
    })?;
    let processing = Processing {
        whiten_background: true,
        ..Processing::default()
    };
    let processed = process::process("scan", &page.page, &processing).map_err(|e| scanner(&e))?;
    let doc = eingang_pdf::ScanPdf {
        title: "Scan".into(),
        language: "de".into(),
        created: eingang_model::time::rfc3339_utc(eingang_model::time::now_ms()),
        reference: uuid::Uuid::now_v7().to_string(),
    };
    let pdf = eingang_pdf::render_scan_pdf(&doc, std::slice::from_ref(&processed.page))
        .map_err(|e| scanner(&e))?;
    Ok(ScannedPage { pdf, processed })
}

/// Prints the receipt through CUPS (`lp`, or `EINGANG_LP`). It holds no personal data — the
/// reference, the time, where to ask — so the print spool keeps nothing of the citizen
/// either. `true` when the spooler took it.
pub fn print_receipt(printer: Option<&str>, reference: &str, at: i64) -> bool {
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
