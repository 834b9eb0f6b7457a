//! The city's mailbox read by the real app: a Dovecot on loopback (IMAPS, the password in
//! the key store) holds an S/MIME-signed application with a Word and an Excel file made by
//! LibreOffice, and a plain enquiry. The app takes both into the day's mail batch, the
//! office files as pages after the message, the signature checked; they are indexed,
//! checked by a second person, released and delivered; the PDF/A-3b carries the e-mail,
//! the Word and the Excel file as they came and the Transfervermerk with the verdict; on
//! the server both messages are in the processed folder. After a restart a new message is
//! taken and nothing is taken twice.

use crate::harness::Driver;
use crate::scan::{check_and_release, confirm_release, run, walk};
use base64::Engine as _;
use eingang_mailbox::testing::Dovecot;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Word file and an Excel file, made by LibreOffice from HTML and CSV.
fn office_files(dir: &Path) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    std::fs::write(
        dir.join("antrag.html"),
        "<html><body><h1>Antrag auf Wohngeld</h1><p>Ich beantrage Wohngeld für meinen Haushalt ab Januar.</p></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("kosten.csv"),
        "Posten;Betrag\nMiete;640,00\nHeizkosten;95,50\n",
    )
    .unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    for (input, filter, to) in [
        ("antrag.html", "HTML (StarWriter)", "docx:MS Word 2007 XML"),
        ("kosten.csv", "CSV:59,34,76", "xlsx"),
    ] {
        let out = Command::new("soffice")
            .arg(&profile)
            .arg("--headless")
            .arg(format!("--infilter={filter}"))
            .args(["--convert-to", to, "--outdir"])
            .arg(dir)
            .arg(dir.join(input))
            .output()
            .expect("LibreOffice is installed (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    vec![
        (
            "antrag.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            std::fs::read(dir.join("antrag.docx")).unwrap(),
        ),
        (
            "kosten.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            std::fs::read(dir.join("kosten.xlsx")).unwrap(),
        ),
    ]
}

/// The application: text, Word and Excel file, signed by the test signer (S/MIME,
/// detached) as erika@example.org.
fn signed_application(dir: &Path, files: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let mut entity = String::from(
        "Content-Type: multipart/mixed; boundary=\"A\"\r\n\r\n--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSehr geehrte Damen und Herren,\r\nanbei mein Antrag und die Kostenaufstellung.\r\n",
    );
    for (name, kind, bytes) in files {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let _ = write!(
            entity,
            "--A\r\nContent-Type: {kind}; name=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}\r\n",
            lines.join("\r\n")
        );
    }
    entity.push_str("--A--\r\n");
    std::fs::write(dir.join("entity.mime"), entity).unwrap();
    let script = crate::harness::workspace_root().join("scripts/test-smime.sh");
    let made = Command::new("bash")
        .arg(&script)
        .arg(dir)
        .args(["Test-Bürger-CA", "erika@example.org", "Erika Mustermann"])
        .status()
        .unwrap();
    assert!(made.success());
    let p = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    let signed = Command::new("openssl")
        .args(["smime", "-sign", "-in", &p("entity.mime")])
        .args(["-signer", &p("signer.crt"), "-inkey", &p("signer.key")])
        .args(["-from", "Erika Mustermann <erika@example.org>"])
        .args(["-to", "posteingang@musterstadt.de"])
        .args(["-subject", "Antrag auf Wohngeld"])
        .output()
        .unwrap();
    assert!(signed.status.success());
    let mut out =
        b"Date: Wed, 02 Dec 2026 10:00:00 +0100\r\nMessage-ID: <antrag-e2e@example.org>\r\n"
            .to_vec();
    out.extend(signed.stdout);
    out
}

fn enquiry(n: u32) -> Vec<u8> {
    format!(
        "From: Max Muster <max@example.org>\r\nTo: posteingang@musterstadt.de\r\nSubject: Öffnungszeiten {n}\r\nDate: Wed, 02 Dec 2026 11:00:00 +0100\r\nMessage-ID: <anfrage-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWann ist das Bürgerbüro geöffnet?\r\n"
    )
    .into_bytes()
}

