//! Batches in a real store: files in (a bad one among them), raw scans kept byte for byte,
//! pages processed by the worker pool, blank pages flagged, page operations logged, the
//! batch cut into documents that pass qpdf and poppler, queued in the outbox.

// One story per test: the batch from arrival to the outbox reads best in one piece.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines
)]

mod drawn;
use drawn::release_checked;

use eingang_capture::intake::{import_files, Event};
use eingang_capture::process::Processing;
use eingang_capture::profile::{profiles, ScanProfile};
use eingang_capture::{BatchError, Limits};
use eingang_store::tables;
use eingang_store::tables::batches;
use eingang_store::tables::documents;
use eingang_store::tables::page_log;
use eingang_store::tables::pages;
use eingang_store::tables::pages::PageEdit;
use eingang_store::Store;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

fn png(dir: &std::path::Path, name: &str, w: usize, h: usize, data: Vec<u8>) -> std::path::PathBuf {
    let path = dir.join(name);
    image::GrayImage::from_raw(w as u32, h as u32, data)
        .unwrap()
        .save(&path)
        .unwrap();
    path
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_batch_of_files_becomes_documents_and_a_bad_file_does_not_stop_it() {
    let data = tempfile::tempdir().unwrap();
    let input = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let (w, h) = (620, 877);
    let files = vec![
        png(
            input.path(),
            "01.png",
            w,
            h,
            drawn::text_page(w, h, 2.5, 30, 1),
        ),
        png(input.path(), "02.png", w, h, vec![240; w * h]),
        {
            let p = input.path().join("03-kaputt.jpg");
            std::fs::write(&p, b"\xFF\xD8\xFF\xE0 not really").unwrap();
            p
        },
        png(
            input.path(),
            "04.png",
            w,
            h,
            drawn::text_page(w, h, -1.0, 20, 4),
        ),
        png(
            input.path(),
            "05.png",
            w,
            h,
            drawn::text_page(w, h, 0.0, 10, 5),
        ),
    ];
    let profile = profiles(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "standard")
        .unwrap();
    let batch = store
        .with_tx(|c| {
            batches::create_batch(
                c,
                "Posteingang 29.11.",
                Some(&profile.id),
                &serde_json::to_string(&profile).unwrap(),
            )
        })
        .unwrap();
    let events = Mutex::new(Vec::new());
    let report = import_files(
        &store,
        &batch,
        &files,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|e| events.lock().unwrap().push(e),
    );
    assert_eq!(
        (report.received, report.processed, report.failed_files),
        (4, 4, 1),
        "{report:?}"
    );
    let events = events.into_inner().unwrap();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::FileFailed { file, code, .. }
        if file == "03-kaputt.jpg" && code == "capture.corrupt")));

    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!(pages.len(), 4);
    // In file order, each with its raw scan byte for byte and a thumbnail.
    for (p, f) in pages.iter().zip(["01.png", "02.png", "04.png", "05.png"]) {
        assert_eq!(p.source, f);
        assert_eq!(p.state, "processed", "{p:?}");
        let raw = store.blobs().get(&p.raw_blob).unwrap();
        assert_eq!(raw, std::fs::read(input.path().join(f)).unwrap());
        assert!(p.thumb_blob.is_some());
    }
    assert!(pages[1].blank && !pages[0].blank && !pages[2].blank);
    let log0 = store
        .with_conn(|c| page_log::page_log(c, &pages[0].id))
        .unwrap();
    assert!(
        (pages[0].skew.unwrap() - 2.5).abs() <= 0.2,
        "{:?} {log0:?}",
        pages[0].skew
    );
    let log = store
        .with_conn(|c| page_log::page_log(c, &pages[0].id))
        .unwrap();
    let ops: Vec<&str> = log.iter().map(|(_, op, _)| op.as_str()).collect();
    assert_eq!(
        ops,
        [
            "received",
            "deskew",
            "blank_check",
            "whiten_background",
            "encode"
        ],
        "{log:?}"
    );

    // The user: deletes the blank page, rotates page 3, starts a new document at page 4,
    // moves page 4 before page 3 and back (undo), all logged.
    store
        .with_tx(|c| {
            pages::edit_page(c, &pages[1].id, PageEdit::Deleted(true))?;
            pages::edit_page(c, &pages[2].id, PageEdit::Rotation(1))?;
            pages::edit_page(c, &pages[3].id, PageEdit::StartsDocument(true))?;
            pages::move_page(c, &pages[3].id, 2)?;
            pages::move_page(c, &pages[3].id, 3)
        })
        .unwrap();
    let index = vec![
        ("dokumentart".to_owned(), "Widerspruch".to_owned()),
        ("aktenzeichen".to_owned(), "530.12-0042".to_owned()),
    ];
    // The gates: OCR first (real Tesseract, one page per worker), then the check — by
    // someone other than who scanned.
    let gate = |r: Result<Vec<documents::DocumentRow>, BatchError>| r.map(|_| ()).unwrap_err();
    let direct = |title| {
        eingang_capture::release::release(
            &store,
            &batch,
            &eingang_capture::release::Release {
                title,
                index: &index,
                targets: &["default"],
                sealer: &eingang_capture::transfer::NoSeal,
                station: None,
                justification: None,
                authenticated: false,
                automatic: &[],
            },
        )
    };
    let e = gate(direct("x"));
    assert!(matches!(e, BatchError::OcrRunning { pages: 3 }), "{e}");
    assert_eq!(e.code(), "scan.ocr_running");
    assert!(e.to_string().contains("OCR is still reading 3 page(s)"));
    let ocr = drawn::ocr(&store, &batch);
    assert_eq!((ocr.done, ocr.failed), (3, 0), "the blank page is not read");
    let e = gate(direct("x"));
    assert!(
        matches!(e, BatchError::CheckOpen { open: 1, failed: 0 }),
        "{e}"
    );
    assert!(e
        .to_string()
        .contains("quality check: 1 document(s) still need a verdict"));
    let scanner = store
        .with_conn(|c| batches::batch(c, &batch))
        .unwrap()
        .scanned_by;
    let first = &pages[0].id;
    let e =
        eingang_capture::qc::record_verdict(&store, &batch, first, &scanner, true, "").unwrap_err();
    assert!(
        matches!(&e, BatchError::FourEyes { checker } if *checker == scanner),
        "{e}"
    );
    assert!(e.to_string().starts_with("four-eyes"), "{e}");
    let docs = release_checked(&store, &batch, "Posteingang", &index).unwrap();
    assert!(matches!(gate(direct("again")), BatchError::Released));
    let released = store.with_conn(|c| batches::batch(c, &batch)).unwrap();
    // Eligible (check passed, the test's justification): destroyable with the receipts.
    assert!(released.released_at.is_some() && released.originals_eligible);
    assert!(
        released.destroyable_at.is_none(),
        "nothing is delivered yet"
    );
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].page_ids, [pages[0].id, pages[2].id]);
    assert_eq!(docs[1].page_ids, [pages[3].id]);
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (i, d) in docs.iter().enumerate() {
        let pdf = dir.path().join(format!("{i}.pdf"));
        std::fs::write(&pdf, store.blobs().get(&d.pdf_blob).unwrap()).unwrap();
        let p = pdf.to_str().unwrap();
        run("qpdf", &["--check", p]);
        let info = run("pdfinfo", &["-f", "1", "-l", "2", p]);
        let want = if i == 0 {
            "Pages:           2"
        } else {
            "Pages:           1"
        };
        assert!(info.contains(want), "{info}");
        if i == 0 {
            assert!(info.contains("Page    2 rot:   90"), "{info}");
        }
        let meta = run("pdfinfo", &["-meta", p]);
        assert!(meta.contains("<eingang:aktenzeichen>530.12-0042</eingang:aktenzeichen>"));
        let list = run("pdfimages", &["-list", p]);
        assert!(list.contains("jpeg"), "{list}");
        // PDF/A-3b with the Transfervermerk inside, naming scanner and checker.
        assert!(meta.contains("<pdfaid:part>3</pdfaid:part>"), "{meta}");
        checked += usize::from(meta.contains("<eingang:transfervermerk_pruefer>Prüferin<"));
        let tv = dir.path().join(format!("{i}.xml"));
        run("pdfdetach", &["-save", "1", "-o", tv.to_str().unwrap(), p]);
        let tv = std::fs::read_to_string(&tv).unwrap();
        assert!(tv.contains(&format!("person=\"{scanner}\"")), "{tv}");
        assert!(
            tv.contains("Das Scanprodukt stimmt mit dem Original"),
            "{tv}"
        );
    }
    assert!(
        checked >= 1,
        "the document drawn for the check names its checker"
    );
    // Queued for delivery, with a package the worker can send.
    let items = store
        .with_conn(|c| eingang_store::tables::outbox::for_target(c, "default"))
        .unwrap();
    assert_eq!(items.len(), 2);
    let package = store
        .with_conn(|c| eingang_sync::package::document(c, store.blobs(), &docs[0].id))
        .unwrap();
    assert!(package
        .metadata
        .contains(&("aktenzeichen".to_owned(), "530.12-0042".to_owned())));
    assert!(package
        .index_xml
        .contains("<index name=\"aktenzeichen\">530.12-0042</index>"));
    // The Transfervermerk travels beside the PDF too, and the digest over both is recorded.
    assert!(package
        .files
        .iter()
        .any(|f| f.name.ends_with(".transfervermerk.xml")));
    assert!(package
        .index_xml
        .contains("<integritaet algorithmus=\"SHA-256\""));
    // The deleted page's raw scan is still there (only marked).
    let all = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert!(all.iter().any(|p| p.deleted && p.id == pages[1].id));
    let log = store
        .with_conn(|c| page_log::page_log(c, &pages[3].id))
        .unwrap();
    assert!(log.iter().filter(|(_, op, _)| op == "user_move").count() == 2);
}

