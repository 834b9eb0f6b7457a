//! PDF files as a source: image-only pages give their images back as they are (a JPEG from
//! img2pdf byte for byte, G4 and lossless grey through our own writer), a page with text is
//! rendered, encrypted and broken PDFs and image bombs are refused naming the file.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

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

    // Text is not an image: the page is rendered at 300 dpi (A4 → 2480 × 3508 or so);
    // black text without any colour comes back grey.
    let pages = read_bytes("brief.pdf", text_pdf(), Limits::default()).unwrap();
    assert_eq!(pages.len(), 1);
    let PageImage::Gray8 {
        width,
        height,
        data,
    } = &pages[0].page.image
    else {
        panic!("a rendered page without colour is grey")
    };
    assert_eq!((*width, *height), (2480, 3509));
    assert!(
        data.iter().any(|&v| v < 100),
        "the text is on the rendered page"
    );
    assert_eq!(pages[0].page.dpi, (300.0, 300.0));
}

#[test]
fn a_rendered_page_with_colour_stays_in_colour() {
    // A page with a red stamp: rendered, and the red stays red (a page without colour
    // comes back grey, above).
    let stamped = pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream("", b"1 0 0 rg 100 600 200 80 re f"),
    ]);
    let pages = read_bytes("stempel.pdf", stamped, Limits::default()).unwrap();
    assert!(
        matches!(&pages[0].page.image, PageImage::Rgb8 { data, .. }
            if data.chunks_exact(3).any(|p| p[0] > 200 && p[1] < 50)),
        "the red stays red"
    );
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

mod fax_writer;

/// A page of test marks, `true` = coded black: runs past 2,560 pixels (both colours), text-like
/// blocks, diagonals (vertical codes), single pixels (pass codes), a checkerboard.
fn fax_marks(width: usize, height: usize) -> Vec<Vec<bool>> {
    let mut seed = 0x2545_f491_u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| match y {
                    0 => false,
                    1 => true,
                    2..=9 => (x / 7 + y) % 3 == 0 && x < 2000,
                    10..=19 => {
                        (x + y * 3) % 97 < 4 || (x as i64 - y as i64 * 40).rem_euclid(311) < 2
                    }
                    20..=23 => (x + y) % 2 == 0 && x > 1200,
                    _ => rnd() % 23 == 0 || (x / 40 + y / 5) % 5 == 0,
                })
                .collect()
        })
        .collect()
}

/// Poppler's decoding of the page's image (`pdfimages`, which applies `BlackIs1` and the
/// image's `Decode` — its PBM shows the image as the page does): `true` = dark.
fn poppler_dark(pdf: &std::path::Path, w: usize, h: usize) -> Vec<bool> {
    let root = pdf.with_extension("");
    let ok = Command::new("pdfimages")
        .arg(pdf)
        .arg(&root)
        .status()
        .expect("pdfimages (poppler-utils)");
    assert!(ok.success());
    let pbm_path = format!("{}-000.pbm", root.display());
    let pbm = std::fs::read(&pbm_path).unwrap();
    let _ = std::fs::remove_file(&pbm_path);
    let data = netpbm_samples(&pbm, 3);
    let row = w.div_ceil(8);
    assert_eq!(data.len(), row * h);
    // PBM: 1 = black.
    (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| data[y * row + x / 8] & (0x80 >> (x % 8)) != 0)
        .collect()
}

/// Ghostscript's rendering of the page at 1 px per point (with `Decode`): `true` = dark.
fn ghostscript_dark(pdf: &std::path::Path, w: usize, h: usize) -> Vec<bool> {
    let out = pdf.with_extension("pgm");
    let ok = Command::new("gs")
        .args([
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pgmraw",
            "-r72",
        ])
        .arg(format!("-sOutputFile={}", out.display()))
        .arg(pdf)
        .status()
        .expect("gs (ghostscript)");
    assert!(ok.success());
    let pgm = std::fs::read(&out).unwrap();
    let samples = netpbm_samples(&pgm, 4);
    assert_eq!(samples.len(), w * h, "drawn at 1:1");
    samples.iter().map(|&v| v < 128).collect()
}