/// Sets the mailbox password as IT does on the machine (`eingang mail password`).
fn set_password(data: &Path, password: &str) {
    let cli = crate::harness::workspace_root().join("target/debug/eingang");
    let mut child = Command::new(&cli)
        .arg("--data-dir")
        .arg(data)
        .args(["mail", "password"])
        .env_remove("EINGANG_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the eingang CLI is built (scripts/test.sh builds it)");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The pages' source names of every batch in the store, with how many pages each has.
fn pages_by_source(data: &Path) -> Vec<(String, i64)> {
    let store = eingang_store::Store::open(data).unwrap();
    store
        .with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT source, count(*) FROM pages WHERE source LIKE 'postfach-%' GROUP BY source ORDER BY source",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

/// Waits (up to two minutes) until `n` messages are in the processed folder and none in
/// the INBOX.
async fn wait_moved(server: &Dovecot, user: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while server.count(user, "INBOX") > 0 || server.count(user, "Eingang/Verarbeitet") < n {
        assert!(
            Instant::now() < deadline,
            "the messages were never all taken and moved"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn messages_in_the_mailbox_become_released_documents_with_their_office_files_once() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    let work = tempfile::tempdir().unwrap();
    let files = office_files(work.path());
    server.deliver(&user, "INBOX", &signed_application(work.path(), &files));
    server.deliver(&user, "INBOX", &enquiry(1));

    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[mailbox]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"{user}\"\nca_bundle = \"{}\"\nsmime_trust = [\"{}\"]\n",
            server.imaps_port,
            server.ca().display(),
            work.path().join("ca.crt").display()
        ),
    )
    .unwrap();
    set_password(data.path(), &password);

    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;
    // Taken and moved on the server (the Word and Excel conversions take a while)…
    wait_moved(server, &user, 2).await;
    // … and the mailbox line says so: connected, both messages taken.
    let line = app
        .wait_text("[data-testid='mailbox']", |t| t.contains("2 übernommen"))
        .await;
    assert!(line.contains("verbunden"), "{line}");
    // Message, Word, Excel; enquiry.
    let batch = app
        .wait_text("ul.batches", |t| t.contains("4 Seiten"))
        .await;
    assert!(batch.contains(&format!("Postfach {user}")), "{batch}");
    app.click("ul.batches button.batch").await;
    crate::scan::wait_pages(&app, 4).await;
    let pages = app.text("ol.pages").await;
    for said in [
        "Dokument 2",
        "absender: erika@example.org",
        "signatur: gueltig",
        "absender: max@example.org",
    ] {
        assert!(pages.contains(said), "{said} in {pages}");
    }
    // On the server both have moved to the processed folder.
    assert_eq!(server.count(&user, "INBOX"), 0);
    assert_eq!(server.count(&user, "Eingang/Verarbeitet"), 2);

    // Indexed: the document type of each (sender and date came with the messages).
    for (n, art) in [(1, "Antrag"), (2, "Anfrage")] {
        app.pick(&[(&format!("idx-{n}-dokumentart"), art)]).await;
        app.click(&format!("button[data-action='index-save-{n}']"))
            .await;
        app.wait_text(&format!("[data-testid='check-message-{n}']"), |t| {
            t == "Index gespeichert."
        })
        .await;
    }
    check_and_release(&app, "Postfach").await;
    let summary = confirm_release(
        &app,
        "bleiben aufbewahrt (weder Siegel noch schriftliche Begründung für den Verzicht darauf)",
    )
    .await;
    assert!(summary.contains("2 Dokumente mit 4 Seiten"), "{summary}");
    app.wait_text("[data-testid='scan-notice'], ul.error", |t| !t.is_empty())
        .await;
    let notice = app.text("[data-testid='scan-notice']").await;
    assert!(
        notice.starts_with("2 Dokumente erzeugt"),
        "{notice}: {}",
        app.text("main").await
    );

    // Delivered into <data>/ausgang: the application's PDF/A-3b has three pages (message,
    // Word, Excel) with their text, and carries the originals and the verdict.
    let deadline = Instant::now() + Duration::from_secs(60);
    let pdfs = loop {
        let found: Vec<_> = walk(&data.path().join("ausgang"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        if found.len() == 2 {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "two PDFs never arrived: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let application = pdfs
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .find(|p| run("pdftotext", &[p, "-"]).contains("Antrag auf Wohngeld"))
        .expect("the application's PDF");
    let text = run("pdftotext", &[&application, "-"]);
    assert!(
        text.contains("Heizkosten") && text.contains("Signatur gültig"),
        "{text}"
    );
    let info = run("pdfinfo", &[&application]);
    assert!(info.contains("Pages:           3"), "{info}");
    let listed = run("pdfdetach", &["-list", &application]);
    for name in ["antrag.docx", "kosten.xlsx", "transfervermerk.xml", ".eml"] {
        assert!(listed.contains(name), "{name} in {listed}");
    }
    let save = |name: &str| {
        let n = listed
            .lines()
            .find(|l| l.ends_with(name))
            .and_then(|l| l.split(':').next())
            .unwrap()
            .trim()
            .to_owned();
        let out = work.path().join(format!("saved-{name}"));
        run(
            "pdfdetach",
            &["-save", &n, "-o", out.to_str().unwrap(), &application],
        );
        std::fs::read(out).unwrap()
    };
    assert_eq!(save("antrag.docx"), files[0].2, "the Word file as it came");
    assert_eq!(save("kosten.xlsx"), files[1].2, "the Excel file as it came");
    let tv = String::from_utf8(save("transfervermerk.xml")).unwrap();
    assert!(
        tv.contains("ergebnis=\"gueltig\" unterzeichner=\"Erika Mustermann\""),
        "{tv}"
    );
    app.wait_text("table.docs tbody", |t| t.matches("Geliefert").count() == 2)
        .await;
    app.quit().await;

    // A restart: the next message is taken, the two before are not taken again.
    let before = pages_by_source(data.path());
    assert_eq!(before.len(), 2, "{before:?}");
    server.deliver(&user, "INBOX", &enquiry(2));
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;
    wait_moved(server, &user, 3).await;
    app.wait_text("[data-testid='mailbox']", |t| t.contains("3 übernommen"))
        .await;
    app.quit().await;
    let after = pages_by_source(data.path());
    assert_eq!(after.len(), 3, "{after:?}");
    for (source, n) in &before {
        assert!(
            after.contains(&(source.clone(), *n)),
            "{source} taken twice: {after:?}"
        );
    }
    assert_eq!(server.count(&user, "INBOX"), 0);
    assert_eq!(server.count(&user, "Eingang/Verarbeitet"), 3);
}