#[test]
fn profiles_are_checked_and_every_change_is_logged() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let mut p = profiles(&store).unwrap().remove(0);
    assert_eq!(
        profiles(&store).unwrap().len(),
        ScanProfile::builtin().len()
    );
    p.processing = Processing {
        blank_threshold_percent: 0.3,
        ..p.processing
    };
    eingang_capture::profile::save_profile(&store, &p).unwrap();
    // Saving the same again logs nothing new.
    eingang_capture::profile::save_profile(&store, &p).unwrap();
    p.pdfa = "4z".into();
    let e = eingang_capture::profile::save_profile(&store, &p).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("scan.profile_invalid", Some("pdfa")),
        "{e}"
    );
    let changes = store.with_conn(tables::profiles::profile_changes).unwrap();
    let mine: Vec<_> = changes.iter().filter(|c| c.0 == p.id).collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1].2, "changed");
    assert!(mine[1].3.as_deref().unwrap().contains("0.3"));
}

#[test]
fn built_in_profiles_nobody_changed_move_to_mrc_and_changed_ones_stay() {
    use eingang_capture::process::Compression;
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    // A station set up by an earlier version: the built-ins stored with plain JPEG and
    // without orientation; the office changed its colour profile (quality 90).
    for mut p in ScanProfile::builtin() {
        p.processing.compression = Compression::Jpeg;
        p.processing.auto_orient = None;
        if p.id == "farbe" {
            p.processing.jpeg_quality = 90;
        }
        let json = serde_json::to_string(&p).unwrap();
        store
            .with_tx(|c| tables::profiles::save_profile(c, &p.id, &p.name, &json))
            .unwrap();
    }
    let now = profiles(&store).unwrap();
    let by = |id: &str| now.iter().find(|p| p.id == id).unwrap().clone();
    assert_eq!(by("standard").processing.compression, Compression::Mrc);
    assert_eq!(
        by("standard").processing.auto_orient,
        Some(ScanProfile::ORIENT_CONFIDENCE)
    );
    assert_eq!(
        by("farbe").processing.compression,
        Compression::Jpeg,
        "a profile the office changed is theirs"
    );
    assert_eq!(by("farbe").processing.jpeg_quality, 90);
    assert_eq!(by("text-sw").processing.compression, Compression::Jpeg);
    // The move is logged as a change; reading again changes nothing more.
    profiles(&store).unwrap();
    let changes = store.with_conn(tables::profiles::profile_changes).unwrap();
    let standard: Vec<_> = changes.iter().filter(|c| c.0 == "standard").collect();
    assert_eq!(standard.len(), 2, "{standard:?}");
    assert!(standard[1].3.as_deref().unwrap().contains("\"mrc\""));
}