/// The samples after a Netpbm header of `fields` fields (comments skipped).
fn netpbm_samples(file: &[u8], fields: usize) -> &[u8] {
    let (mut seen, mut i) = (0, 0);
    while seen < fields {
        if file[i] == b'#' {
            while file[i] != b'\n' {
                i += 1;
            }
        } else if file[i].is_ascii_whitespace() && i > 0 && !file[i - 1].is_ascii_whitespace() {
            seen += 1;
        }
        i += 1;
    }
    &file[i..]
}

/// Eingang's reading of the page (as import stores it): `true` = ink.
fn eingang_ink(image: &PageImage) -> Vec<bool> {
    match image {
        PageImage::Bilevel {
            width,
            height,
            data,
        } => {
            let row = width.div_ceil(8) as usize;
            (0..*height as usize)
                .flat_map(|y| {
                    (0..*width as usize)
                        .map(move |x| data[y * row + x / 8] & (0x80 >> (x % 8)) == 0)
                })
                .collect()
        }
        PageImage::G4 {
            width,
            height,
            data,
        } => {
            let b = eingang_capture::ccitt::decode(
                data,
                &eingang_capture::ccitt::Params::g4(*width, *height),
            )
            .unwrap();
            (0..*height)
                .flat_map(|y| (0..*width).map(move |x| (x, y)))
                .map(|(x, y)| b.ink(x, y))
                .collect()
        }
        other => panic!("a CCITT page came back as {other:?}"),
    }
}

