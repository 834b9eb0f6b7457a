//! The file dialog behind the UI's file buttons, in the app's language. WebKitGTK would open
//! GTK's chooser in the system's locale ("Select File" on an English system while the app
//! speaks German), titled by nobody and with an unnamed filter; Eingang answers WebKit's
//! `run-file-chooser` itself: a native chooser with a German (or English) title and buttons,
//! a named filter of what the button accepts ("Bilder, PDF und E-Mails") and "Alle Dateien"
//! beside it. The files chosen go back to the page's `<input type=file>` as before, so the
//! UI reads them as it always did. GTK's own labels inside the dialog (its side panel, its
//! column heads) stay in the system's language: they come from GTK's catalogue, chosen
//! when the process starts.
//!
//! WebDriver cannot show this dialog (WebKit hands file inputs to the automation session
//! while one is attached), so the end-to-end tests cannot see it; `texts` is tested here,
//! and the dialog was checked by hand under Xvfb (XTest click on "Dateien auswählen" on an
//! `en_US` session: title "Dateien auswählen – Eingang", buttons "Abbrechen"/"Öffnen",
//! filter "Passende Dateien: JSON und XML").

/// What the dialog says, in `language` (`de` unless `en`).
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct Texts {
    pub title: String,
    pub accept: &'static str,
    pub cancel: &'static str,
    pub filter: String,
    pub all: &'static str,
}

