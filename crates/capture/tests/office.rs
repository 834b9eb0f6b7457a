//! Office attachments through LibreOffice (Debian's headless packages): a Word, an Excel,
//! an OpenDocument and an RTF file in one e-mail each become pages after the message; a ZIP
//! bomb and a Word file cut off in transit are named on the message page and left in the
//! e-mail file; a conversion that hangs is stopped at its time limit.
//! The office files are made by LibreOffice itself from HTML and CSV at test time.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use eingang_capture::email::read_eml;
use eingang_capture::office::Converter;
use eingang_capture::Limits;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn soffice() -> Converter {
    Converter::find().expect(
        "the office tests need LibreOffice (libreoffice-writer-nogui, libreoffice-calc-nogui): run ./scripts/test.sh once (it installs them)",
    )
}

/// Office files made by LibreOffice: (name, bytes).
fn fixtures(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::write(
        dir.join("antrag.html"),
        "<html><body><h1>Antrag auf Wohngeld</h1><p>Sehr geehrte Damen und Herren, ich beantrage Wohngeld für meinen Haushalt.</p></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("kosten.csv"),
        "Posten;Betrag\nMiete;640,00\nHeizung;95,50\n",
    )
    .unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    let convert = |input: &str, filter: Option<&str>, to: &str| {
        let mut c = Command::new("soffice");
        c.arg(&profile).arg("--headless");
        if let Some(f) = filter {
            c.arg(format!("--infilter={f}"));
        }
        let out = c
            .args(["--convert-to", to, "--outdir"])
            .arg(dir)
            .arg(dir.join(input))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    convert(
        "antrag.html",
        Some("HTML (StarWriter)"),
        "docx:MS Word 2007 XML",
    );
    convert("antrag.html", Some("HTML (StarWriter)"), "odt");
    convert(
        "antrag.html",
        Some("HTML (StarWriter)"),
        "rtf:Rich Text Format",
    );
    convert("kosten.csv", Some("CSV:59,34,76"), "xlsx");
    ["antrag.docx", "antrag.odt", "antrag.rtf", "kosten.xlsx"]
        .iter()
        .map(|n| ((*n).to_owned(), std::fs::read(dir.join(n)).unwrap()))
        .collect()
}

/// A ZIP whose directory claims 2 GiB unpacked from a few bytes.
fn zip_bomb() -> Vec<u8> {
    let mut out = b"PK\x03\x04".to_vec();
    let cd = out.len();
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 20]);
    out.extend_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    out.extend_from_slice(&17u16.to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(b"word/document.xml");
    let len = out.len() - cd;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    out.extend_from_slice(&u32::try_from(len).unwrap().to_le_bytes());
    out.extend_from_slice(&u32::try_from(cd).unwrap().to_le_bytes());
    out.extend_from_slice(&[0; 2]);
    out
}

fn eml(attachments: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut m = String::from(
        "From: Erika Mustermann <erika@example.org>\r\nSubject: Antrag mit Anlagen\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei meine Unterlagen.\r\n",
    );
    for (name, bytes) in attachments {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let _ = write!(
            m,
            "--B\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            lines.join("\r\n")
        );
    }
    m.push_str("--B--\r\n");
    m.into_bytes()
}

#[test]
fn word_excel_opendocument_and_rtf_attachments_become_pages() {
    let _ = soffice();
    let dir = tempfile::tempdir().unwrap();
    let mut files = fixtures(dir.path());
    files.push(("bombe.docx".into(), zip_bomb()));
    // A Word file cut off in transit: half of it.
    let half = files[0].1[..files[0].1.len() / 2].to_vec();
    files.push(("abgeschnitten.docx".into(), half));
    // Text under a Word file's name: LibreOffice would make pages of it as plain text.
    files.push(("falsch.docx".into(), b"nur Text, kein Word".to_vec()));
    let mail = read_eml("antrag.eml", &eml(&files), Limits::default()).unwrap();
    // The message's own page(s), then one page for each of the four converted files.
    let sources: Vec<usize> = mail.pages.iter().map(|p| p.index).collect();
    assert_eq!(sources, (0..sources.len()).collect::<Vec<_>>());
    assert!(mail.pages.len() >= 5, "{} pages", mail.pages.len());
    assert_eq!(mail.left_out.len(), 3, "{:?}", mail.left_out);
    assert!(
        mail.left_out[0].starts_with("bombe.docx") && mail.left_out[0].contains("ZIP bomb"),
        "{:?}",
        mail.left_out
    );
    assert!(
        mail.left_out[1].starts_with("abgeschnitten.docx")
            && mail.left_out[1].contains("damaged or cut off"),
        "{:?}",
        mail.left_out
    );
    assert!(
        mail.left_out[2].starts_with("falsch.docx") && mail.left_out[2].contains("not a DOCX file"),
        "{:?}",
        mail.left_out
    );
}