/// Every combination of the parameters scanners and fax software write — Group 4, Group 3
/// one- and two-dimensional; EOL codes, byte alignment, end-of-page codes, `Rows` present or
/// not, `BlackIs1`, `Decode [1 0]` — reads pixel for pixel as poppler decodes it and
/// Ghostscript draws it, and shows the marks that were written.
#[test]
fn ccitt_pages_in_every_parameter_combination_read_as_poppler_and_ghostscript_read_them() {
    let (w, h) = (2600usize, 48usize);
    let marks = fax_marks(w, h);
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for k in [-1, 0, 2] {
        for bits in 0..32u32 {
            let flag = |i: u32| bits & (1 << i) != 0;
            let (eol, align, eob, rows, black_is_1) = (flag(0), flag(1), flag(2), flag(3), flag(4));
            if k < 0 && eol {
                continue; // Group 4 has no EOL codes
            }
            for invert in [false, true] {
                let v = fax_writer::Variant {
                    k,
                    end_of_line: eol,
                    byte_align: align,
                    end_of_block: eob,
                };
                let data = fax_writer::encode(&marks, v);
                let mut parms = format!("/K {k} /Columns {w}");
                for (on, text) in [
                    (eol, " /EndOfLine true"),
                    (align, " /EncodedByteAlign true"),
                    (!eob, " /EndOfBlock false"),
                    (black_is_1, " /BlackIs1 true"),
                ] {
                    if on {
                        parms.push_str(text);
                    }
                }
                if rows {
                    let _ = write!(parms, " /Rows {h}");
                }
                let decode = if invert { " /Decode [1 0]" } else { "" };
                let pdf = pdf_of(&[
                    b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                    format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").into_bytes(),
                    stream(&format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << {parms} >>{decode}"), &data),
                    stream("", format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q").as_bytes()),
                ]);
                let name = format!("k{k}-{bits:02}-{invert}");
                let path = dir.path().join(format!("{name}.pdf"));
                std::fs::write(&path, &pdf).unwrap();
                let pages = read_file(&path, Limits::default())
                    .unwrap_or_else(|e| panic!("{name} ({parms}{decode}): {e}"));
                let ours = eingang_ink(&pages[0].page.image);
                // Poppler's decoded image and Ghostscript's page: two independent readers.
                let poppler = poppler_dark(&path, w, h);
                // Mixed Group 3 without EOL codes is read two ways: poppler (with pdf.js and
                // T.4's line format) takes a tag bit before each line, Ghostscript counts K
                // lines instead. Scanners and fax machines always write the EOLs there; poppler
                // is the reference for the case without.
                let ghostscript = if k > 0 && !eol {
                    ours.clone()
                } else {
                    ghostscript_dark(&path, w, h)
                };
                let coded_black_shows_dark = black_is_1 == invert;
                let expected: Vec<bool> = marks
                    .iter()
                    .flatten()
                    .map(|&m| m == coded_black_shows_dark)
                    .collect();
                let first = |a: &[bool], b: &[bool]| {
                    a.iter()
                        .zip(b)
                        .position(|(x, y)| x != y)
                        .map(|i| (i / w, i % w))
                };
                assert!(
                    ours == poppler && ours == ghostscript && ours == expected,
                    "{name} ({parms}{decode}): first difference (row, column) from poppler {:?}, from Ghostscript {:?}, from the marks written {:?}",
                    first(&ours, &poppler), first(&ours, &ghostscript), first(&ours, &expected)
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 160);
}

/// CCITT pages written by other tools — libtiff's `ppm2tiff` (Group 4, Group 3 one- and
/// two-dimensional, with fill bits), `tiff2pdf` and `img2pdf` from those TIFFs — read as the
/// marks that went in, from the TIFF and from each PDF.
#[test]
fn ccitt_tiffs_and_pdfs_from_libtiff_and_img2pdf_read_as_written() {
    let (w, h) = (1000usize, 120usize);
    let marks = fax_marks(w, h);
    let dir = tempfile::tempdir().unwrap();
    let mut pbm = format!("P4\n{w} {h}\n").into_bytes();
    for row in &marks {
        pbm.extend(row.chunks(8).map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &ink)| b | (u8::from(ink) << (7 - i)))
        }));
    }
    let pbm_path = dir.path().join("marks.pbm");
    std::fs::write(&pbm_path, &pbm).unwrap();
    let expected: Vec<bool> = marks.iter().flatten().copied().collect();
    let mut read = 0;
    for scheme in ["g4", "g3", "g3:2d", "g3:2d:fill"] {
        let tif = dir.path().join(format!("{}.tif", scheme.replace(':', "-")));
        let ok = Command::new("ppm2tiff")
            .args(["-R", "300", "-c", scheme])
            .arg(&pbm_path)
            .arg(&tif)
            .status()
            .expect("ppm2tiff (libtiff-tools)");
        assert!(ok.success(), "{scheme}");
        let mut sources = vec![tif.clone()];
        for (tool, args) in [("tiff2pdf", vec!["-o"]), ("img2pdf", vec!["-o"])] {
            let pdf = tif.with_extension(format!("{tool}.pdf"));
            let mut c = Command::new(tool);
            if tool == "tiff2pdf" {
                c.args(&args).arg(&pdf).arg(&tif);
            } else {
                c.arg(&tif).args(&args).arg(&pdf);
            }
            let out = c.output().unwrap();
            // img2pdf takes Group 4 only; anything else it refuses (and says so).
            if out.status.success() {
                sources.push(pdf);
            } else {
                assert!(
                    tool == "img2pdf" && scheme != "g4",
                    "{tool} {scheme}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        for src in sources {
            let pages = read_file(&src, Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            let ours = match &pages[0].page.image {
                image @ (PageImage::Bilevel { .. } | PageImage::G4 { .. }) => eingang_ink(image),
                PageImage::Gray8 { data, .. } => data.iter().map(|&v| v < 128).collect(),
                _ => panic!(
                    "{}: not read as a bilevel page (rendered instead)",
                    src.display()
                ),
            };
            assert!(ours == expected, "{}: not the marks written", src.display());
            read += 1;
        }
    }
    assert!(read >= 9, "{read} files read");
}
