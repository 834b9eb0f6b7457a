//! E-mail intake: an `.eml` with text, HTML, an image and a Word file becomes a document —
//! the message as pages (read by OCR), the image as the next page, the Word file named; the
//! original `.eml` and the Word file as it came travel in the released PDF/A-3b; sender and
//! date fill the index. Broken MIME is read as far as it goes; a file that is no e-mail, and an
//! attachment too large to page, are named.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod drawn;

use base64::Engine as _;
use eingang_capture::email::read_eml;
use eingang_capture::intake::import;
use eingang_capture::profile::profiles;
use eingang_capture::Limits;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::fmt::Write as _;
use std::process::Command;
use std::sync::atomic::AtomicBool;

/// Runs a tool that must succeed; its standard output.
fn run(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn b64_lines(bytes: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn png_page() -> Vec<u8> {
    let page = drawn::text_page(620, 877, 0.0, 20, 3);
    let img = image::GrayImage::from_raw(620, 877, page).unwrap();
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn eml(attachment_bytes: usize) -> Vec<u8> {
    let png = b64_lines(&png_page());
    let docx = b64_lines(&vec![7u8; attachment_bytes]);
    format!(
        "From: Erika Mustermann <erika@example.org>\r\n\
         To: Poststelle <post@musterstadt.de>\r\n\
         Subject: =?UTF-8?Q?Widerspruch_gegen_den_Geb=C3=BChrenbescheid?=\r\n\
         Date: Fri, 27 Nov 2026 09:15:00 +0100\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"XX\"\r\n\
         \r\n\
         --XX\r\n\
         Content-Type: multipart/alternative; boundary=\"YY\"\r\n\
         \r\n\
         --YY\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Sehr geehrte Damen und Herren,\r\n\
         \r\n\
         hiermit lege ich Widerspruch gegen den Geb=C3=BChrenbescheid vom 12. November ein.\r\n\
         \r\n\
         Mit freundlichen Gr=C3=BC=C3=9Fen\r\n\
         Erika Mustermann\r\n\
         --YY\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         \r\n\
         <p>Sehr geehrte Damen und Herren,</p><p>hiermit lege ich Widerspruch ein.</p>\r\n\
         --YY--\r\n\
         --XX\r\n\
         Content-Type: image/png; name=\"bescheid.png\"\r\n\
         Content-Disposition: attachment; filename=\"bescheid.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {png}\r\n\
         --XX\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"begruendung.docx\"\r\n\
         Content-Disposition: attachment; filename=\"begruendung.docx\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {docx}\r\n\
         --XX--\r\n"
    )
    .into_bytes()
}

#[test]
fn an_eml_becomes_a_document_with_its_pages_index_and_original() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let mail = eml(3000);
    let profile = profiles(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "standard")
        .unwrap();
    let batch = store
        .with_tx(|c| {
            batches::create_batch(
                c,
                "Postfach",
                Some("standard"),
                &serde_json::to_string(&profile).unwrap(),
            )
        })
        .unwrap();
    let import_one = |name: &str, bytes: Vec<u8>| {
        import(
            &store,
            &batch,
            std::iter::once((name.to_owned(), Ok(bytes))),
            &profile.processing,
            Limits::default(),
            &AtomicBool::new(false),
            &|_| {},
        )
    };
    // A letter scanned before it: the e-mail starts a document of its own.
    let letter = png_page();
    assert_eq!(import_one("brief.png", letter).processed, 1);
    let report = import_one("widerspruch.eml", mail.clone());
    assert_eq!((report.received, report.failed_files), (2, 0), "{report:?}");
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!(pages[1].source, "widerspruch.eml");
    assert!(pages[1].starts_document && !pages[2].starts_document);
    assert_eq!(
        pages[1].index,
        [
            ("absender".to_owned(), "erika@example.org".to_owned()),
            ("eingangsdatum".to_owned(), "2026-11-27".to_owned())
        ]
    );
    // Not an e-mail at all: named, the batch goes on.
    let bad = import_one("kaputt.eml", b"\x00\x01 nothing here".to_vec());
    assert_eq!(bad.failed_files, 1);
    assert!(
        bad.refused[0]
            .to_string()
            .starts_with("kaputt.eml: damaged"),
        "{:?}",
        bad.refused
    );

    // Separation rules applied again keep the e-mail's document and its index values.
    eingang_capture::separate::separate(&store, &batch, &profile.separation).unwrap();
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert!(pages[1].starts_document);
    assert!(pages[1].index.iter().any(|(f, _)| f == "absender"));

    drawn::ocr(&store, &batch);
    let docs = drawn::release_checked(&store, &batch, "Post", &[]).unwrap();
    assert_eq!(docs.len(), 2);
    let mail_doc = &docs[1];
    assert_eq!(mail_doc.page_ids.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("mail.pdf");
    std::fs::write(&pdf, store.blobs().get(&mail_doc.pdf_blob).unwrap()).unwrap();
    let p = pdf.to_str().unwrap();
    let text = run("pdftotext", &[p, "-"]);
    for w in ["Widerspruch", "Mustermann", "begruendung.docx"] {
        assert!(text.contains(w), "{w} in {text}");
    }
    associated_files_are_the_originals(p, &mail);
}

/// The released PDF's associated files: the Transfervermerk, the e-mail as it came, and
/// its Word attachment on its own, as it came.
fn associated_files_are_the_originals(p: &str, mail: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let listed = run("pdfdetach", &["-list", p]);
    let number = |name: &str| {
        listed
            .lines()
            .find_map(|l| l.strip_suffix(name)?.strip_suffix(": "))
            .unwrap_or_else(|| panic!("{name} in {listed}"))
            .trim()
            .to_owned()
    };
    let save = |name: &str| {
        let out = dir.path().join(format!("saved-{name}"));
        run(
            "pdfdetach",
            &["-save", &number(name), "-o", out.to_str().unwrap(), p],
        );
        std::fs::read(out).unwrap()
    };
    assert!(save("transfervermerk.xml").starts_with(b"<?xml"));
    assert_eq!(save("widerspruch.eml"), mail, "the e-mail as it came");
    assert_eq!(
        save("begruendung.docx"),
        vec![7u8; 3000],
        "the Word file as it came"
    );
}

#[test]
fn broken_mime_is_read_as_far_as_it_goes_and_a_huge_attachment_is_named() {
    // The boundary never closes and the base64 is damaged: the text is still there.
    let broken = b"From: a@b.de\r\nSubject: Antrag\r\nContent-Type: multipart/mixed; boundary=\"Q\"\r\n\r\n--Q\r\nContent-Type: text/plain\r\n\r\nBitte um Rueckruf.\r\n--Q\r\nContent-Type: image/png; name=\"x.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n";
    let mail = read_eml("kaputt.eml", broken, Limits::default()).unwrap();
    assert!(!mail.pages.is_empty());
    assert_eq!(mail.left_out.len(), 1, "{:?}", mail.left_out);
    assert!(mail.left_out[0].starts_with("x.png"), "{:?}", mail.left_out);
    // An attachment over a quarter of the file limit is not turned into pages.
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let mail = read_eml("gross.eml", &eml(400_000), limits).unwrap();
    assert!(
        mail.left_out
            .iter()
            .any(|l| l.starts_with("begruendung.docx") && l.contains("zu groß")),
        "{:?}",
        mail.left_out
    );
    assert!(read_eml("leer.eml", b"", Limits::default()).is_err());
}

#[test]
fn an_encrypted_message_is_kept_and_said_to_be_unreadable() {
    let encrypted = b"From: Erika Mustermann <erika@example.org>\r\nSubject: Vertraulich\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggFOMIIBSgIBADAyMCUxIzAhBgNVBAMTGlRl\r\n";
    let mail = read_eml("vertraulich.eml", encrypted, Limits::default()).unwrap();
    assert_eq!(mail.pages.len(), 1, "the message page only");
    assert_eq!(mail.left_out.len(), 1, "{:?}", mail.left_out);
    assert!(
        mail.left_out[0].contains("Verschlüsselte Nachricht")
            && mail.left_out[0].contains("nicht lesbar"),
        "{:?}",
        mail.left_out
    );
    assert_eq!(
        mail.index[0],
        ("absender".to_owned(), "erika@example.org".to_owned())
    );
    // A signed message is read as usual: its text, its signature kept in the e-mail file.
    let signed = b"From: b@example.org\r\nSubject: Signiert\r\nDate: Tue, 01 Dec 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"S\"\r\n\r\n--S\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIch beantrage Wohngeld.\r\n--S\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B\r\n--S--\r\n";
    let mail = read_eml("signiert.eml", signed, Limits::default()).unwrap();
    assert_eq!(mail.pages.len(), 1);
    assert!(mail.left_out.is_empty(), "{:?}", mail.left_out);
    // Its signature is cut short: said to be uncheckable, the message kept all the same.
    let s = mail.signature.expect("a signature check");
    assert_eq!(s.verdict, eingang_seal::smime::Verdict::NichtPruefbar);
    assert!(mail
        .index
        .contains(&("signatur".to_owned(), "nicht_pruefbar".to_owned())));
}

#[test]
fn a_message_with_500_attachments_is_read_and_lists_them_all() {
    let mut m = String::from(
        "From: viel@example.org\r\nSubject: Viele Anlagen\r\nDate: Tue, 01 Dec 2026 11:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"V\"\r\n\r\n--V\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei 500 Dateien.\r\n",
    );
    for k in 0..500 {
        let _ = write!(
            m,
            "--V\r\nContent-Type: application/octet-stream; name=\"teil-{k:03}.dat\"\r\nContent-Disposition: attachment; filename=\"teil-{k:03}.dat\"\r\n\r\ndaten {k}\r\n"
        );
    }
    m.push_str("--V--\r\n");
    let mail = read_eml("viele.eml", m.as_bytes(), Limits::default()).unwrap();
    // Every attachment is named on the message pages (several pages of list), none dropped.
    assert!(mail.pages.len() >= 2, "{} pages", mail.pages.len());
    assert!(
        mail.left_out.is_empty(),
        "{:?}",
        &mail.left_out[..3.min(mail.left_out.len())]
    );
}
