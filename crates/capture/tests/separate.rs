//! Document separation on a real store: separator sheets with barcodes (Code 39 PATCHT,
//! made with rxing's encoder), a QR code that fills the Aktenzeichen, a sheet at the end,
//! two sheets in a row, a damaged code, blank separators and a fixed page count.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod drawn;
use drawn::release_checked;

use eingang_capture::intake::import;
use eingang_capture::profile::profiles;
use eingang_capture::separate::{separate, IndexRule, Separation};
use eingang_capture::Limits;
use eingang_store::tables::batches;
use eingang_store::tables::page_log;
use eingang_store::tables::pages;
use eingang_store::Store;
use rxing::BarcodeFormat;
use std::sync::atomic::AtomicBool;

const W: usize = 1240;
const H: usize = 1754;

fn sheet(extra_qr: Option<&str>) -> Vec<u8> {
    let mut p = vec![245u8; W * H];
    drawn::put_code(
        &mut p,
        W,
        BarcodeFormat::CODE_39,
        "PATCHT",
        (600, 160),
        (300, 300),
    );
    if let Some(q) = extra_qr {
        drawn::put_code(&mut p, W, BarcodeFormat::QR_CODE, q, (240, 240), (500, 900));
    }
    p
}

fn letter(seed: u64) -> Vec<u8> {
    drawn::text_page(W, H, 0.0, 25, seed)
}

fn batch_of(store: &Store, pages: Vec<Vec<u8>>) -> eingang_model::BatchId {
    let mut profile = profiles(store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "text-sw")
        .unwrap();
    // These pages carry drawn blocks, not words: no OCR (the batch tests run it).
    profile.processing.ocr = false;
    let id = store
        .with_tx(|c| {
            batches::create_batch(
                c,
                "Post",
                Some("text-sw"),
                &serde_json::to_string(&profile).unwrap(),
            )
        })
        .unwrap();
    let files = pages
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("p{i:02}.pgm"), Ok(drawn::pgm(&p, W, H))));
    let report = import(
        store,
        &id,
        files,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    assert_eq!(report.failed_pages, 0);
    id
}

/// The documents as lists of source file numbers.
fn documents(store: &Store, batch: &eingang_model::BatchId) -> Vec<Vec<usize>> {
    let pages = store.with_conn(|c| pages::pages(c, batch)).unwrap();
    eingang_capture::pages::segments(&pages)
        .iter()
        .map(|d| d.iter().map(|p| p.source[1..3].parse().unwrap()).collect())
        .collect()
}

#[test]
fn barcode_sheets_separate_documents_and_fill_the_aktenzeichen() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    // 0 sheet(+QR) 1 2 | 3 sheet 4 | 5 sheet 6 sheet (two in a row) 7 8 | 9 sheet (at the end)
    let pages = vec![
        sheet(Some("AZ:530.12-2026/0042")),
        letter(1),
        letter(2),
        sheet(None),
        letter(4),
        sheet(None),
        sheet(None),
        letter(7),
        letter(8),
        sheet(None),
    ];
    let batch = batch_of(&store, pages);
    let rules = Separation {
        index_from_barcodes: vec![IndexRule {
            field: "aktenzeichen".into(),
            pattern: r"^AZ:(\d{3}\.\d{2}-\d{4}/\d{4})$".into(),
        }],
        ..Separation::default()
    };
    let report = separate(&store, &batch, &rules).unwrap();
    assert_eq!(report.documents, 3, "{report:?}");
    assert_eq!(report.separator_sheets, 5);
    assert_eq!(report.index_filled, 1);
    assert_eq!(report.pages_read, 10);
    assert_eq!(documents(&store, &batch), [vec![1, 2], vec![4], vec![7, 8]]);
    // The sheets are only marked: their raw scans stay.
    let all = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    assert!(all.iter().filter(|p| p.separator).all(|p| p.deleted));
    assert_eq!(all.iter().filter(|p| p.separator).count(), 5);
    // Keeping the sheets: each starts its document; applying rules again is idempotent.
    let keep = Separation {
        keep_separator_sheets: true,
        ..rules.clone()
    };
    separate(&store, &batch, &keep).unwrap();
    separate(&store, &batch, &keep).unwrap();
    assert_eq!(
        documents(&store, &batch),
        [vec![0, 1, 2], vec![3, 4], vec![5], vec![6, 7, 8], vec![9]]
    );
    // Back to removing them: the sheets go again, nothing the user deleted comes back.
    let before = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    store
        .with_tx(|c| pages::edit_page(c, &before[8].id, pages::PageEdit::Deleted(true)))
        .unwrap();
    separate(&store, &batch, &rules).unwrap();
    assert_eq!(documents(&store, &batch), [vec![1, 2], vec![4], vec![7]]);
    let log = store
        .with_conn(|c| page_log::page_log(c, &before[3].id))
        .unwrap();
    assert!(
        log.iter().any(|(_, op, _)| op == "separation_deleted"),
        "every change is logged, as the rules' own: {log:?}"
    );
    // The Aktenzeichen from the QR code goes with the first document into its PDF.
    let docs = release_checked(&store, &batch, "Post", &[]).unwrap();
    assert_eq!(docs.len(), 3);
    let brief = ("dokumentart".to_owned(), "Brief".to_owned());
    assert_eq!(
        docs[0].index,
        [
            brief.clone(),
            ("aktenzeichen".to_owned(), "530.12-2026/0042".to_owned())
        ]
    );
    assert_eq!(docs[1].index, [brief]);
    // Released: the separation is what the documents are; applying rules is refused.
    let e = separate(&store, &batch, &keep).unwrap_err();
    assert_eq!(e.code(), "batch.released", "{e}");
    assert_eq!(documents(&store, &batch), [vec![1, 2], vec![4], vec![7]]);
}

