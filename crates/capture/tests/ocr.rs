//! OCR with the real Tesseract: a letter's words come back with their boxes, the store's
//! queue is worked by a pool, and a Tesseract that crashes or hangs costs only the page
//! (marked failed with the reason, flagged for the check), never the batch.

// Debian's Tesseract and shell-script stand-ins for it: Unix only (under Wine a Windows
// process cannot start them).
#![cfg(unix)]
// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_capture::intake::import;
use eingang_capture::ocr::{run_pending, Tesseract};
use eingang_capture::profile::profiles;
use eingang_capture::Limits;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;
use std::sync::atomic::AtomicBool;

/// A letter with real words, rendered at 300 dpi by poppler from a text PDF, as PNG bytes.
fn letter_png(dir: &std::path::Path) -> Vec<u8> {
    use eingang_pdf::{render_form_pdf, Entry, FormPdf};
    let pdf = render_form_pdf(&FormPdf {
        title: "Widerspruch gegen den Gebührenbescheid".into(),
        subtitle: "Stadt Musterstadt".into(),
        reference: "Eingang 27.11.2026".into(),
        footer: "Brief".into(),
        page_label: "Seite {n} von {m}".into(),
        entries: vec![Entry::Field {
            label: "Absender".into(),
            value: "Erika Mustermann".into(),
            depth: 0,
        }],
        created: "2026-11-27T09:00:00Z".into(),
        language: "de".into(),
    })
    .unwrap();
    let path = dir.join("brief.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = dir.join("brief");
    let status = Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png", "-singlefile"])
        .arg(&path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(dir.join("brief.png")).unwrap()
}

fn batch_with(store: &Store, pages: Vec<(String, Vec<u8>)>) -> eingang_model::BatchId {
    batch_oriented(
        store,
        pages,
        Some(eingang_capture::profile::ScanProfile::ORIENT_CONFIDENCE),
    )
}

/// [`batch_with`], the orientation reading turning pages from `auto_orient` (`None`: off).
fn batch_oriented(
    store: &Store,
    pages: Vec<(String, Vec<u8>)>,
    auto_orient: Option<f32>,
) -> eingang_model::BatchId {
    let mut profile = profiles(store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "standard")
        .unwrap();
    profile.processing.ocr = true;
    profile.processing.auto_orient = auto_orient;
    let id = store
        .with_tx(|c| {
            batches::create_batch(
                c,
                "OCR",
                Some("standard"),
                &serde_json::to_string(&profile).unwrap(),
            )
        })
        .unwrap();
    let report = import(
        store,
        &id,
        pages.into_iter().map(|(n, b)| (n, Ok(b))),
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    assert_eq!(report.processed, 2, "{report:?}");
    id
}

/// A stand-in `tesseract` that lists the languages, then behaves as `body` says.
fn fake_tesseract(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --list-langs ]; then printf 'List of available languages (2):\\ndeu\\neng\\n'; exit 0; fi\ncat >/dev/null\n{body}\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_letter_is_read_and_a_crashing_or_hanging_tesseract_costs_only_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let letter = letter_png(dir.path());
    let batch = batch_with(
        &store,
        vec![("a.png".into(), letter.clone()), ("b.png".into(), letter)],
    );
    let cancel = AtomicBool::new(false);

    // Tesseract crashes (SIGSEGV): both pages failed, with the reason; nothing else lost.
    let crash = fake_tesseract(
        dir.path(),
        "crash",
        "echo 'Segmentation fault' >&2; kill -SEGV $$",
    );
    let tess = Tesseract::at(crash, "deu+eng").unwrap();
    let r = run_pending(&store, &tess, Some(&batch), 2, &cancel, &|_, _| {}).unwrap();
    assert_eq!((r.done, r.failed), (0, 2));
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    for p in &pages {
        assert_eq!(p.ocr_state.as_deref(), Some("failed"));
        let why = p.ocr_error.as_deref().unwrap();
        assert!(why.starts_with("Tesseract failed on this page"), "{why}");
        assert_eq!(p.state, "processed", "the page itself is kept");
    }
    let check = eingang_capture::qc::state(&store, &batch).unwrap();
    assert!(check.documents[0]
        .flags
        .contains(&"ocr_failed:1".to_owned()));

    // Tesseract hangs: stopped at the time limit, the page says so.
    assert_eq!(store.with_tx(|c| pages::ocr_request(c, &batch)).unwrap(), 2);
    let hang = fake_tesseract(dir.path(), "hang", "sleep 30");
    let mut tess = Tesseract::at(hang, "deu+eng").unwrap();
    tess.timeout = std::time::Duration::from_secs(1);
    let started = std::time::Instant::now();
    let r = run_pending(&store, &tess, Some(&batch), 2, &cancel, &|_, _| {}).unwrap();
    assert_eq!(r.failed, 2);
    assert!(
        started.elapsed().as_secs() < 10,
        "both stopped, in parallel"
    );
    let page = store.with_conn(|c| pages::page(c, &pages[0].id)).unwrap();
    assert!(page.ocr_error.unwrap().contains("took longer than 1 s"));

    // Missing languages are named before anything runs.
    let none = Tesseract::at(dir.path().join("crash"), "deu+fra").unwrap_err();
    assert!(none.to_string().contains("tesseract-ocr-fra"), "{none}");

    // Again with the real Tesseract: the words of the letter, at plausible places.
    assert_eq!(store.with_tx(|c| pages::ocr_request(c, &batch)).unwrap(), 2);
    let tess = Tesseract::find("deu+eng").expect("scripts/test.sh installs Tesseract");
    let r = run_pending(&store, &tess, Some(&batch), 2, &cancel, &|_, _| {}).unwrap();
    assert_eq!((r.done, r.failed), (2, 0));
    let json = store
        .with_conn(|c| pages::ocr_words(c, &pages[0].id))
        .unwrap()
        .unwrap();
    let words = eingang_capture::ocr::PageText::parse(&json).unwrap().words;
    let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    for w in ["Widerspruch", "Gebührenbescheid", "Mustermann"] {
        assert!(text.contains(&w), "{w} in {text:?}");
    }
    let page = store.with_conn(|c| pages::page(c, &pages[0].id)).unwrap();
    let (pw, ph) = (page.width.unwrap(), page.height.unwrap());
    assert!(words.iter().all(|w| w.x + w.w <= pw && w.y + w.h <= ph));
}

/// Reads every page of `batch` waiting for OCR (Tesseract with German and English).
fn read_all(store: &Store, batch: &eingang_model::BatchId) {
    let tess = Tesseract::find("deu+eng").unwrap();
    run_pending(
        store,
        &tess,
        Some(batch),
        2,
        &AtomicBool::new(false),
        &|_, _| {},
    )
    .unwrap();
}

/// A page's words as the OCR stored them.
fn text_of(store: &Store, page: &eingang_model::PageId) -> eingang_capture::ocr::PageText {
    let json = store
        .with_conn(|c| pages::ocr_words(c, page))
        .unwrap()
        .unwrap();
    eingang_capture::ocr::PageText::parse(&json).unwrap()
}

/// The test letter turned half round, as PNG.
fn upside_down_letter(dir: &std::path::Path) -> Vec<u8> {
    let upright = image::load_from_memory(&letter_png(dir)).unwrap();
    let mut out = Vec::new();
    upright
        .rotate180()
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A letter fed upside down, with the built-in profile: the orientation reading turns it
/// (logged with its confidence) before OCR reads it, so it is read the right way up.
#[test]
fn a_letter_fed_upside_down_is_turned_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let upside_down = upside_down_letter(dir.path());
    let batch = batch_with(
        &store,
        vec![
            ("kopfueber.png".into(), upside_down),
            ("aufrecht.png".into(), letter_png(dir.path())),
        ],
    );
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!((pages[0].rotation, pages[1].rotation), (2, 0));
    let log = store
        .with_conn(|c| eingang_store::tables::page_log::page_log(c, &pages[0].id))
        .unwrap();
    let reading = log.iter().find(|(_, op, _)| op == "orientation").unwrap();
    assert!(reading.2.contains("\"turn_degrees\":180") && reading.2.contains("\"applied\":true"));
    read_all(&store, &batch);
    let text = text_of(&store, &pages[0].id);
    assert_eq!(text.rotation, 2);
    assert!(text.words.iter().any(|w| w.text == "Widerspruch"));
}

/// A letter fed upside down whose orientation reading was not sure enough to turn it (here:
/// the profile asks for certainty): the OCR reads it as noise, reads it turned, and turns
/// it — logged as `ocr_rotation` with the confidence it read at. A page a person turned is
/// never turned by it.
#[test]
fn a_page_the_orientation_reading_left_upside_down_is_turned_by_the_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let upside_down = upside_down_letter(dir.path());
    let batch = batch_oriented(
        &store,
        vec![
            ("kopfueber.png".into(), upside_down.clone()),
            ("von-hand.png".into(), upside_down),
        ],
        Some(1.0),
    );
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!(
        (pages[0].rotation, pages[1].rotation),
        (0, 0),
        "not sure enough"
    );
    // A person turns the second page a quarter (wrongly): the OCR leaves it as they did.
    store
        .with_tx(|c| pages::edit_page(c, &pages[1].id, pages::PageEdit::Rotation(1)))
        .unwrap();
    read_all(&store, &batch);
    let after = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!((after[0].rotation, after[1].rotation), (2, 1));
    let text = text_of(&store, &after[0].id);
    assert_eq!(text.rotation, 2);
    assert!(text.words.iter().any(|w| w.text == "Widerspruch"));
    let log = store
        .with_conn(|c| eingang_store::tables::page_log::page_log(c, &after[0].id))
        .unwrap();
    let (_, _, turned) = log.iter().find(|(_, op, _)| op == "ocr_rotation").unwrap();
    let turned: serde_json::Value = serde_json::from_str(turned).unwrap();
    assert_eq!(turned["old"], 0);
    assert!(turned["confidence"].as_f64().unwrap() >= 60.0, "{turned}");
}

/// A letter fed upside down with a profile that does not read the orientation: once the
/// user turns the page, it is read again the right way up, and the released PDF's text
/// layer runs the way the turned page reads.
#[test]
fn a_page_turned_by_the_user_is_read_again_the_right_way_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let upside_down = upside_down_letter(dir.path());
    let batch = batch_oriented(
        &store,
        vec![
            ("kopfueber.png".into(), upside_down),
            ("leer.png".into(), letter_png(dir.path())),
        ],
        None,
    );
    let tess = Tesseract::find("deu+eng").unwrap();
    let cancel = AtomicBool::new(false);
    run_pending(&store, &tess, Some(&batch), 2, &cancel, &|_, _| {}).unwrap();
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    let words = |id: &eingang_model::PageId| -> String {
        let json = store
            .with_conn(|c| pages::ocr_words(c, id))
            .unwrap()
            .unwrap();
        let text = eingang_capture::ocr::PageText::parse(&json).unwrap();
        text.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        !words(&pages[0].id).contains("Widerspruch"),
        "upside down reads as noise"
    );
    store
        .with_tx(|c| pages::edit_page(c, &pages[0].id, pages::PageEdit::Rotation(2)))
        .unwrap();
    let page = store.with_conn(|c| pages::page(c, &pages[0].id)).unwrap();
    assert_eq!(
        page.ocr_state.as_deref(),
        Some("pending"),
        "turned: read again"
    );
    run_pending(&store, &tess, Some(&batch), 2, &cancel, &|_, _| {}).unwrap();
    assert!(words(&pages[0].id).contains("Widerspruch"));

    let release = || {
        eingang_capture::release::release(
            &store,
            &batch,
            &eingang_capture::release::Release {
                title: "Brief",
                index: &[("dokumentart".into(), "Brief".into())],
                targets: &["default"],
                sealer: &eingang_capture::transfer::NoSeal,
                station: None,
                justification: None,
                authenticated: false,
                automatic: &[],
            },
        )
    };
    // The check comes first (the scanner cannot pass it); then the release.
    assert!(release().is_err());
    eingang_capture::qc::pass_open(&store, &batch, "Prüferin").unwrap();
    let docs = release().unwrap();
    let pdf = dir.path().join("brief.pdf");
    std::fs::write(&pdf, store.blobs().get(&docs[0].pdf_blob).unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Widerspruch gegen den Gebührenbescheid"),
        "the turned page's text reads in order: {text}"
    );
}
