//! PDF files as a source: image-only pages give their images back as they are (a JPEG from
//! img2pdf byte for byte, G4 and lossless grey through our own writer), a page with text is
//! rendered, encrypted and broken PDFs and image bombs are refused naming the file.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use eingang_capture::{read_bytes, read_file, Limits};
use eingang_pdf::{PageImage, PdfA, ScanOptions, ScanPage, ScanPdf, ScanWriter};
use std::fmt::Write as _;
use std::process::Command;

/// A PDF from object bodies (object n = objects[n-1]), with a correct xref table.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1);
    for o in offsets {
        let _ = write!(tail, "{o:010} 00000 n\r\n");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend(tail.as_bytes());
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend(data);
    v.extend(b"\nendstream");
    v
}

fn text_pdf() -> Vec<u8> {
    let content = b"BT /F1 24 Tf 72 700 Td (Widerspruch gegen den Bescheid) Tj ET";
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream("", content),
    ])
}

#[test]
fn image_only_pdf_pages_come_back_as_their_images_and_text_pages_are_rendered() {
    let dir = tempfile::tempdir().unwrap();
    // A JPEG at 150 dpi through img2pdf (an independent writer): byte for byte back.
    let img = image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(150));
    enc.encode_image(&img).unwrap();
    let jpeg_path = dir.path().join("a.jpg");
    std::fs::write(&jpeg_path, &jpeg).unwrap();
    let from_img2pdf = dir.path().join("img2pdf.pdf");
    let ok = Command::new("img2pdf")
        .arg(&jpeg_path)
        .arg("-o")
        .arg(&from_img2pdf)
        .status()
        .expect("img2pdf (scripts/test.sh installs it)");
    assert!(ok.success());
    let pages = read_file(&from_img2pdf, Limits::default()).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].page.image, PageImage::Jpeg(jpeg.clone()));
    let (dx, dy) = pages[0].page.dpi;
    assert!(
        (dx - 150.0).abs() < 0.5 && (dy - 150.0).abs() < 0.5,
        "{dx}×{dy}"
    );

    // G4 and lossless grey through our writer, and a text page, in one PDF each.
    let g4 = eingang_capture::process::encode_g4(64, 32, |i| (i / 64 + i % 64) % 5 == 0).unwrap();
    let grey: Vec<u8> = (0..40 * 20_u32).map(|i| (i % 256) as u8).collect();
    let mut w = ScanWriter::new(Vec::new(), PdfA::A2b).unwrap();
    for image in [
        PageImage::G4 {
            width: 64,
            height: 32,
            data: g4.clone(),
        },
        PageImage::Gray8 {
            width: 40,
            height: 20,
            data: grey.clone(),
        },
    ] {
        w.add_page(
            &ScanPage {
                image,
                dpi: (200.0, 200.0),
            },
            0,
        )
        .unwrap();
    }
    let doc = ScanPdf {
        title: "t".into(),
        language: "de".into(),
        created: "2026-11-29T00:00:00Z".into(),
        reference: "r".into(),
    };
    let ours = w.finish(&doc, &ScanOptions::default()).unwrap();
    let pages = read_bytes("ours.pdf", ours, Limits::default()).unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].page.image,
        PageImage::G4 {
            width: 64,
            height: 32,
            data: g4
        }
    );
    assert_eq!(
        pages[1].page.image,
        PageImage::Gray8 {
            width: 40,
            height: 20,
            data: grey
        }
    );
    assert!((pages[1].page.dpi.0 - 200.0).abs() < 0.5);

    // Text is not an image: the page is rendered at 300 dpi (A4 → 2480 × 3508 or so).
    let pages = read_bytes("brief.pdf", text_pdf(), Limits::default()).unwrap();
    assert_eq!(pages.len(), 1);
    let PageImage::Rgb8 {
        width,
        height,
        data,
    } = &pages[0].page.image
    else {
        panic!("rendered pages are colour samples")
    };
    assert_eq!((*width, *height), (2480, 3509));
    assert!(
        data.iter().any(|&v| v < 100),
        "the text is on the rendered page"
    );
    assert_eq!(pages[0].page.dpi, (300.0, 300.0));
}

#[test]
fn encrypted_broken_and_bomb_pdfs_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    std::fs::write(&plain, text_pdf()).unwrap();
    let locked = dir.path().join("gesperrt.pdf");
    let ok = Command::new("qpdf")
        .args(["--encrypt", "user", "owner", "256", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .unwrap();
    assert!(ok.success());
    let e = read_file(&locked, Limits::default()).unwrap_err();
    assert_eq!(e.code(), "capture.corrupt");
    assert!(
        e.to_string().contains("gesperrt.pdf") && e.to_string().contains("encrypted"),
        "{e}"
    );

    let e = read_bytes(
        "kaputt.pdf",
        b"%PDF-1.7\n1 0 obj << /Type".to_vec(),
        Limits::default(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("kaputt.pdf: damaged"), "{e}");

    // An image that claims 40,000 × 40,000 pixels: refused before anything is inflated.
    let bomb = pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        stream(
            "/Type /XObject /Subtype /Image /Width 40000 /Height 40000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
            b"x\x9c\x03\x00\x00\x00\x00\x01",
        ),
        stream("", b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
    ]);
    let e = read_bytes("bombe.pdf", bomb, Limits::default()).unwrap_err();
    assert_eq!(e.code(), "capture.too_large", "{e}");
    assert!(e.to_string().contains("bombe.pdf, page 1"), "{e}");
}
