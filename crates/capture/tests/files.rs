//! Real files in, pages out: JPEG (passthrough, density), PNG, multi-page TIFF (grey, RGB,
//! and CCITT G4 made by libtiff's ppm2tiff), and hostile input refused from its header.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use eingang_capture::{read_file, CaptureError, Limits};
use eingang_pdf::{render_scan_pdf, PageImage, ScanPdf};
use std::path::Path;
use std::process::Command;

fn jpeg_file(dir: &Path, name: &str, dpi: u16) -> (std::path::PathBuf, Vec<u8>) {
    let img = image::RgbImage::from_fn(120, 80, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 3) as u8, 128])
    });
    let mut bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi));
    enc.encode_image(&img).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

fn tiff_two_pages(dir: &Path) -> std::path::PathBuf {
    use tiff::encoder::{colortype, Rational, TiffEncoder};
    use tiff::tags::ResolutionUnit;
    let path = dir.join("zwei.tif");
    let mut enc = TiffEncoder::new(std::fs::File::create(&path).unwrap()).unwrap();
    let grey: Vec<u8> = (0..64 * 32_u32).map(|i| (i % 256) as u8).collect();
    let mut page = enc.new_image::<colortype::Gray8>(64, 32).unwrap();
    page.resolution(ResolutionUnit::Inch, Rational { n: 200, d: 1 });
    page.write_data(&grey).unwrap();
    let rgb: Vec<u8> = (0..32 * 16 * 3_u32).map(|i| (i % 200) as u8).collect();
    let mut page = enc.new_image::<colortype::RGB8>(32, 16).unwrap();
    page.resolution(ResolutionUnit::Centimeter, Rational { n: 118, d: 1 });
    page.write_data(&rgb).unwrap();
    path
}

/// A bilevel page as CCITT G4 TIFF, made by libtiff's own tool.
fn g4_file(dir: &Path) -> std::path::PathBuf {
    let pbm = dir.join("fax.pbm");
    let (w, h) = (64_u32, 16_u32);
    let mut data = format!("P4\n{w} {h}\n").into_bytes();
    for y in 0..h {
        for x in 0..w / 8 {
            data.push(if (x + y) % 2 == 0 { 0xFF } else { 0x00 }); // PBM: 1 = black
        }
    }
    std::fs::write(&pbm, data).unwrap();
    let tif = dir.join("fax.tif");
    let out = Command::new("ppm2tiff")
        .args(["-c", "g4", "-R", "300"])
        .arg(&pbm)
        .arg(&tif)
        .output()
        .expect("ppm2tiff (libtiff-tools) is installed by scripts/test.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tif
}

#[test]
fn jpeg_png_and_multi_page_tiff_become_pages_with_their_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let (jpg, original) = jpeg_file(dir.path(), "brief.jpg", 200);
    let pages = read_file(&jpg, Limits::default()).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].page.dpi, (200.0, 200.0));
    assert!(!pages[0].dpi_assumed);
    assert_eq!(
        pages[0].page.image,
        PageImage::Jpeg(original),
        "passthrough: unchanged bytes"
    );

    let png = dir.path().join("anlage.png");
    image::GrayImage::from_fn(40, 30, |x, _| image::Luma([(x * 6) as u8]))
        .save(&png)
        .unwrap();
    let pages = read_file(&png, Limits::default()).unwrap();
    assert!(matches!(
        pages[0].page.image,
        PageImage::Gray8 {
            width: 40,
            height: 30,
            ..
        }
    ));
    assert!(pages[0].dpi_assumed, "no pHYs: 300 dpi assumed and said so");

    let tif = tiff_two_pages(dir.path());
    let pages = read_file(&tif, Limits::default()).unwrap();
    assert_eq!(pages.len(), 2);
    assert!(
        matches!(&pages[0].page.image, PageImage::Gray8 { width: 64, height: 32, data } if data[5] == 5)
    );
    assert_eq!(pages[0].page.dpi, (200.0, 200.0));
    assert!(matches!(
        pages[1].page.image,
        PageImage::Rgb8 {
            width: 32,
            height: 16,
            ..
        }
    ));
    let (dx, _) = pages[1].page.dpi;
    assert!((dx - 299.72).abs() < 0.1, "118 px/cm ≈ 300 dpi: {dx}");

    let fax = g4_file(dir.path());
    let pages = read_file(&fax, Limits::default()).unwrap();
    let PageImage::Bilevel {
        width,
        height,
        data,
    } = &pages[0].page.image
    else {
        panic!("{:?}", pages[0].page.image);
    };
    assert_eq!((*width, *height, data.len()), (64, 16, 128));
    // Row 0 starts black (PBM 0xFF): in PDF's DeviceGray 0 = black.
    assert_eq!(
        (data[0], data[1]),
        (0x00, 0xFF),
        "WhiteIsZero fax samples come out the PDF way"
    );

    // All of them in one PDF/A.
    let mut all = Vec::new();
    for f in [&jpg, &png, &tif, &fax] {
        all.extend(
            read_file(f, Limits::default())
                .unwrap()
                .into_iter()
                .map(|p| p.page),
        );
    }
    let pdf = render_scan_pdf(
        &ScanPdf {
            title: "Stapel".into(),
            language: "de".into(),
            created: "2026-11-29T09:00:00Z".into(),
            reference: "s".into(),
        },
        &all,
    )
    .unwrap();
    let out = dir.path().join("stapel.pdf");
    std::fs::write(&out, pdf).unwrap();
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn hostile_and_broken_files_are_refused_naming_the_file_and_page() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG whose header claims 100000 × 100000 pixels: refused before any decoding.
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend(100_000_u32.to_be_bytes());
    bomb.extend(100_000_u32.to_be_bytes());
    bomb.extend([8, 0, 0, 0, 0, 0, 0, 0, 0]);
    let path = dir.path().join("bombe.png");
    std::fs::write(&path, bomb).unwrap();
    let e = read_file(&path, Limits::default()).unwrap_err();
    assert_eq!(e.code(), "capture.too_large");
    assert!(
        e.to_string()
            .starts_with("bombe.png: too large — 100000×100000 pixels"),
        "{e}"
    );

    let (jpg, bytes) = jpeg_file(dir.path(), "kaputt.jpg", 300);
    std::fs::write(&jpg, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_file(&jpg, Limits::default()).unwrap_err();
    assert!(matches!(e, CaptureError::Corrupt { .. }), "{e}");
    assert!(e.to_string().starts_with("kaputt.jpg: damaged"), "{e}");

    let gif = dir.path().join("bild.gif");
    std::fs::write(&gif, b"GIF89a....").unwrap();
    assert_eq!(
        read_file(&gif, Limits::default()).unwrap_err().code(),
        "capture.unsupported"
    );

    // A page limit, and a file-size limit, from the caller.
    let tif = tiff_two_pages(dir.path());
    let e = read_file(
        &tif,
        Limits {
            max_pages: 1,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("more than 1 pages"), "{e}");
    let e = read_file(
        &tif,
        Limits {
            max_file_bytes: 10,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "capture.too_large");
    // A TIFF cut short: the page that cannot be read is named.
    let cut = std::fs::read(&tif).unwrap();
    let short = dir.path().join("kurz.tif");
    std::fs::write(&short, &cut[..cut.len() - 40]).unwrap();
    let e = read_file(&short, Limits::default()).unwrap_err();
    assert!(e.to_string().starts_with("kurz.tif"), "{e}");
}
