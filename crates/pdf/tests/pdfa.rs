//! The rendered PDF checked with independent tools: qpdf (structure), pdffonts (embedded
//! subset with ToUnicode), pdftotext (German text extracts as typed), pdfinfo (pages).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_pdf::{render_form_pdf, Entry, FormPdf};
use std::process::Command;

fn sample(rows: usize) -> FormPdf {
    let mut entries = vec![
        Entry::Field {
            label: "Aktenzeichen".into(),
            value: "530.12-2026-0042".into(),
            depth: 0,
        },
        Entry::Field {
            label: "Anschrift des Objekts".into(),
            value: "Große Straße 1, 48143 Münster".into(),
            depth: 0,
        },
        Entry::Heading {
            text: "Festgestellte Mängel".into(),
            depth: 0,
        },
    ];
    for i in 0..rows {
        entries.push(Entry::Heading {
            text: format!("Eintrag {}", i + 1),
            depth: 1,
        });
        entries.push(Entry::Field {
            label: "Beschreibung".into(),
            value: format!("Geländer lose, Gefahr für Fußgänger – Nr. {i} ✓ ÄÖÜäöüß € „Zitat“"),
            depth: 1,
        });
    }
    entries.push(Entry::Field {
        label: "Befund".into(),
        value: "Ein sehr langer Befund ".repeat(40),
        depth: 0,
    });
    FormPdf {
        title: "Ortstermin-Protokoll".into(),
        subtitle: "Formular ortstermin, Version 1.0".into(),
        reference:
            "Referenz 0190d7a2-0000-7000-8000-000000000001, abgeschlossen am 28.11.2026 14:03"
                .into(),
        footer: "ortstermin 1.0 · 0190d7a2-0000-7000-8000-000000000001".into(),
        page_label: "Seite {n} von {m}".into(),
        entries,
        created: "2026-11-28T14:03:00Z".into(),
        language: "de".into(),
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} must be installed (poppler-utils, qpdf; scripts/test.sh installs them): {e}")
    });
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn german_text_extracts_as_typed_from_a_valid_multi_page_pdf() {
    let pdf = render_form_pdf(&sample(60)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let p = path.to_str().unwrap();

    let check = tool("qpdf", &["--check", p]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );

    let fonts = tool("pdffonts", &[p]);
    let line = fonts
        .lines()
        .find(|l| l.contains("DejaVuSans"))
        .unwrap_or_default();
    // name, type, encoding, emb, sub, uni
    assert!(
        line.contains("CID TrueType") && line.contains("Identity-H"),
        "{fonts}"
    );
    let flags: Vec<&str> = line.split_whitespace().rev().take(5).collect();
    assert_eq!(
        &flags[2..5],
        ["yes", "yes", "yes"],
        "embedded, subset, ToUnicode: {line}"
    );

    let text = tool("pdftotext", &["-enc", "UTF-8", p, "-"]);
    assert!(text.contains("Große Straße 1, 48143 Münster"), "{text}");
    assert!(text.contains("ÄÖÜäöüß € „Zitat“"), "{text}");
    assert!(text.contains("Seite 1 von"), "{text}");

    let info = tool("pdfinfo", &[p]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        pages >= 3,
        "60 rows and a long text need several pages: {info}"
    );
    assert!(
        text.contains(&format!("Seite {pages} von {pages}")),
        "the last page is numbered"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.ends_with("Ortstermin-Protokoll")),
        "{info}"
    );
}

#[test]
fn the_pdfa_identification_and_output_intent_are_present() {
    let pdf = render_form_pdf(&sample(1)).unwrap();
    let s = String::from_utf8_lossy(&pdf);
    assert!(
        s.contains("<pdfaid:part>2</pdfaid:part>")
            && s.contains("<pdfaid:conformance>B</pdfaid:conformance>")
    );
    assert!(s.contains("/GTS_PDFA1") && s.contains("/DestOutputProfile"));
    assert!(!s.contains("/Encrypt") && !s.contains("/JavaScript"));
    assert!(
        pdf.len() < 120_000,
        "the font is subset: {} bytes",
        pdf.len()
    );
}