/// A scanner that delivers two pages and then loses its connection (cable pulled).
struct Unplugged;

impl eingang_capture::Source for Unplugged {
    fn name(&self) -> String {
        "Testscanner (abgezogen)".into()
    }

    fn scan(
        &self,
        _settings: &eingang_capture::ScanSettings,
        work_dir: &std::path::Path,
        _cancel: &AtomicBool,
        on_page: &mut dyn FnMut(eingang_capture::Page),
    ) -> Result<u32, eingang_capture::CaptureError> {
        for n in 1..=2u32 {
            // As SANE does: the page's raw file in the work folder, then the page.
            let (w, h) = (200, 280);
            let data = drawn::text_page(w, h, 0.0, 10, u64::from(n));
            let raw = format!("P5\n{w} {h}\n255\n").into_bytes();
            let mut raw = raw;
            raw.extend(&data);
            std::fs::write(eingang_capture::sane::page_file(work_dir, n), &raw).unwrap();
            on_page(eingang_capture::Page {
                index: n as usize - 1,
                page: eingang_pdf::ScanPage {
                    image: eingang_pdf::PageImage::Gray8 {
                        width: w as u32,
                        height: h as u32,
                        data,
                    },
                    dpi: (100.0, 100.0),
                },
                dpi_assumed: false,
            });
        }
        Err(eingang_capture::CaptureError::Scanner {
            reason: "the device was disconnected".into(),
        })
    }
}

#[test]
fn a_scanner_lost_mid_batch_keeps_every_page_already_received() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let profile = profiles(&store).unwrap().remove(0);
    let batch = store
        .with_tx(|c| batches::create_batch(c, "b", None, &serde_json::to_string(&profile).unwrap()))
        .unwrap();
    let settings = eingang_capture::ScanSettings {
        source: None,
        mode: None,
        resolution: 100,
        max_pages: None,
    };
    let (report, error) = eingang_capture::intake::scan_into(
        &store,
        &batch,
        &Unplugged,
        &settings,
        &profile.processing,
        &AtomicBool::new(false),
        &|_| {},
    );
    let e = error.expect("the disconnect is reported");
    assert_eq!(e.code(), "capture.scanner");
    assert!(e.to_string().contains("disconnected"));
    assert_eq!((report.received, report.processed), (2, 2));
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert_eq!(pages.len(), 2);
    for p in &pages {
        assert_eq!(p.source, "Testscanner (abgezogen)");
        assert!(store
            .blobs()
            .get(&p.raw_blob)
            .unwrap()
            .starts_with(b"P5\n200 280"));
    }
    // The scanner's work folder is gone.
    assert!(!std::fs::read_dir(data.path()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".scan-")));
}
