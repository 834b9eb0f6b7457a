//! Scanned pages as PDF/A, checked with independent tools: qpdf (structure), pdfinfo
//! (page count and sizes from the resolution), pdfimages (each image's encoding, and the
//! JPEG extracted byte for byte; the lossless samples decoded back).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod pdfbox;

use eingang_pdf::{render_scan_pdf, PageImage, ScanPage, ScanPdf};
use std::process::Command;

fn jpeg(width: u32, height: u32, gray: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    if gray {
        let img = image::GrayImage::from_fn(width, height, |x, y| {
            image::Luma([((x * 7 + y * 3) % 256) as u8])
        });
        enc.encode_image(&img).unwrap();
    } else {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        enc.encode_image(&img).unwrap();
    }
    out
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (scripts/test.sh installs it)"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn jpeg_goes_in_byte_identical_and_other_samples_losslessly_each_page_at_its_paper_size() {
    let dir = tempfile::tempdir().unwrap();
    let colour = jpeg(600, 400, false);
    let grey_jpeg = jpeg(300, 300, true);
    let grey: Vec<u8> = (0..200 * 100_u32).map(|i| (i % 251) as u8).collect();
    let bilevel: Vec<u8> = (0..(16 / 8) * 8)
        .map(|i| if i % 3 == 0 { 0xF0 } else { 0x0F })
        .collect();
    let pages = [
        ScanPage {
            image: PageImage::Jpeg(colour.clone()),
            dpi: (300.0, 300.0),
        },
        ScanPage {
            image: PageImage::Gray8 {
                width: 200,
                height: 100,
                data: grey.clone(),
            },
            dpi: (200.0, 200.0),
        },
        ScanPage {
            image: PageImage::Bilevel {
                width: 16,
                height: 8,
                data: bilevel,
            },
            dpi: (300.0, 300.0),
        },
        ScanPage {
            image: PageImage::Jpeg(grey_jpeg.clone()),
            dpi: (150.0, 150.0),
        },
    ];
    let pdf = render_scan_pdf(
        &ScanPdf {
            title: "Posteingang 29.11.2026 – Stapel 7".into(),
            language: "de".into(),
            created: "2026-11-29T08:15:00Z".into(),
            reference: "stapel-7".into(),
        },
        &pages,
    )
    .unwrap();
    let path = dir.path().join("scan.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let p = path.to_str().unwrap();

    run("qpdf", &["--check", p]);
    let info = run("pdfinfo", &["-f", "1", "-l", "4", p]);
    assert!(info.contains("Pages:           4"), "{info}");
    // 600 × 400 px at 300 dpi = 2 × 1.333 in = 144 × 96 pt; 200 × 100 at 200 dpi = 72 × 36 pt.
    assert!(info.contains("Page    1 size:  144 x 96 pts"), "{info}");
    assert!(info.contains("Page    2 size:  72 x 36 pts"), "{info}");
    assert!(info.contains("Page    4 size:  144 x 144 pts"), "{info}");

    let list = run("pdfimages", &["-list", p]);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    // page num type width height color comp bpc enc …
    assert_eq!((rows[0][5], rows[0][8]), ("rgb", "jpeg"), "{list}");
    assert_eq!(
        (rows[1][5], rows[1][7], rows[1][8]),
        ("gray", "8", "image"),
        "{list}"
    );
    assert_eq!((rows[2][5], rows[2][7]), ("gray", "1"), "{list}");
    assert_eq!((rows[3][5], rows[3][8]), ("gray", "jpeg"), "{list}");

    // The JPEGs come out exactly as they went in.
    let out = dir.path().join("x");
    run("pdfimages", &["-j", p, out.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(dir.path().join("x-000.jpg")).unwrap(),
        colour,
        "byte-identical passthrough"
    );
    assert_eq!(
        std::fs::read(dir.path().join("x-003.jpg")).unwrap(),
        grey_jpeg
    );
    // The grey samples decode back unchanged.
    run(
        "pdfimages",
        &[
            "-png",
            "-f",
            "2",
            "-l",
            "2",
            p,
            dir.path().join("g").to_str().unwrap(),
        ],
    );
    let back = image::open(dir.path().join("g-000.png"))
        .unwrap()
        .into_luma8();
    assert_eq!(back.into_raw(), grey);
}

#[test]
fn a_cmyk_or_damaged_jpeg_is_refused_naming_the_page() {
    let doc = ScanPdf {
        title: "t".into(),
        language: "de".into(),
        created: "2026-11-29T08:15:00Z".into(),
        reference: "r".into(),
    };
    let mut cut = jpeg(64, 64, false);
    cut.truncate(20);
    let ok = ScanPage {
        image: PageImage::Jpeg(jpeg(64, 64, true)),
        dpi: (300.0, 300.0),
    };
    let bad = ScanPage {
        image: PageImage::Jpeg(cut),
        dpi: (300.0, 300.0),
    };
    let e = render_scan_pdf(&doc, &[ok.clone(), bad])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("page 2: not a usable JPEG file"), "{e}");
    // A CMYK frame header (4 components): PDF/A with an sRGB intent cannot take it as is.
    let mut cmyk = vec![
        0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x14, 8, 0x00, 0x08, 0x00, 0x08, 4,
    ];
    cmyk.extend([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
    let cmyk = ScanPage {
        image: PageImage::Jpeg(cmyk),
        dpi: (300.0, 300.0),
    };
    let e = render_scan_pdf(&doc, &[ok, cmyk]).unwrap_err().to_string();
    assert!(
        e.starts_with("page 2: CMYK JPEG pages must be converted"),
        "{e}"
    );
}

#[test]
fn the_streaming_writer_writes_each_pdfa_level_with_rotation_and_index_fields_in_the_xmp() {
    use eingang_pdf::{PdfA, ScanOptions, ScanWriter};
    let dir = tempfile::tempdir().unwrap();
    let doc = ScanPdf {
        title: "Widerspruch Müller".into(),
        language: "de".into(),
        created: "2026-11-29T08:00:00Z".into(),
        reference: "doc-1".into(),
    };
    let options = ScanOptions {
        level: PdfA::A2b,
        index: vec![
            ("aktenzeichen".into(), "530.12-2026/0042 <&>".into()),
            ("organisationseinheit".into(), "530.12".into()),
        ],
        ..ScanOptions::default()
    };
    for (level, version, part) in [
        (PdfA::A1b, "1.4", "1"),
        (PdfA::A2b, "1.7", "2"),
        (PdfA::A3b, "1.7", "3"),
    ] {
        let path = dir.path().join(format!("a{part}.pdf"));
        let mut w = ScanWriter::new(std::fs::File::create(&path).unwrap(), level).unwrap();
        w.add_page(
            &ScanPage {
                image: PageImage::Jpeg(jpeg(600, 300, true)),
                dpi: (150.0, 150.0),
            },
            1,
        )
        .unwrap();
        w.add_page(
            &ScanPage {
                image: PageImage::Jpeg(jpeg(300, 600, false)),
                dpi: (150.0, 150.0),
            },
            2,
        )
        .unwrap();
        assert_eq!(w.pages(), 2);
        w.finish(
            &doc,
            &ScanOptions {
                level,
                ..options.clone()
            },
        )
        .unwrap();
        let p = path.to_str().unwrap();
        run("qpdf", &["--check", p]);
        let info = run("pdfinfo", &["-f", "1", "-l", "2", p]);
        assert!(
            info.contains(&format!("PDF version:     {version}")),
            "{info}"
        );
        assert!(info.contains("Page    1 rot:   90"), "{info}");
        assert!(info.contains("Page    2 rot:   180"), "{info}");
        assert!(
            info.contains("Title:           Widerspruch Müller"),
            "{info}"
        );
        let meta = run("pdfinfo", &["-meta", p]);
        assert!(meta.contains(&format!("<pdfaid:part>{part}</pdfaid:part>")));
        assert!(
            meta.contains(
                "<eingang:aktenzeichen>530.12-2026/0042 &lt;&amp;&gt;</eingang:aktenzeichen>"
            ),
            "{meta}"
        );
        assert!(meta.contains("<pdfaSchema:prefix>eingang</pdfaSchema:prefix>"));
        // The XMP is well-formed XML.
        let start = meta.find("<x:xmpmeta").unwrap();
        let end = meta.find("</x:xmpmeta>").unwrap() + "</x:xmpmeta>".len();
        roxmltree::Document::parse(&meta[start..end]).unwrap();
    }
    let empty = ScanWriter::new(Vec::new(), PdfA::A2b).unwrap();
    assert!(empty.finish(&doc, &options).is_err());
}

/// PDFBox's preflight (Debian's libpdfbox2-java) on the PDF/A-1b variant, with index fields
/// in the XMP (their extension schema must satisfy it too) and an invisible OCR text layer.
#[test]
fn pdfbox_preflight_accepts_the_pdfa_1b_variant_with_index_fields() {
    use eingang_pdf::{PdfA, ScanOptions, ScanWriter, TextWord};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a1b.pdf");
    let mut w = ScanWriter::new(std::fs::File::create(&path).unwrap(), PdfA::A1b).unwrap();
    for (image, turns) in [
        (PageImage::Jpeg(jpeg(400, 300, false)), 0),
        (
            PageImage::Gray8 {
                width: 64,
                height: 32,
                data: (0..64 * 32_u32).map(|i| (i % 256) as u8).collect(),
            },
            3,
        ),
    ] {
        // The invisible OCR text layer's font must pass too.
        let words = [TextWord {
            text: "Straße".into(),
            x: 10,
            y: 10,
            w: 40,
            h: 12,
        }];
        w.add_page_with_text(
            &ScanPage {
                image,
                dpi: (100.0, 100.0),
            },
            turns,
            &words,
            0,
        )
        .unwrap();
    }
    let doc = ScanPdf {
        title: "Bauantrag Straße 5".into(),
        language: "de".into(),
        created: "2026-11-29T08:00:00Z".into(),
        reference: "a1b".into(),
    };
    let options = ScanOptions {
        level: PdfA::A1b,
        index: vec![
            ("aktenzeichen".into(), "63.1-2026/17".into()),
            ("absender".into(), "Müller & Söhne".into()),
        ],
        ..ScanOptions::default()
    };
    w.finish(&doc, &options).unwrap();
    let out = pdfbox::preflight_a1b(&path);
    assert!(out.contains("is a valid PDF/A-1b file"), "{out}");
}

/// PDF/A-3b with an invisible text layer and an associated XML file: poppler extracts the
/// words at their places and lists and extracts the file; qpdf finds the structure sound;
/// the self-check passes.
#[test]
fn text_layer_and_associated_file_in_pdfa_3b() {
    use eingang_pdf::{check_pdfa_file, Attachment, PdfA, ScanOptions, ScanWriter, TextWord};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a3b.pdf");
    let mut w = ScanWriter::new(std::fs::File::create(&path).unwrap(), PdfA::A3b).unwrap();
    let word = |text: &str, x, y| TextWord {
        text: text.into(),
        x,
        y,
        w: 300,
        h: 40,
    };
    // A4 at 100 dpi; two words on one line, one further down.
    let words = [
        word("Widerspruch", 100, 100),
        word("Gebührenbescheid", 450, 100),
        word("Ölheizung", 100, 600),
    ];
    w.add_page_with_text(
        &ScanPage {
            image: PageImage::Gray8 {
                width: 827,
                height: 1169,
                data: vec![255; 827 * 1169],
            },
            dpi: (100.0, 100.0),
        },
        0,
        &words,
        0,
    )
    .unwrap();
    let xml = b"<?xml version=\"1.0\"?><transfervermerk/>".to_vec();
    let options = ScanOptions {
        level: PdfA::A3b,
        index: vec![],
        attachments: vec![Attachment {
            name: "transfervermerk.xml".into(),
            mime: "application/xml".into(),
            description: "Transfervermerk".into(),
            relationship: "Supplement".into(),
            data: xml.clone(),
        }],
    };
    let doc = ScanPdf {
        title: "t".into(),
        language: "de".into(),
        created: "2026-11-29T08:00:00Z".into(),
        reference: "a3b".into(),
    };
    w.finish(&doc, &options).unwrap();
    run("qpdf", &["--check", path.to_str().unwrap()]);
    assert_eq!(check_pdfa_file(&path, PdfA::A3b), Vec::<String>::new());
    let text = run("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    let first = text
        .lines()
        .find(|l| l.contains("Widerspruch"))
        .unwrap_or("");
    assert!(first.contains("Gebührenbescheid"), "one line: {text}");
    assert!(text.contains("Ölheizung"), "{text}");
    // The word is where the scan shows it: 100 px at 100 dpi = 72 pt from the left.
    let bbox = run("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    let line = bbox.lines().find(|l| l.contains(">Widerspruch<")).unwrap();
    let attr = |name: &str| -> f64 {
        let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[at..].split('"').next().unwrap().parse().unwrap()
    };
    // x from 100 to 400 px, the top at 100 px, at 100 dpi, in points. (poppler adds a
    // default descent below the baseline at 140 px, so the bottom is at least there.)
    for (name, want) in [("xMin", 72.0), ("xMax", 288.0), ("yMin", 72.0)] {
        assert!((attr(name) - want).abs() < 0.1, "{name}: {line}");
    }
    assert!(attr("yMax") > 100.7, "{line}");
    let listed = run("pdfdetach", &["-list", path.to_str().unwrap()]);
    assert!(listed.contains("transfervermerk.xml"), "{listed}");
    let out = dir.path().join("tv.xml");
    run(
        "pdfdetach",
        &[
            "-save",
            "1",
            "-o",
            out.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(&out).unwrap(), xml);
}

#[test]
fn an_attachment_in_pdfa_2b_is_refused() {
    use eingang_pdf::{Attachment, PdfA, ScanOptions, ScanWriter};
    let mut w = ScanWriter::new(Vec::new(), PdfA::A2b).unwrap();
    w.add_page(
        &ScanPage {
            image: PageImage::Gray8 {
                width: 8,
                height: 8,
                data: vec![255; 64],
            },
            dpi: (100.0, 100.0),
        },
        0,
    )
    .unwrap();
    let doc = ScanPdf {
        title: "t".into(),
        language: "de".into(),
        created: "2026-11-29T08:00:00Z".into(),
        reference: "a2b".into(),
    };
    let options = ScanOptions {
        level: PdfA::A2b,
        index: vec![],
        attachments: vec![Attachment {
            name: "x.xml".into(),
            mime: "application/xml".into(),
            description: String::new(),
            relationship: "Supplement".into(),
            data: b"<x/>".to_vec(),
        }],
    };
    let e = w.finish(&doc, &options).unwrap_err();
    assert!(e.to_string().contains("PDF/A-3"), "{e}");
}