#[test]
fn blank_pages_and_page_counts_separate_and_damaged_codes_do_not() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let mut damaged = sheet(None);
    // A coffee stain across the barcode: it cannot be read, so it is an ordinary page.
    for y in 300..460 {
        for x in 300..900 {
            if (x + y) % 3 != 0 {
                damaged[y * W + x] = 120;
            }
        }
    }
    let blank = vec![243u8; W * H];
    let pages = vec![
        letter(1),
        blank.clone(),
        letter(2),
        damaged,
        letter(3),
        blank,
        letter(4),
    ];
    let batch = batch_of(&store, pages);
    let rules = Separation {
        blank_separates: true,
        ..Separation::default()
    };
    let r = separate(&store, &batch, &rules).unwrap();
    assert_eq!(r.separator_sheets, 2, "{r:?}");
    assert_eq!(documents(&store, &batch), [vec![0], vec![2, 3, 4], vec![6]]);
    let every_two = Separation {
        barcode_separators: vec![],
        every_n_pages: Some(2),
        ..Separation::default()
    };
    separate(&store, &batch, &every_two).unwrap();
    assert_eq!(
        documents(&store, &batch),
        [vec![0, 1], vec![2, 3], vec![4, 5], vec![6]]
    );
    // Bad rules are refused, naming the setting.
    let bad = Separation {
        barcode_separators: vec!["(".into()],
        ..Separation::default()
    };
    let e = separate(&store, &batch, &bad).unwrap_err();
    assert_eq!(e.field(), Some("separation.barcode_separators"), "{e}");
}

/// A separator sheet with a printed patch T (bars, no barcode symbology) at the page's
/// 300 dpi: narrow bars 24 px, wide 60 px, 2.5″ long, 1° skew.
fn printed_patch_t() -> Vec<u8> {
    let mut p = vec![245u8; W * H];
    let mut at = 300;
    for (i, wide) in [false, true, false, true].into_iter().enumerate() {
        let n = if wide { 60 } else { 24 };
        for d in at..at + n {
            for t in 200..950 {
                let y = d + (t - 200) * 13 / 750;
                p[y * W + t] = 15;
            }
        }
        at += n + if i < 3 { 24 } else { 0 };
    }
    p
}

#[test]
fn a_printed_patch_t_separates_like_the_code_39_sheet() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let batch = batch_of(
        &store,
        vec![letter(1), printed_patch_t(), letter(3), letter(4)],
    );
    let report = separate(&store, &batch, &Separation::default()).unwrap();
    assert_eq!(
        (report.documents, report.separator_sheets),
        (2, 1),
        "{report:?}"
    );
    assert_eq!(documents(&store, &batch), [vec![0], vec![2, 3]]);
    let pages = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    let codes = pages[1].barcodes_json.as_deref().unwrap();
    assert!(
        codes.contains(r#""format":"patch","value":"PATCHT""#),
        "{codes}"
    );
    // The letters' text blocks are not taken for codes.
    assert!(pages
        .iter()
        .filter(|p| p.id != pages[1].id)
        .all(|p| p.barcodes_json.as_deref() == Some("[]")));
}

#[test]
fn a_break_set_by_hand_is_replaced_only_when_asked_and_the_run_can_be_undone() {
    use eingang_capture::separate::{restore, separate_with};
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    // 0 1 | sheet 3 4: the rules make two documents; the clerk splits the second by hand.
    let batch = batch_of(
        &store,
        vec![letter(0), letter(1), sheet(None), letter(3), letter(4)],
    );
    let rules = Separation::default();
    separate_with(&store, &batch, &rules, false).unwrap();
    assert_eq!(documents(&store, &batch), [vec![0, 1], vec![3, 4]]);
    let all = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    store
        .with_tx(|c| pages::edit_page(c, &all[4].id, pages::PageEdit::StartsDocument(true)))
        .unwrap();
    assert_eq!(documents(&store, &batch), [vec![0, 1], vec![3], vec![4]]);
    // Applying the same rules again would drop that break: refused unless asked for.
    let e = separate_with(&store, &batch, &rules, false).unwrap_err();
    assert_eq!(e.code(), "separation.manual_breaks");
    assert!(
        e.to_string().contains("1 document break(s) set by hand"),
        "{e}"
    );
    assert_eq!(
        documents(&store, &batch),
        [vec![0, 1], vec![3], vec![4]],
        "nothing changed"
    );
    let r = separate_with(&store, &batch, &rules, true).unwrap();
    assert_eq!(r.manual_replaced, 1);
    assert_eq!(documents(&store, &batch), [vec![0, 1], vec![3, 4]]);
    assert_eq!(r.before.len(), 1, "{:?}", r.before);
    // Undone: the break by hand is back, and counts as a person's decision again.
    restore(&store, &batch, &r.before).unwrap();
    assert_eq!(documents(&store, &batch), [vec![0, 1], vec![3], vec![4]]);
    assert_eq!(
        separate_with(&store, &batch, &rules, false)
            .unwrap_err()
            .code(),
        "separation.manual_breaks"
    );
    // Rules applied to rules' own breaks ask nothing.
    let other = batch_of(&store, vec![letter(0), sheet(None), letter(2)]);
    separate_with(&store, &other, &rules, false).unwrap();
    separate_with(&store, &other, &rules, false).unwrap();
    // Undo names pages of its own batch only.
    let foreign = eingang_capture::separate::PageBefore {
        page_id: store.with_conn(|c| pages::pages(c, &other)).unwrap()[2].id,
        starts_document: false,
        deleted: false,
        separator: false,
        index: vec![],
    };
    assert!(restore(&store, &batch, &[foreign]).is_err());
}
