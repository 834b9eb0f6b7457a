//! SANE's virtual `test` scanner (a real SANE backend, configured in a private folder as
//! notes/platform.md describes): devices, options, a feeder batch streaming page by page,
//! and cancelling mid-batch.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_capture::sane::{devices, options, scan_batch, ScanSettings};
use eingang_pdf::{render_scan_pdf, PageImage, ScanPdf};
use std::sync::atomic::{AtomicBool, Ordering};

fn sane_test_backend() -> tempfile::TempDir {
    let conf = tempfile::tempdir().unwrap();
    std::fs::write(conf.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(conf.path().join("test.conf"), t).unwrap();
    }
    // One test in this binary: nothing else reads the environment meanwhile.
    std::env::set_var("SANE_CONFIG_DIR", conf.path());
    conf
}

#[test]
fn the_test_scanner_is_listed_and_a_feeder_batch_streams_in_page_by_page() {
    let _conf = sane_test_backend();
    let found = devices().unwrap();
    assert!(found.iter().any(|d| d.name == "test:0"), "{found:?}");
    let opts = options("test:0").unwrap();
    let source = opts.iter().find(|o| o.name == "source").unwrap();
    assert!(
        source
            .values
            .iter()
            .any(|v| v == "Automatic Document Feeder"),
        "{source:?}"
    );

    let work = tempfile::tempdir().unwrap();
    let settings = ScanSettings {
        source: Some("Automatic Document Feeder".into()),
        mode: Some("Gray".into()),
        resolution: 100,
        max_pages: Some(3),
    };
    let mut pages = Vec::new();
    let n = scan_batch(
        "test:0",
        &settings,
        work.path(),
        &AtomicBool::new(false),
        |p| pages.push(p),
    )
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(pages.iter().map(|p| p.index).collect::<Vec<_>>(), [0, 1, 2]);
    for p in &pages {
        assert_eq!(p.page.dpi, (100.0, 100.0));
        assert!(
            matches!(p.page.image, PageImage::Gray8 { width, height, .. } if width > 100 && height > 100)
        );
    }
    let pdf = render_scan_pdf(
        &ScanPdf {
            title: "Testscan".into(),
            language: "de".into(),
            created: "2026-11-29T10:00:00Z".into(),
            reference: "t".into(),
        },
        &pages.iter().map(|p| p.page.clone()).collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));

    // Cancelled after the first page: the scanner stops, the page received stays.
    let work = tempfile::tempdir().unwrap();
    let cancel = AtomicBool::new(false);
    let mut got = 0;
    let settings = ScanSettings {
        max_pages: Some(50),
        ..settings
    };
    let n = scan_batch("test:0", &settings, work.path(), &cancel, |_| {
        got += 1;
        cancel.store(true, Ordering::Relaxed);
    })
    .unwrap();
    assert!(
        got >= 1 && n < 50,
        "stopped early: {got} pages, {n} counted"
    );

    // The folder of a batch is its own: a used one is refused.
    let e = scan_batch(
        "test:0",
        &settings,
        work.path(),
        &AtomicBool::new(false),
        |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("is not empty"), "{e}");
    // A device that does not exist: a clear error, nothing scanned.
    let fresh = tempfile::tempdir().unwrap();
    let e = scan_batch(
        "nosuch:0",
        &settings,
        fresh.path(),
        &AtomicBool::new(false),
        |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("the scan failed"), "{e}");
}
