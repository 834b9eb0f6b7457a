//! Archive size: a colour batch released with a profile that archives as mixed raster
//! content — a letter on tinted paper with a red stamp and a blue logo goes in as MRC (a G4
//! mask, its colours and the paper as small JPEGs; the PDF/A passes the self-check, qpdf and
//! poppler, and the stamp is still red when rendered), a photo page stays plain JPEG with
//! the reason in its log; the same pages with plain JPEG make a file several times larger.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

mod drawn;
use drawn::release_checked;

use eingang_capture::intake::import_files;
use eingang_capture::process::Compression;
use eingang_capture::profile::{profiles, ScanProfile};
use eingang_capture::Limits;
use eingang_store::tables::{batches, page_log, pages};
use eingang_store::Store;
use std::sync::atomic::AtomicBool;

/// An A4 letter at 200 dpi (1654 × 2339 px): text lines, a red stamp (ring and bars), a blue logo block,
/// on slightly yellow paper.
fn letter() -> image::RgbImage {
    let (w, h) = (1654, 2339);
    let text = drawn::text_page(w, h, 0.0, 30, 7);
    image::RgbImage::from_fn(w as u32, h as u32, |x, y| {
        let (x, y) = (x as usize, y as usize);
        let (sx, sy) = (x as f32 - 1250.0, y as f32 - 1900.0);
        let ring = (sx.hypot(sy) - 160.0).abs() < 10.0;
        let bars = sx.abs() < 120.0 && (sy.abs() < 8.0 || (sy - 50.0).abs() < 8.0);
        if ring || bars {
            image::Rgb([205, 30, 40])
        } else if (120..330).contains(&x) && (60..170).contains(&y) {
            image::Rgb([20, 60, 170])
        } else if text[y * w + x] < 128 {
            image::Rgb([25, 25, 30])
        } else {
            image::Rgb([246, 240, 214])
        }
    })
}

/// A photo: smooth colour waves with fine grain, no paper anywhere.
fn photo() -> image::RgbImage {
    image::RgbImage::from_fn(1654, 2339, |x, y| {
        let g = ((x * 31 + y * 17) % 23) as f32;
        let v = |k: f32| {
            (128.0 + 90.0 * ((x as f32 / k).sin() * (y as f32 / (k * 1.3)).cos()) + g) as u8
        };
        image::Rgb([v(40.0), v(55.0), v(70.0)])
    })
}

fn release_with(
    compression: Compression,
    dir: &std::path::Path,
) -> (Store, Vec<u8>, Vec<String>, String) {
    let data = dir.join(format!("{compression:?}"));
    let store = Store::open(&data).unwrap();
    let mut profile: ScanProfile = profiles(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "farbe")
        .unwrap();
    profile.processing.compression = compression;
    profile.processing.ocr = false;
    let files = [("brief.png", letter()), ("foto.png", photo())].map(|(name, img)| {
        let path = dir.join(name);
        if !path.exists() {
            img.save(&path).unwrap();
        }
        path
    });
    let batch = store
        .with_tx(|c| {
            batches::create_batch(
                c,
                "Farbe",
                Some(&profile.id),
                &serde_json::to_string(&profile).unwrap(),
            )
        })
        .unwrap();
    let report = import_files(
        &store,
        &batch,
        &files,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    assert_eq!(report.processed, 2, "{report:?}");
    let docs = release_checked(&store, &batch, "Farbpost", &[]).unwrap();
    assert_eq!(docs.len(), 1);
    let pdf = store.blobs().get(&docs[0].pdf_blob).unwrap();
    let tv = store
        .blobs()
        .get(docs[0].transfer_blob.as_deref().unwrap())
        .unwrap();
    let rows = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    let logs = rows
        .iter()
        .map(|p| {
            store
                .with_conn(|c| page_log::page_log(c, &p.id))
                .unwrap()
                .into_iter()
                .filter(|(_, op, _)| op == "archive_encoding")
                .map(|(_, _, params)| params)
                .collect::<String>()
        })
        .collect();
    (store, pdf, logs, String::from_utf8(tv).unwrap())
}

fn run(cmd: &str, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_colour_letter_is_archived_as_mrc_and_a_photo_stays_plain() {
    let dir = tempfile::tempdir().unwrap();
    let (_s1, mrc, logs, tv) = release_with(Compression::Mrc, dir.path());
    let (_s2, plain, plain_logs, _) = release_with(Compression::Jpeg, dir.path());
    // The Transfervermerk names each page's method with its parameters.
    assert!(
        tv.contains("<seite nr=\"1\" verfahren=\"mrc\">")
            && tv.contains("jpeg q50 1/4")
            && tv.contains("<seite nr=\"2\" verfahren=\"jpeg\">")
            && tv.contains("mrc_refused"),
        "{tv}"
    );
    assert!(logs[0].contains("\"method\":\"mrc\""), "{logs:?}");
    assert!(
        logs[1].contains("\"method\":\"jpeg\"") && logs[1].contains("\"mrc_refused\""),
        "the photo says why it stays plain: {logs:?}"
    );
    assert!(
        plain_logs
            .iter()
            .all(|l| l.contains("\"method\":\"jpeg\"") && !l.contains("mrc_refused")),
        "without MRC every page is logged as the JPEG it is: {plain_logs:?}"
    );
    println!(
        "2 colour pages of 1654 × 2339 px: {} KiB with MRC (the letter as MRC, the photo plain), {} KiB as plain JPEG",
        mrc.len() / 1024,
        plain.len() / 1024
    );
    assert!(mrc.len() < plain.len(), "MRC is smaller");
    // The file is sound and renders; the stamp is still red.
    let pdf = dir.path().join("mrc.pdf");
    std::fs::write(&pdf, &mrc).unwrap();
    run("qpdf", &["--check", pdf.to_str().unwrap()]);
    let png = dir.path().join("seite");
    run(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let rendered = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seite")
        })
        .unwrap();
    let page = image::open(&rendered).unwrap().into_rgb8();
    let scale = page.width() as f32 / 1654.0;
    // On the stamp's ring (right of its centre) and on the logo.
    let at = |x: f32, y: f32| *page.get_pixel((x * scale) as u32, (y * scale) as u32);
    let ring = at(1250.0 + 160.0, 1900.0);
    assert!(
        ring[0] > 150 && ring[1] < 110 && ring[2] < 110,
        "stamp red: {ring:?}"
    );
    let blue = at(220.0, 110.0);
    assert!(blue[2] > 120 && blue[0] < 90, "logo blue: {blue:?}");
    let paper = at(800.0, 60.0);
    assert!(
        paper[2] < paper[0],
        "the paper keeps its yellow tint: {paper:?}"
    );
    // The mask is a stencil (no soft mask: valid for PDF/A-1b as well).
    let listed =
        String::from_utf8(run("pdfimages", &["-list", pdf.to_str().unwrap()]).stdout).unwrap();
    let mask = listed
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some("mask"))
        .unwrap_or_else(|| panic!("an explicit mask: {listed}"));
    assert!(mask.contains("ccitt") && mask.contains("1654"), "{listed}");
    assert!(!listed.contains("smask"), "{listed}");
}
