//! `eingang assemble`: real files into a PDF/A; a broken file is named and skipped.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use std::process::Command;

#[test]
fn files_become_one_pdf_with_the_jpeg_unchanged_and_a_bad_file_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("1-brief.jpg");
    let img = image::RgbImage::from_fn(90, 60, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 4) as u8, 90])
    });
    let mut jpeg_bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg_bytes, 80);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(150));
    enc.encode_image(&img).unwrap();
    std::fs::write(&jpg, &jpeg_bytes).unwrap();
    let png = dir.path().join("2-anlage.png");
    image::GrayImage::from_fn(30, 20, |x, _| image::Luma([(x * 8) as u8]))
        .save(&png)
        .unwrap();
    let bad = dir.path().join("3-kaputt.tif");
    std::fs::write(&bad, b"II*\0garbage").unwrap();
    let out = dir.path().join("stapel.pdf");

    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("assemble")
        .args([&jpg, &png, &bad])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "one file failed: {text}");
    assert!(text.contains("3-kaputt.tif: damaged"), "{text}");
    assert!(
        text.contains("2-anlage.png, page 1: no resolution in the file; 300 dpi assumed"),
        "{text}"
    );
    assert!(text.contains("stapel.pdf: 2 pages"), "{text}");

    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    assert!(check.status.success());
    let prefix = dir.path().join("x");
    let ok = Command::new("pdfimages")
        .arg("-j")
        .arg(&out)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    assert_eq!(
        std::fs::read(dir.path().join("x-000.jpg")).unwrap(),
        jpeg_bytes,
        "byte-identical"
    );
    let info =
        String::from_utf8(Command::new("pdfinfo").arg(&out).output().unwrap().stdout).unwrap();
    assert!(
        info.contains("Page size:       43.2 x 28.8 pts"),
        "90 × 60 px at 150 dpi: {info}"
    );

    // Nothing readable: nothing written, exit 2.
    let none = dir.path().join("leer.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["assemble"])
        .arg(&bad)
        .arg("-o")
        .arg(&none)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
}

#[test]
fn a_batch_from_the_sane_test_scanner_becomes_one_pdf() {
    let conf = tempfile::tempdir().unwrap();
    std::fs::write(conf.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(conf.path().join("test.conf"), t).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let list = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("scanners")
        .env("SANE_CONFIG_DIR", conf.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("test:0"));
    let out = dir.path().join("stapel.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args([
            "scan",
            "--device",
            "test:0",
            "--source",
            "Automatic Document Feeder",
        ])
        .args([
            "--mode",
            "Gray",
            "--resolution",
            "150",
            "--pages",
            "4",
            "-o",
        ])
        .arg(&out)
        .env("SANE_CONFIG_DIR", conf.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("page 4 received") && text.contains("4 pages"),
        "{text}"
    );
    let info =
        String::from_utf8(Command::new("pdfinfo").arg(&out).output().unwrap().stdout).unwrap();
    assert!(info.contains("Pages:           4"), "{info}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["stapel.pdf"], "the working folder is gone");
}