/// The kinds of file the button accepts, named for people (`image/jpeg` → "JPEG").
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn kind_names(mime_types: &[String], german: bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in mime_types {
        let name = match m.as_str() {
            "image/jpeg" => "JPEG",
            "image/png" => "PNG",
            "image/tiff" => "TIFF",
            "image/x-portable-anymap"
            | "image/x-portable-graymap"
            | "image/x-portable-pixmap"
            | "image/x-portable-bitmap" => "PNM",
            "application/pdf" => "PDF",
            "message/rfc822" => {
                if german {
                    "E-Mail (.eml)"
                } else {
                    "e-mail (.eml)"
                }
            }
            "text/csv" => "CSV",
            "application/json" => "JSON",
            "text/xml" | "application/xml" => "XML",
            _ => continue,
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The dialog's texts for a button accepting `mime_types`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn texts(language: &str, multiple: bool, mime_types: &[String]) -> Texts {
    let german = language != "en";
    let kinds = kind_names(mime_types, german);
    let list = match kinds.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!(
            "{} {} {last}",
            rest.join(", "),
            if german { "und" } else { "and" }
        ),
    };
    let filter = match (german, list.is_empty()) {
        (true, true) => "Passende Dateien".to_owned(),
        (false, true) => "Suitable files".to_owned(),
        (true, false) => format!("Passende Dateien: {list}"),
        (false, false) => format!("Suitable files: {list}"),
    };
    Texts {
        title: match (german, multiple) {
            (true, true) => "Dateien auswählen – Eingang",
            (true, false) => "Datei auswählen – Eingang",
            (false, true) => "Choose files – Eingang",
            (false, false) => "Choose a file – Eingang",
        }
        .to_owned(),
        accept: if german { "Öffnen" } else { "Open" },
        cancel: if german { "Abbrechen" } else { "Cancel" },
        filter,
        all: if german { "Alle Dateien" } else { "All files" },
    }
}

/// Answers the main window's file requests with the app's own chooser (Linux).
#[cfg(target_os = "linux")]
pub fn install(window: &tauri::WebviewWindow) {
    use gtk::prelude::*;
    use tauri::Manager;
    use webkit2gtk::{FileChooserRequestExt, WebViewExt};
    let app = window.app_handle().clone();
    let result = window.with_webview(move |wv| {
        let view = wv.inner();
        view.connect_run_file_chooser(move |view, request| {
            let language = crate::state::StoreExt::store(&app)
                .ok()
                .and_then(|s| eingang_api::preferences::language(&s).ok())
                .unwrap_or_else(|| "de".into());
            let mimes: Vec<String> = request
                .mime_types()
                .into_iter()
                .map(|m| m.to_string())
                .collect();
            let t = texts(&language, request.selects_multiple(), &mimes);
            tracing::info!(kinds = mimes.len(), "file dialog opened");
            let parent = view
                .toplevel()
                .and_then(|w| w.downcast::<gtk::Window>().ok());
            let dialog = gtk::FileChooserNative::new(
                Some(&t.title),
                parent.as_ref(),
                gtk::FileChooserAction::Open,
                Some(t.accept),
                Some(t.cancel),
            );
            dialog.set_select_multiple(request.selects_multiple());
            if let Some(filter) = request.mime_types_filter() {
                filter.set_name(Some(&t.filter));
                dialog.add_filter(filter);
            }
            let all = gtk::FileFilter::new();
            all.set_name(Some(t.all));
            all.add_pattern("*");
            dialog.add_filter(all);
            if dialog.run() == gtk::ResponseType::Accept {
                let files: Vec<String> = dialog
                    .filenames()
                    .into_iter()
                    .filter_map(|p| p.to_str().map(str::to_owned))
                    .collect();
                let refs: Vec<&str> = files.iter().map(String::as_str).collect();
                request.select_files(&refs);
            } else {
                request.cancel();
            }
            true
        });
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "the file dialog stays the system's");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn install(_window: &tauri::WebviewWindow) {}

/// Refuses every file request of `window` (the terminal: citizens never browse the
/// machine's folders, whatever a form or a page asks for).
#[cfg(target_os = "linux")]
pub fn refuse(window: &tauri::WebviewWindow) {
    use webkit2gtk::{FileChooserRequestExt, WebViewExt};
    let result = window.with_webview(|wv| {
        wv.inner().connect_run_file_chooser(|_, request| {
            tracing::warn!("a file dialog was asked for at the terminal; refused");
            request.cancel();
            true
        });
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "the terminal's file dialogs could not be refused");
    }
}

/// Elsewhere (WebView2 has no file-chooser event to answer) the page itself refuses:
/// [`REFUSE_FILE_INPUTS`], run before every page of the terminal's window, stops the
/// activation of any file input (by pointer, keyboard or script) before the browser opens
/// its dialog.
#[cfg(not(target_os = "linux"))]
pub fn refuse(_window: &tauri::WebviewWindow) {
    tracing::info!("terminal: file inputs refused by the page's start script");
}

/// The terminal window's start script (on every platform; on Linux the chooser request is
/// refused as well): a click on a file input — the event a pointer, the keyboard and
/// `input.click()` all send — is cancelled in the capture phase, and `showPicker` of file
/// inputs refuses.
pub const REFUSE_FILE_INPUTS: &str = r#"(() => {
  const isFile = (t) => t instanceof HTMLInputElement && t.type === "file";
  document.addEventListener("click", (e) => {
    if (e.composedPath().some(isFile)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  const picker = HTMLInputElement.prototype.showPicker;
  if (picker) {
    HTMLInputElement.prototype.showPicker = function () {
      if (this.type === "file") throw new DOMException("no file dialog at the terminal", "NotAllowedError");
      return picker.call(this);
    };
  }
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_scan_import_dialog_speaks_german_and_names_what_it_takes() {
        let t = texts(
            "de",
            true,
            &kinds(&[
                "image/jpeg",
                "image/png",
                "image/tiff",
                "application/pdf",
                "message/rfc822",
            ]),
        );
        assert_eq!(t.title, "Dateien auswählen – Eingang");
        assert_eq!(
            t.filter,
            "Passende Dateien: JPEG, PNG, TIFF, PDF und E-Mail (.eml)"
        );
        assert_eq!(
            (t.accept, t.cancel, t.all),
            ("Öffnen", "Abbrechen", "Alle Dateien")
        );
    }

    #[test]
    fn english_single_and_unknown_kinds() {
        let t = texts(
            "en",
            false,
            &kinds(&["text/csv", "application/json", "text/csv"]),
        );
        assert_eq!(t.title, "Choose a file – Eingang");
        assert_eq!(t.filter, "Suitable files: CSV and JSON");
        let t = texts("de", false, &kinds(&["application/x-unknown"]));
        assert_eq!(t.filter, "Passende Dateien");
    }
}