#[test]
fn a_conversion_over_its_time_limit_is_stopped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    let e = soffice()
        .with_timeout(Duration::from_millis(1))
        .to_pdf("antrag.docx", &files[0].1, dir.path())
        .unwrap_err();
    assert_eq!(e.code(), "capture.conversion");
    assert!(e.to_string().contains("did not finish"), "{e}");
    // Nothing of it is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && e.file_name() != "profile")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Connections to a loopback listener, counted once `armed`.
fn listener() -> (
    u16,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (armed, hits) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let (a, h) = (Arc::clone(&armed), Arc::clone(&hits));
    std::thread::spawn(move || {
        for conn in l.incoming() {
            if conn.is_ok() && a.load(Ordering::SeqCst) {
                h.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (port, armed, hits)
}

#[test]
fn a_word_file_with_macros_and_an_external_link_is_converted_without_running_or_fetching_either() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let (port, armed, hits) = listener();
    // A Word file whose picture is a link to a server (LibreOffice keeps it external) …
    std::fs::write(
        dir.path().join("verlinkt.html"),
        format!("<html><body><h1>Antrag</h1><p>Mit Logo:</p><img src=\"http://127.0.0.1:{port}/logo.png\" width=\"100\" height=\"50\"></body></html>"),
    )
    .unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let made = Command::new("soffice")
        .arg(&profile)
        .args(["--headless", "--infilter=HTML (StarWriter)"])
        .args(["--convert-to", "docx:MS Word 2007 XML", "--outdir"])
        .arg(dir.path())
        .arg(dir.path().join("verlinkt.html"))
        .output()
        .unwrap();
    assert!(made.status.success());
    let docx = dir.path().join("verlinkt.docx");
    let rels = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('word/_rels/document.xml.rels').decode())",
        ])
        .arg(&docx)
        .output()
        .unwrap();
    let rels = String::from_utf8_lossy(&rels.stdout);
    assert!(
        rels.contains(&format!(
            "127.0.0.1:{port}/logo.png\" TargetMode=\"External\""
        )),
        "the fixture links its picture: {rels}"
    );
    // … and the same with a macro project inside (`word/vbaProject.bin`).
    let with_macros = dir.path().join("makro.docm");
    std::fs::copy(&docx, &with_macros).unwrap();
    let added = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'a'); z.writestr('word/vbaProject.bin', b'\\xd0\\xcf\\x11\\xe0' + bytes(508)); z.close()",
        ])
        .arg(&with_macros)
        .status()
        .unwrap();
    assert!(added.success());

    armed.store(true, Ordering::SeqCst);
    let linked = soffice()
        .to_pdf("verlinkt.docx", &std::fs::read(&docx).unwrap(), dir.path())
        .unwrap();
    assert!(linked.pdf.starts_with(b"%PDF"));
    let macros = soffice()
        .to_pdf(
            "makro.docm",
            &std::fs::read(&with_macros).unwrap(),
            dir.path(),
        )
        .unwrap();
    assert!(macros.pdf.starts_with(b"%PDF"));
    assert!(
        macros
            .notes
            .iter()
            .any(|n| n == "enthält Makros – nicht ausgeführt"),
        "{:?}",
        macros.notes
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the conversion reached out for the linked picture"
    );
}
