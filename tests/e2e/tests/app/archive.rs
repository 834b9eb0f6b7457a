//! Archive size in the real app (issue 20): colour letters with a logo, stamps and a blue
//! signature (scripts/mrc/letters.py, as a scanner's 300 dpi JPEGs) dropped into a batch
//! with the built-in colour profile `farbe`, read by Tesseract, checked by a second person,
//! released and delivered; the PDF/A in the local folder is MRC, under 80 KiB a page,
//! renders with the stamp in its colour, and `pdftotext` finds the letters' words.

use crate::harness::Driver;
use crate::scan::{check_and_release, confirm_release, drop_files, run, wait_pages, walk};
use base64::Engine as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// The generator's page `name` in `dir` as a scanner's JPEG (quality 90, 300 dpi), base64.
fn scanner_jpeg(dir: &Path, name: &str) -> String {
    let img = image::open(dir.join(format!("{name}.png")))
        .unwrap()
        .into_rgb8();
    let mut bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(300));
    enc.encode_image(&img).unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The mean colour of `img` over the pixels where `mask` (at `scale` times the image's
/// resolution) is set and its whole 5×5 neighbourhood too (the stamp's lines, not their
/// edges).
fn mean_under(img: &image::RgbImage, mask: &image::GrayImage, scale: u32) -> [f64; 3] {
    let (mut sum, mut n) = ([0f64; 3], 0f64);
    for y in (2..mask.height() - 2).step_by(scale as usize) {
        for x in (2..mask.width() - 2).step_by(scale as usize) {
            let core =
                (0..5).all(|dy| (0..5).all(|dx| mask.get_pixel(x + dx - 2, y + dy - 2)[0] > 127));
            if !core {
                continue;
            }
            let p = img.get_pixel(
                (x / scale).min(img.width() - 1),
                (y / scale).min(img.height() - 1),
            );
            for k in 0..3 {
                sum[k] += f64::from(p[k]);
            }
            n += 1.0;
        }
    }
    assert!(n > 100.0, "the stamp has pixels");
    sum.map(|s| s / n)
}

#[tokio::test(flavor = "current_thread")]
async fn a_colour_batch_with_stamps_and_a_logo_is_archived_small_and_legible() {
    let letters = tempfile::tempdir().unwrap();
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/mrc/letters.py");
    run(
        "/usr/bin/python3",
        &[
            generator.to_str().unwrap(),
            letters.path().to_str().unwrap(),
            "2",
            "11",
            "colour",
        ],
    );
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;

    // A batch with the built-in colour profile, as shipped.
    app.type_into("#batch-name", "Farbpost").await;
    app.client
        .execute(
            "const s = document.getElementById('batch-profile'); s.value = 'farbe';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    app.click("button[data-action='batch-create']").await;
    app.wait_text(".batch-view h2", |t| t == "Farbpost").await;
    drop_files(
        &app,
        serde_json::json!([
            ["brief-1.jpg", scanner_jpeg(letters.path(), "l000")],
            ["brief-2.jpg", scanner_jpeg(letters.path(), "l001")],
        ]),
    )
    .await;
    // Two A4 colour pages at 300 dpi take the debug build a while to process.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let notice = app.text("[data-testid='scan-notice']").await;
        if notice == "2 Seiten übernommen." {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the pages were never taken: {notice}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_pages(&app, 2).await;
    app.type_into("#doc-type", "Brief").await;
    check_and_release(&app, "Farbpost").await;
    confirm_release(
        &app,
        "bleiben aufbewahrt (weder Siegel noch schriftliche Begründung für den Verzicht darauf)",
    )
    .await;

    // Delivered into <data>/ausgang by the sync worker.
    let released = Instant::now();
    let deadline = released + Duration::from_secs(120);
    let pdf = loop {
        let found: Vec<_> = walk(&data.path().join("ausgang"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        if let [one] = found.as_slice() {
            println!(
                "released and delivered {:.1} s after the confirmation",
                released.elapsed().as_secs_f64()
            );
            break one.clone();
        }
        if Instant::now() >= deadline {
            let page = app.text("main").await;
            panic!("the PDF never arrived: {found:?}; the app shows: {page}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let p = pdf.to_str().unwrap();
    run("qpdf", &["--check", p]);
    let info = run("pdfinfo", &[p]);
    assert!(info.contains("Pages:           2"), "{info}");
    // MRC: a CCITT G4 mask beside the two small JPEG layers on each page.
    let images = run("pdfimages", &["-list", p]);
    let masks = images
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("mask") && l.contains("ccitt"))
        .count();
    assert_eq!(masks, 2, "{images}");
    let size = std::fs::metadata(&pdf).unwrap().len();
    // A PDF of two pages is far below 2^52 bytes.
    #[allow(clippy::cast_precision_loss)]
    let per_page = size as f64 / 2.0 / 1024.0;
    println!("the delivered PDF/A: {per_page:.1} KiB a page (2 colour pages, 300 dpi)");
    assert!(per_page <= 80.0, "{per_page:.1} KiB a page");
    let tv = std::fs::read_to_string(pdf.with_extension("transfervermerk.xml")).unwrap();
    assert_eq!(tv.matches("verfahren=\"mrc\"").count(), 2, "{tv}");

    // The stamps and the signature keep their colour: page 1 rendered at 150 dpi against the
    // scan, on their pixels.
    let render = tempfile::tempdir().unwrap();
    let prefix = render.path().join("seite");
    run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            p,
            prefix.to_str().unwrap(),
        ],
    );
    let rendered = walk(render.path()).pop().unwrap();
    let rendered = image::open(rendered).unwrap().into_rgb8();
    let scan = image::open(letters.path().join("l000.png"))
        .unwrap()
        .into_rgb8();
    let mask = image::open(letters.path().join("l000.stamp.png"))
        .unwrap()
        .into_luma8();
    let (was, is) = (mean_under(&scan, &mask, 1), mean_under(&rendered, &mask, 2));
    assert!(
        (0..3).all(|k| (was[k] - is[k]).abs() <= 30.0),
        "the stamp's colour: scanned {was:?}, archived {is:?}"
    );
    let spread = |c: [f64; 3]| {
        c.iter().copied().fold(f64::MIN, f64::max) - c.iter().copied().fold(f64::MAX, f64::min)
    };
    assert!(spread(is) > 40.0, "the stamp is coloured, not grey: {is:?}");

    // The text layer: pdftotext finds the letters' words.
    let text = run("pdftotext", &[p, "-"]);
    let mut printed: Vec<String> = ["l000.txt", "l001.txt"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(letters.path().join(f))
                .unwrap()
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
                .filter(|w| w.chars().count() >= 6)
                .collect::<Vec<_>>()
        })
        .collect();
    printed.sort();
    printed.dedup();
    let found = printed.iter().filter(|w| text.contains(w.as_str())).count();
    println!(
        "pdftotext finds {found} of {} distinct words",
        printed.len()
    );
    assert!(
        found * 10 >= printed.len() * 9,
        "{found} of {} words: {text}",
        printed.len()
    );
    app.quit().await;
}
