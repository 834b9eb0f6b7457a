//! The Scanstelle in the real app: a batch scanned from SANE's test scanner and files
//! dropped into it, thumbnails, a blank page flagged, rotate, reorder by keyboard, delete
//! and undo, split into two documents, checked by a second person, released as PDF/As
//! that pass qpdf and poppler, delivered to the local folder; the scan office's whole day
//! (separator sheets, master data, index values from a barcode, four-eyes check, OCR,
//! Transfervermerk, audit log). axe checks the workspace with pages in it.

use crate::accessibility::{axe_source, violations};
use crate::harness::Driver;
use base64::Engine as _;
use eingang_store::tables::profiles;
use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) fn png(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> String {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([f(x, y)]));
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Drops files (name, base64 bytes) onto the page list, as a drag from the file manager does.
pub(crate) async fn drop_files(app: &crate::harness::App, files: serde_json::Value) {
    app.client
        .execute(
            "const dt = new DataTransfer();
             for (const [name, b64] of arguments[0]) {
               const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
               const type = name.endsWith('.pdf') ? 'application/pdf' : 'image/png';
               dt.items.add(new File([bytes], name, { type }));
             }
             document.querySelector('ol.pages').dispatchEvent(
               new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
            vec![files],
        )
        .await
        .unwrap();
}

pub(crate) async fn page_ids(app: &crate::harness::App) -> Vec<String> {
    let mut ids = Vec::new();
    for el in app
        .client
        .find_all(crate::harness::css("li.page"))
        .await
        .unwrap()
    {
        ids.push(el.attr("data-page").await.unwrap().unwrap());
    }
    ids
}

/// Waits until `n` page thumbnails show (they load as the list scrolls into view).
pub(crate) async fn wait_pages(app: &crate::harness::App, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let _ = app
            .client
            .execute(
                "document.querySelector('ol.pages')?.scrollIntoView({ block: 'start' });",
                vec![],
            )
            .await;
        let thumbs = app
            .client
            .find_all(crate::harness::css("li.page .thumb img"))
            .await
            .unwrap()
            .len();
        if thumbs == n {
            return;
        }
        if Instant::now() >= deadline {
            let page = app
                .client
                .find(crate::harness::css("main"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap_or_default();
            panic!("{n} thumbnails never showed ({thumbs}): {page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Scans `n` pages from SANE's test scanner's feeder through the workspace's scanner form.
pub(crate) async fn scan_from_test_scanner(app: &crate::harness::App, n: u32) {
    app.click("button[data-action='find-scanners']").await;
    app.wait_for("#scan-device option[value='test:0']").await;
    app.client
        .execute(
            "const d = document.getElementById('scan-device'); d.value = 'test:0';
             d.dispatchEvent(new Event('change', { bubbles: true }));
             const s = document.getElementById('scan-source'); s.value = 'Automatic Document Feeder';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    app.type_into("#scan-max", &n.to_string()).await;
    app.click("button[data-action='scan-start']").await;
    let done = if n == 1 {
        "1 Seite gescannt.".to_owned()
    } else {
        format!("{n} Seiten gescannt.")
    };
    app.wait_text("[data-testid='scan-notice']", |t| t == done)
        .await;
}

/// A second person signs in at the station, passes every document the check asks for,
/// waits for OCR, and releases the batch under `title`.
pub(crate) async fn check_and_release(app: &crate::harness::App, title: &str) {
    app.retype("#operator", "Bernd Prüfer").await;
    app.click("button[data-action='sign-in']").await;
    app.wait_text("[data-testid='station-notice']", |t| {
        t == "Bernd Prüfer ist angemeldet."
    })
    .await;
    pass_open_and_release(app, title).await;
}

/// Signs `user` in with their directory password; `who` is their directory name.
async fn directory_sign_in(app: &crate::harness::App, user: &str, password: &str, who: &str) {
    app.retype("#operator", user).await;
    app.retype("#operator-password", password).await;
    app.click("button[data-action='sign-in']").await;
    let expected = format!("{who} ist angemeldet.");
    app.wait_text("[data-testid='station-notice']", |t| t == expected)
        .await;
}

/// Passes what the check left open (as whoever is signed in) and releases once OCR is done.
async fn pass_open_and_release(app: &crate::harness::App, title: &str) {
    // The check view reloads with the batch; pass what is open.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open = app
            .client
            .find_all(crate::harness::css(
                "article[data-open='true'] button[data-action^='pass-']",
            ))
            .await
            .unwrap();
        let summary = app.text("[data-testid='check-summary']").await;
        if summary.contains("Prüfung bestanden") {
            break;
        }
        if let Some(button) = open.first() {
            let action = button.attr("data-action").await.unwrap().unwrap();
            let n = action.trim_start_matches("pass-").to_owned();
            app.click(&format!("button[data-action='{action}']")).await;
            app.wait_text(&format!("[data-testid='verdict-{n}']"), |t| {
                t.starts_with("bestanden (geprüft von Bernd Prüfer")
            })
            .await;
        }
        assert!(
            Instant::now() < deadline,
            "the check never passed: {summary}"
        );
    }
    // OCR runs in the background; release once it is done.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let state = app.text("[data-testid='release-state']").await;
        if state.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "never releasable: {state}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.type_into("#doc-title", title).await;
    app.click("button[data-action='documents-make']").await;
}

/// The release summary is open: what it says about the originals (and axe finds nothing
/// on it); then confirmed.
pub(crate) async fn confirm_release(app: &crate::harness::App, originals: &str) -> String {
    let summary = app
        .wait_text("dialog[open] [data-testid='release-summary']", |t| {
            !t.is_empty()
        })
        .await;
    let said = app.text("[data-testid='release-originals']").await;
    assert_eq!(said, originals, "{summary}");
    let found = violations(app, &axe_source()).await;
    assert!(found.is_empty(), "axe on the release summary: {found:#?}");
    let text = app.text("dialog[open]").await;
    app.click("dialog[open] button[data-action='confirm']")
        .await;
    text
}

#[tokio::test(flavor = "current_thread")]
async fn a_scanned_and_imported_batch_becomes_two_checked_pdfas() {
    let sane = tempfile::tempdir().unwrap();
    std::fs::write(sane.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(sane.path().join("test.conf"), t).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start_with(&[("SANE_CONFIG_DIR", sane.path())]);
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;

    // A batch with the grey profile.
    app.type_into("#batch-name", "Posteingang Montag").await;
    app.click("button[data-action='batch-create']").await;
    app.wait_text(".batch-view h2", |t| t == "Posteingang Montag")
        .await;

    // Two pages from the test scanner's feeder.
    scan_from_test_scanner(&app, 2).await;
    wait_pages(&app, 2).await;

    // Two files dropped onto the page list: a letter and an empty back.
    let letter = png(620, 877, |x, y| {
        if (y / 18) % 3 == 0 && y > 80 && y < 800 && x > 60 && x < 560 {
            25
        } else {
            242
        }
    });
    let blank = png(620, 877, |x, y| 236 + ((x * 7 + y * 13) % 9) as u8);
    drop_files(
        &app,
        serde_json::json!([["brief.png", letter], ["rueckseite.png", blank]]),
    )
    .await;
    app.wait_text("[data-testid='scan-notice']", |t| {
        t == "2 Seiten übernommen."
    })
    .await;
    wait_pages(&app, 4).await;
    let flagged = app.text("li.page[data-blank='true']").await;
    assert!(
        flagged.contains("Leerseite?") && flagged.contains("rueckseite.png"),
        "{flagged}"
    );
    assert_eq!(
        app.client
            .find_all(crate::harness::css("li.page[data-blank='true']"))
            .await
            .unwrap()
            .len(),
        1,
        "only the empty back is flagged"
    );

    // axe on the workspace with pages, flags and the scanner form.
    let axe = axe_source();
    let found = violations(&app, &axe).await;
    assert!(found.is_empty(), "axe: {found:#?}");

    // The large page beside the strip: a click on a thumbnail shows it.
    let ids = page_ids(&app).await;
    let clicked = std::time::Instant::now();
    app.click(&format!("li.page[data-page='{}'] .thumb", ids[2]))
        .await;
    app.wait_for(&format!("[data-viewer='{}'] .area img", ids[2]))
        .await;
    println!(
        "viewer: first large page {} ms after the click on its thumbnail (incl. WebDriver round trips)",
        clicked.elapsed().as_millis()
    );
    let heading = app.text(".viewer-heading").await;
    assert_eq!(heading, "Seite 3 von 4 · Dokument 1");
    // By keyboard: Enter on a page opens it large; + zooms; Bild ↓ goes on; 0 fits again.
    app.client
        .execute(
            &format!(
                "document.querySelector(\"li.page[data-page='{}']\").focus()",
                ids[0]
            ),
            vec![],
        )
        .await
        .unwrap();
    crate::harness::press(&app, crate::harness::ENTER).await;
    let here = app
        .client
        .execute(
            "return document.activeElement.classList.contains('area')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(here, true, "the viewer has the keyboard");
    assert_eq!(app.text("[data-testid='zoom']").await, "1,0×");
    crate::harness::press(&app, "+").await;
    app.wait_text("[data-testid='zoom']", |t| t == "1,3×").await;
    crate::harness::press(&app, "\u{E00F}").await; // Page Down
    app.wait_text(".viewer-heading", |t| t.starts_with("Seite 2 von 4"))
        .await;
    crate::harness::press(&app, "0").await;
    app.wait_text("[data-testid='zoom']", |t| t == "1,0×").await;
    let found = violations(&app, &axe).await;
    assert!(found.is_empty(), "axe with the viewer: {found:#?}");

    // Delete the blank back, undo, delete again (keyboard on the page).
    let ids = page_ids(&app).await;
    app.click("li.page[data-blank='true'] button[data-action='delete']")
        .await;
    app.wait_text(".summary", |t| t.starts_with("3 Seiten"))
        .await;
    app.click("button[data-action='undo']").await;
    app.wait_text(".summary", |t| t.starts_with("4 Seiten"))
        .await;
    app.wait_for("li.page[data-blank='true']")
        .await
        .send_keys("\u{E017}")
        .await
        .unwrap();
    app.wait_text(".summary", |t| t.starts_with("3 Seiten"))
        .await;
    // The deleted card is gone; the focus is on its neighbour, the undo bar says what
    // happened, and Ctrl+Z from there brings the page back. Then delete it for good.
    app.wait_text("[data-testid='undo-bar']", |t| {
        t.starts_with("Seite gelöscht.")
    })
    .await;
    let focused = app.client.active_element().await.unwrap();
    assert!(
        focused.attr("data-page").await.unwrap().is_some(),
        "the focus stays on a page"
    );
    crate::harness::press(&app, "\u{E009}z\u{E000}").await;
    app.wait_text(".summary", |t| t.starts_with("4 Seiten"))
        .await;
    app.wait_for("li.page[data-blank='true']")
        .await
        .send_keys("\u{E017}")
        .await
        .unwrap();
    app.wait_text(".summary", |t| t.starts_with("3 Seiten"))
        .await;

    // Rotate the first page; move the letter (page 3) before page 2 with Alt+←.
    app.click(&format!(
        "li.page[data-page='{}'] button[data-action='rotate']",
        ids[0]
    ))
    .await;
    app.wait_for(&format!(
        "li.page[data-page='{}'][data-rotation='1']",
        ids[0]
    ))
    .await;
    app.wait_for(&format!("li.page[data-page='{}']", ids[2]))
        .await
        .send_keys("\u{E00A}\u{E012}")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while page_ids(&app).await != [ids[0].clone(), ids[2].clone(), ids[1].clone()] {
        assert!(
            Instant::now() < deadline,
            "the page did not move: {:?}",
            page_ids(&app).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Split before the last page (the second scanner page): two documents.
    app.click(&format!(
        "li.page[data-page='{}'] button[data-action='split']",
        ids[1]
    ))
    .await;
    let split_pressed = format!(
        "li.page[data-page='{}'] button[data-action='split'][aria-pressed='true']",
        ids[1]
    );
    app.wait_for(&split_pressed).await;
    // The rules would drop that break: they ask first; "keep" keeps it.
    app.click("button[data-action='separate']").await;
    app.wait_text("dialog[open]", |t| {
        t.contains("1 von Hand gesetzte Dokumentgrenze ersetzen")
    })
    .await;
    app.click("dialog[open] button[data-action='cancel']").await;
    app.wait_for(&split_pressed).await;
    // Replaced when asked for, and undone with Ctrl+Z.
    app.click("button[data-action='separate']").await;
    app.click("dialog[open] button[data-action='confirm']")
        .await;
    app.wait_for(&format!(
        "li.page[data-page='{}'] button[data-action='split'][aria-pressed='false']",
        ids[1]
    ))
    .await;
    app.wait_text("[data-testid='undo-bar']", |t| {
        t.starts_with("Nach Regeln getrennt.")
    })
    .await;
    app.wait_for(&format!("li.page[data-page='{}']", ids[0]))
        .await
        .click()
        .await
        .unwrap();
    crate::harness::press(&app, "\u{E009}z\u{E000}").await;
    app.wait_for(&split_pressed).await;
    app.type_into("#doc-az", "530.12-2026/0042").await;
    app.type_into("#doc-type", "Brief").await;
    // The check shows every page of each document; one chosen is shown large in its card.
    let deadline = Instant::now() + Duration::from_secs(15);
    let doc_pages = loop {
        let found = app
            .client
            .find_all(crate::harness::css(
                "article[data-check-doc] button[data-doc-page]",
            ))
            .await
            .unwrap();
        if found.len() == 3 || Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(doc_pages.len(), 3, "every page of the two documents");
    let last = doc_pages.last().unwrap();
    let id = last.attr("data-doc-page").await.unwrap().unwrap();
    last.click().await.unwrap();
    app.wait_for(&format!(
        "article[data-check-doc] .doc-viewer [data-viewer='{id}'] .area img"
    ))
    .await;
    check_and_release(&app, "Posteingang Montag").await;
    // The summary before anything is made: two documents, both typed, originals kept
    // (zero configuration: neither a seal nor a written justification).
    let summary = confirm_release(
        &app,
        "bleiben aufbewahrt (weder Siegel noch schriftliche Begründung für den Verzicht darauf)",
    )
    .await;
    assert!(
        summary.contains("2 Dokumente mit 3 Seiten")
            && summary.contains("Posteingang Montag (2/2)")
            && summary.contains("Dokumentart: Brief"),
        "{summary}"
    );
    app.wait_text("[data-testid='scan-notice']", |t| {
        t.starts_with("2 Dokumente erzeugt")
    })
    .await;
    // Released: the page tools are gone, and a page turned by keyboard is refused by the
    // core — the delivered PDF and the log stay in agreement.
    assert!(app
        .client
        .find_all(crate::harness::css("li.page button[data-action='rotate']"))
        .await
        .unwrap()
        .is_empty());
    app.wait_for(&format!("li.page[data-page='{}']", ids[0]))
        .await
        .send_keys("r")
        .await
        .unwrap();
    app.wait_text("ul.error", |t| t.contains("Dieser Stapel ist freigegeben"))
        .await;
    // The office puts the batch on legal hold: never purged, and the list says so.
    app.click("#batch-hold").await;
    app.wait_text("[data-testid='scan-notice']", |t| {
        t == "Der Stapel ist gesperrt und wird nicht gelöscht."
    })
    .await;
    app.wait_text("button[aria-current='true'] ", |t| {
        t.contains("gesperrt (wird nicht gelöscht)")
    })
    .await;

    // Delivered by the sync worker into <data>/ausgang; each PDF/A passes the checks.
    let deadline = Instant::now() + Duration::from_secs(30);
    let pdfs = loop {
        let mut found: Vec<_> = walk(&data.path().join("ausgang"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        if found.len() == 2 {
            found.sort();
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "two PDFs never arrived: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut pages = Vec::new();
    for pdf in &pdfs {
        let p = pdf.to_str().unwrap();
        run("qpdf", &["--check", p]);
        let info = run("pdfinfo", &["-f", "1", "-l", "3", p]);
        let n: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        pages.push((n, info.contains("rot:   90")));
        let meta = run("pdfinfo", &["-meta", p]);
        assert!(meta.contains("<pdfaid:part>3</pdfaid:part>"), "{meta}");
        assert!(meta.contains("<eingang:aktenzeichen>530.12-2026/0042</eingang:aktenzeichen>"));
        assert!(run("pdfimages", &["-list", p]).contains("jpeg"));
    }
    pages.sort_unstable();
    assert_eq!(
        pages,
        [(1, false), (2, true)],
        "documents of 2 (first page turned) and 1 page"
    );
    app.wait_text("table.docs tbody", |t| t.matches("Geliefert").count() == 2)
        .await;
    // Zero configuration: neither a seal nor a written justification, so the originals stay.
    app.wait_text("[data-testid='release-state']", |t| {
        t.starts_with("Freigegeben. Die Papieroriginale bleiben aufbewahrt")
    })
    .await;
    app.quit().await;
}

pub(crate) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "current_thread")]
async fn files_and_e_mails_dropped_into_the_configured_hot_folder_appear_as_pages_without_tesseract(
) {
    let data = tempfile::tempdir().unwrap();
    let inbox = data.path().join("scanner-eingang");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[scan]\nhotfolder = \"{}\"\nhotfolder_settle_secs = 0\n",
            inbox.display()
        ),
    )
    .unwrap();
    // This machine's Tesseract is "missing" here: the app works on and says so.
    let nowhere = data.path().join("kein-tesseract");
    let driver = Driver::start_with(&[("EINGANG_TESSERACT", nowhere.as_path())]);
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;
    app.wait_text("#batches-heading", |t| t == "Stapel").await;
    let notice = app.text("[data-testid='ocr-notice']").await;
    assert!(
        notice.starts_with("Texterkennung nicht verfügbar")
            && notice.contains("apt-get install tesseract-ocr"),
        "{notice}"
    );
    // A network scanner writes under a temporary name, then renames.
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(png(
            400,
            560,
            |x, y| if y % 40 < 8 && x > 40 { 30 } else { 240 },
        ))
        .unwrap();
    std::fs::write(inbox.join("scan0001.png.part"), &bytes).unwrap();
    std::fs::rename(inbox.join("scan0001.png.part"), inbox.join("scan0001.png")).unwrap();
    let button = app
        .wait_text("ul.batches", |t| t.contains("Hotfolder"))
        .await;
    assert!(button.contains("1 Seite"), "{button}");
    app.click("ul.batches button.batch").await;
    wait_pages(&app, 1).await;
    let page = app.text("li.page").await;
    assert!(page.contains("scan0001.png"), "{page}");
    let archived = walk(&inbox.join("archive"));
    assert!(
        archived.iter().any(|p| p.ends_with("scan0001.png")),
        "{archived:?}"
    );
    // The central postbox drops an e-mail: it becomes the next document, its sender shown.
    std::fs::write(
        inbox.join("post.eml"),
        "From: Erika Mustermann <erika@example.org>\r\nSubject: Antrag auf Sondernutzung\r\n\
         Date: Fri, 27 Nov 2026 09:15:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Bitte um Genehmigung eines Infostands.\r\n",
    )
    .unwrap();
    wait_pages(&app, 2).await;
    let pages = app.text("ol.pages").await;
    assert!(
        pages.contains("Dokument 2") && pages.contains("post.eml"),
        "{pages}"
    );
    assert!(pages.contains("absender: erika@example.org"), "{pages}");
    app.quit().await;
}

/// A page with a barcode (made by rxing's encoder) drawn on white paper, as PNG base64.
fn sheet_png(codes: &[(rxing::BarcodeFormat, &str, i32, i32, u32, u32)]) -> String {
    use rxing::Writer as _;
    let (w, h) = (1240u32, 1754u32);
    let mut img = image::GrayImage::from_pixel(w, h, image::Luma([245]));
    for (format, text, bw, bh, x0, y0) in codes {
        let m = rxing::MultiFormatWriter
            .encode(text, format, *bw, *bh)
            .unwrap();
        for y in 0..m.getHeight() {
            for x in 0..m.getWidth() {
                if m.get(x, y) {
                    img.put_pixel(x0 + x, y0 + y, image::Luma([15]));
                }
            }
        }
    }
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A letter with real words (and `reference`, the sender's note of the case), as a PDF with
/// text (rendered to an image when imported, like a born-digital attachment), base64.
pub(crate) fn letter_pdf(reference: &str) -> String {
    use eingang_pdf::{render_form_pdf, Entry, FormPdf};
    let field = |label: &str, value: &str| Entry::Field {
        label: label.into(),
        value: value.into(),
        depth: 0,
    };
    let pdf = render_form_pdf(&FormPdf {
        title: "Widerspruch gegen den Gebührenbescheid".into(),
        subtitle: "Stadt Musterstadt, Bauordnungsamt".into(),
        reference: "Eingang am 27. November 2026".into(),
        footer: "Brief".into(),
        page_label: "Seite {n} von {m}".into(),
        entries: vec![
            field("Absender", "Erika Mustermann, Lindenallee 5"),
            field("Ihr Zeichen", reference),
            field(
                "Anliegen",
                "Hiermit lege ich Widerspruch gegen den Bescheid vom 12. November ein.",
            ),
        ],
        created: "2026-11-27T09:00:00Z".into(),
        language: "de".into(),
    })
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(pdf)
}

/// Sets a file on a file input, as the picker does.
pub(crate) async fn pick_file(app: &crate::harness::App, input: &str, name: &str, text: &str) {
    app.wait_for(input).await;
    app.client
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[2]], arguments[1], { type: 'text/csv' }));
             const i = document.querySelector(arguments[0]); i.files = dt.files;
             i.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![input.into(), name.into(), text.into()],
        )
        .await
        .unwrap();
}

/// The scan office's day, end to end: master data imported; a batch of dropped files
/// (separator sheets, one with a QR code carrying the Aktenzeichen, a letter with words)
/// and a page from SANE's test scanner, separated at the sheets; indexed at the station
/// (one value from the barcode, one that breaks its unit's pattern shown at its field and
/// fixed); the four-eyes rule refuses the scanner as checker; a second person checks;
/// OCR reads in the background; released, delivered as PDF/A-3b with the Transfervermerk
/// inside and beside it and a text layer pdftotext reads; `eingang audit verify` passes,
/// and fails once a record is altered in the database.
#[tokio::test(flavor = "current_thread")]
#[allow(clippy::too_many_lines)] // one scenario, in the order the office works
async fn the_scan_office_day_separates_indexes_checks_releases_and_proves_it() {
    use rxing::BarcodeFormat;
    let sane = tempfile::tempdir().unwrap();
    std::fs::write(sane.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(sane.path().join("test.conf"), t).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    // The grey profile with OCR, every document checked, four-eyes, and a rule that fills
    // the Aktenzeichen from a QR code.
    {
        let store = eingang_store::Store::open(data.path()).unwrap();
        let json = r#"{"id":"post","name":"Posteingang mit Trennblättern","mode":"Gray","resolution":150,
            "processing":{"read_barcodes":true,"ocr":true,"mode":"grey"},
            "separation":{"barcode_separators":["PATCHT"],"index_from_barcodes":[{"field":"aktenzeichen","pattern":"^AZ:(.+)$"}]},
            "qc":{"protection":"sehr_hoch","four_eyes":true}}"#;
        store
            .with_tx(|c| profiles::save_profile(c, "post", "Posteingang mit Trennblättern", json))
            .unwrap();
    }
    // Protection need "sehr hoch": a seal and a timestamp are required. The machine's
    // configuration has neither at first; the test PKI (SoftHSM2 token, certomancer's
    // timestamp authority) is ready for when IT sets them up.
    let pki = eingang_seal::testing::Pki::shared();
    // People sign in with their directory account (OpenLDAP on loopback, StartTLS).
    let ldap = eingang_seal::testing::Slapd::shared();
    let directory = format!(
        "[station]\nname = \"Scanstelle 1\"\n[directory]\nurl = \"{}\"\nuser_dn = \"uid={{user}},ou=people,dc=stadt,dc=test\"\nca = [\"{}\"]\n",
        ldap.url(),
        ldap.ca().display()
    );
    let etc = tempfile::tempdir().unwrap();
    let machine = etc.path().join("config.toml");
    std::fs::write(&machine, &directory).unwrap();
    let softhsm = pki.softhsm_conf();
    let driver = Driver::start_with(&[
        ("SANE_CONFIG_DIR", sane.path()),
        ("EINGANG_MACHINE_CONFIG", machine.as_path()),
        ("SOFTHSM2_CONF", softhsm.as_path()),
    ]);
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;

    // Master data: one file with an error changes nothing, the good one is taken.
    pick_file(
        &app,
        "#masterdata",
        "kaputt.csv",
        "art;code;bezeichnung\nort;1;x\n",
    )
    .await;
    app.wait_text("[data-testid='station-notice']", |t| {
        t.starts_with("Stammdaten nicht übernommen") && t.contains("line 2, art")
    })
    .await;
    pick_file(
        &app,
        "#masterdata",
        "stammdaten.csv",
        "art;code;bezeichnung;muster;felder\neinheit;530.12;Bauordnung;530\\.12-\\d{4}/\\d{4};\ndokumentart;widerspruch;Widerspruch;;aktenzeichen|organisationseinheit\n",
    )
    .await;
    app.wait_text(".station", |t| {
        t.contains("1 Organisationseinheit, 1 Dokumentart")
    })
    .await;

    // Anna scans: a wrong password first, then hers.
    app.retype("#operator", "anna").await;
    app.retype("#operator-password", "geraten").await;
    app.click("button[data-action='sign-in']").await;
    app.wait_text("#operator-error", |t| {
        t == "Anmeldename oder Passwort ist falsch."
    })
    .await;
    directory_sign_in(&app, "anna", &ldap.password("anna"), "Anna Scanner (anna)").await;
    app.type_into("#batch-name", "Trennblätter").await;
    app.client
        .execute(
            "const s = document.getElementById('batch-profile'); s.value = 'post';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    app.click("button[data-action='batch-create']").await;
    app.wait_text(".batch-view h2", |t| t == "Trennblätter")
        .await;
    let files = serde_json::json!([
        [
            "1.png",
            sheet_png(&[
                (BarcodeFormat::CODE_39, "PATCHT", 600, 160, 300, 300),
                (
                    BarcodeFormat::QR_CODE,
                    "AZ:530.12-2026/0077",
                    240,
                    240,
                    500,
                    900
                )
            ])
        ],
        ["brief.pdf", letter_pdf("siehe oben")],
        [
            "3.png",
            sheet_png(&[(BarcodeFormat::CODE_39, "PATCHT", 600, 160, 300, 300)])
        ],
        ["nachtrag.pdf", letter_pdf("530.12-2026/0078")],
    ]);
    drop_files(&app, files).await;
    app.wait_text("[data-testid='scan-notice']", |t| {
        t == "4 Seiten übernommen."
    })
    .await;
    // One page from the test scanner ends the batch (in the second document).
    scan_from_test_scanner(&app, 1).await;
    wait_pages(&app, 5).await;
    app.click("button[data-action='separate']").await;
    let notice = app
        .wait_text("[data-testid='scan-notice']", |t| {
            t.starts_with("2 Dokumente")
        })
        .await;
    assert!(
        notice.contains("2 Trennblätter") && notice.contains("1 Indexwert aus"),
        "{notice}"
    );
    wait_pages(&app, 3).await;

    // The index station: document 1's Aktenzeichen came from the barcode (the station
    // follows the separation once its view of the batch is loaded again).
    let deadline = Instant::now() + Duration::from_secs(15);
    let az = loop {
        let az = app.wait_for("#idx-1-aktenzeichen").await;
        if az.prop("value").await.ok().flatten().as_deref() == Some("530.12-2026/0077") {
            break az;
        }
        assert!(
            Instant::now() < deadline,
            "document 1 never showed the Aktenzeichen from its barcode"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Bild ↓ / Bild ↑ between the documents' cards.
    az.click().await.unwrap();
    crate::harness::press(&app, "\u{E00F}").await;
    let here = app
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(here, "idx-2-dokumentart");
    crate::harness::press(&app, "\u{E00E}").await;
    let here = app
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(here, "idx-1-dokumentart");
    app.pick(&[
        ("idx-1-dokumentart", "widerspruch"),
        ("idx-1-organisationseinheit", "530.12"),
    ])
    .await;
    app.click("button[data-action='index-save-1']").await;
    app.wait_text("[data-testid='check-message-1']", |t| {
        t == "Index gespeichert."
    })
    .await;
    // Document 2: a value that breaks the pattern is named at its field; the Aktenzeichen in
    // the letter's text (once OCR has read it) is offered and taken.
    app.pick(&[
        ("idx-2-dokumentart", "widerspruch"),
        ("idx-2-organisationseinheit", "530.12"),
    ])
    .await;
    app.type_into("#idx-2-aktenzeichen", "530.12-26/9").await;
    app.click("button[data-action='index-save-2']").await;
    let error = app.text("#idx-2-aktenzeichen-error").await;
    assert!(error.contains("passt nicht zum Muster"), "{error}");
    let field = app
        .wait_for("#idx-2-aktenzeichen[aria-invalid='true']")
        .await;
    assert_eq!(
        field.attr("aria-describedby").await.unwrap().as_deref(),
        Some("idx-2-aktenzeichen-error")
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let offered = app
            .client
            .find(crate::harness::css("[data-testid='suggestion-2']"))
            .await;
        if let Ok(el) = offered {
            let text = el.text().await.unwrap();
            assert!(text.contains("Aktenzeichen: 530.12-2026/0078"), "{text}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "OCR never suggested the Aktenzeichen"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.click("button[data-action='suggestion-2']").await;
    let az = app.wait_for("#idx-2-aktenzeichen").await;
    assert_eq!(
        az.prop("value").await.unwrap().as_deref(),
        Some("530.12-2026/0078")
    );
    app.click("button[data-action='index-save-2']").await;
    app.wait_text("[data-testid='check-message-2']", |t| {
        t == "Index gespeichert."
    })
    .await;

    // Four-eyes: whoever scanned cannot check — Anna, signing in again with her directory
    // password, is still Anna.
    directory_sign_in(&app, "anna", &ldap.password("anna"), "Anna Scanner (anna)").await;
    app.click("button[data-action='pass-1']").await;
    app.wait_text("[data-testid='check-message-1']", |t| {
        t.starts_with("Vier-Augen-Prinzip")
    })
    .await;
    let axe = axe_source();
    let found = violations(&app, &axe).await;
    assert!(
        found.is_empty(),
        "axe on the index and check station: {found:#?}"
    );
    directory_sign_in(
        &app,
        "bernd",
        &ldap.password("bernd"),
        "Bernd Prüfer (bernd)",
    )
    .await;
    pass_open_and_release(&app, "Widerspruch").await;
    // The summary says why not, and offers no release.
    app.wait_text("dialog[open] [data-testid='release-blocked']", |t| {
        t.contains("elektronisches Siegel")
    })
    .await;
    assert!(app
        .client
        .find(crate::harness::css(
            "dialog[open] button[data-action='confirm']"
        ))
        .await
        .unwrap()
        .attr("disabled")
        .await
        .unwrap()
        .is_some());
    app.click("dialog[open] button[data-action='cancel']").await;
    // IT sets up the seal and the timestamp service — at first a timestamp service that is
    // down (nobody listens on its port); the PIN is not stored yet.
    let seal_config = |tsa: &str| {
        format!(
            "{directory}[seal]\nmodule = \"{}\"\ntoken = \"eingang-siegel\"\nkey = \"seal\"\nname = \"Stadt Musterstadt, Scanstelle\"\ntrust = [\"{}\"]\n[timestamp]\nurl = \"{tsa}\"\ntimeout_secs = 3\n",
            eingang_seal::testing::MODULE,
            pki.cert_path("root").display(),
        )
    };
    let down = {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/tsa", closed.local_addr().unwrap())
    };
    std::fs::write(&machine, seal_config(&down)).unwrap();
    app.click("button[data-action='documents-make']").await;
    app.wait_text("ul.error", |t| t.contains("PIN des Siegels"))
        .await;
    // The PIN once into the key store, as the administration guide says.
    let cli = crate::harness::app_binary().with_file_name("eingang");
    let mut pin = Command::new(&cli)
        .args(["seal", "pin"])
        .env("EINGANG_DATA_DIR", data.path())
        .env("EINGANG_KEYRING", "off")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = pin.stdin.take().unwrap();
        writeln!(stdin, "{}", pki.pin()).unwrap();
    }
    assert!(pin.wait().unwrap().success());
    app.click("button[data-action='documents-make']").await;
    let summary = confirm_release(
        &app,
        "dürfen vernichtet werden, sobald das DMS jedes Dokument bestätigt hat",
    )
    .await;
    assert!(
        summary.contains("mit elektronischem Siegel und Zeitstempel"),
        "{summary}"
    );
    // The timestamp service is down: nothing is released without it; the release waits,
    // the batch is locked, and it is tried again.
    app.wait_text("[data-testid='release-state']", |t| {
        t.starts_with("Die Freigabe wartet: Der Zeitstempeldienst ist nicht erreichbar.")
            && t.contains("bisher 1 Versuch)")
    })
    .await;
    assert!(!walk(&data.path().join("ausgang"))
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "pdf")));
    // Back up (IT fixed the address): tried again now from the batch.
    std::fs::write(&machine, seal_config(&pki.tsa_url())).unwrap();
    app.click("button[data-action='release-retry']").await;
    app.wait_text("[data-testid='scan-notice']", |t| {
        t.starts_with("2 Dokumente erzeugt")
    })
    .await;
    app.wait_text("table.docs tbody", |t| t.matches("Geliefert").count() == 2)
        .await;

    // What the DMS received.
    let out = data.path().join("ausgang");
    let pdfs: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 2);
    let mut words = String::new();
    for pdf in &pdfs {
        let p = pdf.to_str().unwrap();
        run("qpdf", &["--check", p]);
        let meta = run("pdfinfo", &["-meta", p]);
        assert!(meta.contains("<pdfaid:part>3</pdfaid:part>"), "{meta}");
        assert!(
            meta.contains("<eingang:transfervermerk_pruefer>Bernd Prüfer (bernd)<"),
            "{meta}"
        );
        assert!(run("pdfdetach", &["-list", p]).contains("transfervermerk.xml"));
        let tv = pdf.with_extension("transfervermerk.xml");
        let tv = std::fs::read_to_string(&tv).unwrap();
        assert!(tv.contains("pruefer=\"Bernd Prüfer (bernd)\""), "{tv}");
        words.push_str(&run("pdftotext", &[p, "-"]));
    }
    for w in ["Widerspruch", "Gebührenbescheid", "Mustermann"] {
        assert!(
            words.contains(w),
            "{w} not found in the text layer: {words}"
        );
    }
    let index: String = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".index.xml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(index.contains("530.12-2026/0077") && index.contains("530.12-2026/0078"));
    assert!(
        words.contains("530.12-2026/0078"),
        "the letter's reference in the text layer"
    );
    assert!(index.contains("<integritaet algorithmus=\"SHA-256\""));
    // Only with both receipts from the DMS may the paper go.
    app.wait_text("[data-testid='release-state']", |t| {
        t == "Freigegeben und vom DMS bestätigt. Die Papieroriginale dürfen vernichtet werden."
    })
    .await;
    // The seal checked in the app, on the delivered document.
    app.click("table.docs tbody tr:first-child button[data-action='seal-verify']")
        .await;
    let check = app
        .wait_text(
            "table.docs tbody tr:first-child [data-testid='seal-check']",
            |t| !t.is_empty(),
        )
        .await;
    assert!(
        check.starts_with("Gültig: gesiegelt von Scanstelle Musterstadt, Zeitstempel")
            && check.contains("(Test-Zeitstempeldienst); seither unverändert."),
        "{check}"
    );
    app.quit().await;

    // Each delivered PDF/A is sealed and timestamped: Eingang's verifier, pyHanko and
    // poppler accept it; one changed byte fails all three.
    let eingang_verify = |file: &std::path::Path| {
        Command::new(&cli)
            .arg("verify")
            .arg(file)
            .env("EINGANG_DATA_DIR", data.path())
            .env("EINGANG_KEYRING", "off")
            .env("EINGANG_MACHINE_CONFIG", &machine)
            .output()
            .unwrap()
    };
    for pdf in &pdfs {
        let out = eingang_verify(pdf);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "eingang verify: {text}");
        assert!(text.contains("Test-Zeitstempeldienst"), "{text}");
        let (ok, text) = pki.pyhanko(pdf);
        assert!(ok, "pyHanko: {text}");
        let (ok, text) = pki.pdfsig(pdf);
        assert!(ok, "pdfsig: {text}");
        let mut bytes = std::fs::read(pdf).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0x01;
        let tampered = etc.path().join("tampered.pdf");
        std::fs::write(&tampered, &bytes).unwrap();
        assert_eq!(eingang_verify(&tampered).status.code(), Some(1));
        assert!(!pki.pyhanko(&tampered).0, "pyHanko accepted a changed file");
        assert!(!pki.pdfsig(&tampered).0, "pdfsig accepted a changed file");
        // The sealed integrity record beside it vouches for the Transfervermerk: one changed
        // letter there is named.
        let record = pdf.with_extension("integritaet.json");
        let out = eingang_verify(&record);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "eingang verify (record): {text}");
        assert!(text.contains("Transfervermerk:   unchanged"), "{text}");
        let tv = pdf.with_extension("transfervermerk.xml");
        let original = std::fs::read_to_string(&tv).unwrap();
        std::fs::write(&tv, original.replacen("Bernd", "Berna", 1)).unwrap();
        let out = eingang_verify(&record);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("Transfervermerk:   CHANGED"), "{text}");
        std::fs::write(&tv, original).unwrap();
    }

    // The audit log holds, and breaks when someone edits it.
    let verify = || {
        Command::new(&cli)
            .args(["audit", "verify"])
            .env("EINGANG_DATA_DIR", data.path())
            .env("EINGANG_KEYRING", "off")
            .output()
            .unwrap()
    };
    let ok = verify();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let db = eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor = 'jemand' WHERE kind = 'qc.verdict';",
    )
    .unwrap();
    drop(db);
    let broken = verify();
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("BROKEN"));
}

/// A long batch list comes a page at a time: 50 batches, "Weitere 50 anzeigen" for the
/// rest, and when the list has ended the focus is on its last batch, not lost.
#[tokio::test(flavor = "current_thread")]
async fn a_long_batch_list_shows_fifty_and_the_rest_on_request() {
    let data = tempfile::tempdir().unwrap();
    {
        let store = eingang_store::Store::open(data.path()).unwrap();
        store
            .with_tx(|c| {
                for i in 0..62 {
                    eingang_store::tables::batches::create_batch(
                        c,
                        &format!("Stapel {i:02}"),
                        None,
                        "{}",
                    )?;
                }
                Ok(())
            })
            .unwrap();
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;
    app.wait_for(".batches li").await;
    let count = |app: &crate::harness::App| {
        let client = app.client.clone();
        async move {
            client
                .find_all(crate::harness::css(".batches li"))
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(&app).await, 50);
    let shown = app.text("p.more span").await;
    assert_eq!(shown, "50 angezeigt, weitere vorhanden");
    app.click("p.more button").await;
    for _ in 0..100 {
        if count(&app).await == 62 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count(&app).await, 62);
    assert!(
        app.client
            .find_all(crate::harness::css("p.more"))
            .await
            .unwrap()
            .is_empty(),
        "the button goes when the list has ended"
    );
    let focused = app
        .client
        .execute("return document.activeElement.closest('li') === document.querySelector('.batches li:last-child')", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!(true), "focus on the last batch");
    // The oldest batch is the last one.
    assert!(app
        .text(".batches li:last-child .batch-name")
        .await
        .ends_with("Stapel 00"));
    app.quit().await;
}
