// Synthetic pages: small sizes, casts are exact.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::unwrap_used
)]

//! Page processing on synthetic pages whose skew and content are known exactly: the pages
//! are drawn analytically at the angle (not with the rotation the code under test uses).

use eingang_capture::process::{
    detect_skew, encode_g4, ink_percent, process, ColourMode, Compression, Op, Processing,
};
use eingang_pdf::{PageImage, ScanPage};

mod drawn;
use drawn::text_page;

fn grey(w: usize, h: usize, data: Vec<u8>) -> ScanPage {
    ScanPage {
        image: PageImage::Gray8 {
            width: w as u32,
            height: h as u32,
            data,
        },
        dpi: (150.0, 150.0),
    }
}

const W: usize = 1240;
const H: usize = 1754;

#[test]
fn skew_is_found_within_a_fifth_of_a_degree_both_ways_up_to_fifteen_degrees() {
    for (i, angle) in [-14.5f32, -7.3, -2.0, -0.6, 0.0, 0.35, 1.7, 4.15, 11.0, 14.8]
        .into_iter()
        .enumerate()
    {
        let page = text_page(W, H, angle, 30, i as u64 + 7);
        let found = detect_skew(&page, W, H, 150.0).expect("a text page has a skew");
        assert!(
            (found - angle).abs() <= 0.2,
            "drawn at {angle}°, found {found}°"
        );
    }
}

#[test]
fn a_deskewed_page_is_straight_and_the_step_is_logged() {
    let page = grey(W, H, text_page(W, H, 3.2, 30, 3));
    let done = process("p1", &page, &Processing::default()).unwrap();
    let Some(Op::Deskew {
        detected_degrees,
        corrected: true,
    }) = done.ops.first().cloned()
    else {
        panic!("first op should be a correction: {:?}", done.ops);
    };
    assert!((detected_degrees - 3.2).abs() <= 0.2);
    // Processed grey pages are JPEG by default: decode and measure the skew again.
    let PageImage::Jpeg(bytes) = &done.page.image else {
        panic!("grey pages become JPEG")
    };
    let img = image::load_from_memory(bytes).unwrap().into_luma8();
    assert_eq!((img.width() as usize, img.height() as usize), (W, H));
    let again = detect_skew(img.as_raw(), W, H, 150.0).unwrap();
    assert!(again.abs() <= 0.2, "still skewed by {again}° after deskew");
    assert!(!done.blank);
    assert!(done.thumbnail.starts_with(&[0xFF, 0xD8]));
    let log = serde_json::to_string(&done.ops).unwrap();
    assert!(
        log.contains(r#""op":"deskew""#) && log.contains(r#""op":"blank_check""#),
        "{log}"
    );
}

/// A blank back: paper grey with noise, faint show-through of the other side, a few specks.
fn blank_back(seed: u64) -> Vec<u8> {
    let show = text_page(W, H, 0.4, 30, seed);
    let mut rng = seed | 1;
    let mut out: Vec<u8> = show
        .iter()
        .map(|&v| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let noise = (rng % 9) as u8;
            // Show-through: the text at a tenth of its darkness.
            let base = if v < 128 { 222 } else { 240 };
            base + noise
        })
        .collect();
    for k in 0..40 {
        let (x, y) = (100 + k * 23 % 1000, 150 + k * 37 % 1400);
        out[y * W + x] = 0;
        out[y * W + x + 1] = 0;
    }
    out
}

#[test]
fn blank_backs_are_flagged_and_a_page_with_one_line_is_not() {
    let p = Processing::default();
    for seed in 1..4 {
        let done = process("back", &grey(W, H, blank_back(seed)), &p).unwrap();
        assert!(done.blank, "ink {}%", done.ink_percent);
        assert!(done
            .ops
            .iter()
            .any(|o| matches!(o, Op::BlankCheck { flagged: true, .. })));
    }
    let sparse = grey(W, H, text_page(W, H, 0.0, 1, 5));
    let done = process("sparse", &sparse, &p).unwrap();
    assert!(
        !done.blank,
        "one line of text has {}% ink",
        done.ink_percent
    );
    // The threshold is the profile's: raised high enough, the sparse page is flagged too.
    let strict = Processing {
        blank_threshold_percent: done.ink_percent + 0.5,
        ..p
    };
    assert!(process("sparse", &sparse, &strict).unwrap().blank);
    // A dark scanner edge is outside the measured area.
    let mut edged = blank_back(9);
    for y in 0..H {
        for x in 0..20 {
            edged[y * W + x] = 0;
        }
    }
    assert!(ink_percent(&edged, W, H, 150.0) < 0.1);
}

#[test]
fn bilevel_pages_are_ccitt_g4_that_decodes_back_to_the_same_pixels() {
    let data = text_page(W, H, 0.0, 30, 11);
    let p = Processing {
        mode: ColourMode::Bilevel,
        deskew: false,
        ..Processing::default()
    };
    let done = process("bw", &grey(W, H, data.clone()), &p).unwrap();
    let PageImage::G4 {
        width,
        height,
        data: g4,
    } = &done.page.image
    else {
        panic!("bilevel pages are G4: {:?}", done.ops)
    };
    assert_eq!((*width as usize, *height as usize), (W, H));
    assert!(g4.len() < W * H / 8 / 5, "G4 should compress text well");
    // Decode with the fax crate's decoder (an implementation independent of the encoder's
    // tables being right is poppler in the pdf tests; here: the pixels round-trip).
    let mut rows: Vec<Vec<bool>> = Vec::new();
    fax::decoder::decode_g4(g4.iter().copied(), W as u16, Some(H as u16), |t| {
        let mut row = vec![false; W];
        let mut black = false;
        let mut x = 0;
        for &edge in t {
            for px in row.iter_mut().take(edge as usize).skip(x) {
                *px = black;
            }
            x = edge as usize;
            black = !black;
        }
        for px in row.iter_mut().skip(x) {
            *px = black;
        }
        rows.push(row);
    });
    assert_eq!(rows.len(), H);
    for (y, row) in rows.iter().enumerate() {
        for (x, &b) in row.iter().enumerate() {
            assert_eq!(b, data[y * W + x] < 128, "pixel {x},{y}");
        }
    }
    assert!(done.ops.iter().any(|o| matches!(o, Op::Bilevel { .. })));
}

#[test]
fn an_untouched_jpeg_passes_through_and_lossless_keeps_samples() {
    let data = text_page(W, H, 0.0, 30, 13);
    let img = image::GrayImage::from_raw(W as u32, H as u32, data.clone()).unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .unwrap();
    let page = ScanPage {
        image: PageImage::Jpeg(jpeg.clone()),
        dpi: (150.0, 150.0),
    };
    let done = process("straight.jpg", &page, &Processing::default()).unwrap();
    assert_eq!(done.page.image, PageImage::Jpeg(jpeg), "{:?}", done.ops);
    assert!(done.ops.contains(&Op::Passthrough));

    let lossless = Processing {
        compression: Compression::Lossless,
        deskew: false,
        ..Processing::default()
    };
    let done = process("g", &grey(W, H, data.clone()), &lossless).unwrap();
    assert_eq!(
        done.page.image,
        PageImage::Gray8 {
            width: W as u32,
            height: H as u32,
            data
        }
    );
}

#[test]
fn crop_trims_margins_and_settings_are_checked() {
    let p = Processing {
        crop: Some(eingang_capture::process::Crop {
            left: 10.0,
            top: 5.0,
            right: 0.0,
            bottom: 0.0,
        }),
        compression: Compression::Lossless,
        deskew: false,
        ..Processing::default()
    };
    let done = process("c", &grey(W, H, vec![200; W * H]), &p).unwrap();
    // 10 mm and 5 mm at 150 dpi: 59 and 30 pixels.
    let PageImage::Gray8 { width, height, .. } = done.page.image else {
        panic!()
    };
    assert_eq!((width, height), (W as u32 - 59, H as u32 - 30));
    let e = Processing {
        jpeg_quality: 0,
        ..Processing::default()
    }
    .check()
    .unwrap_err();
    assert_eq!(e.field(), Some("jpeg_quality"), "{e}");
    // G4 refuses what it cannot encode rather than writing garbage.
    assert!(encode_g4(70_000, 1, |_| false).is_none());
}

#[test]
fn a_g4_page_in_the_pdf_decodes_with_poppler_to_the_same_pixels() {
    let (w, h) = (620, 877);
    let data = text_page(w, h, 0.0, 30, 17);
    let p = Processing {
        mode: ColourMode::Bilevel,
        deskew: false,
        ..Processing::default()
    };
    let mut page = grey(w, h, data.clone());
    page.dpi = (75.0, 75.0);
    let done = process("bw", &page, &p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("g4.pdf");
    let mut writer =
        eingang_pdf::ScanWriter::new(std::fs::File::create(&pdf).unwrap(), eingang_pdf::PdfA::A2b)
            .unwrap();
    writer.add_page(&done.page, 0).unwrap();
    let doc = eingang_pdf::ScanPdf {
        title: "G4".into(),
        language: "de".into(),
        created: "2026-11-29T08:00:00Z".into(),
        reference: "g4".into(),
    };
    writer
        .finish(&doc, &eingang_pdf::ScanOptions::default())
        .unwrap();
    let run = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run("qpdf", &["--check", pdf.to_str().unwrap()]);
    let list = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert!(list.contains("ccitt"), "{list}");
    let prefix = dir.path().join("img");
    run(
        "pdfimages",
        &["-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()],
    );
    let back = image::open(dir.path().join("img-000.png"))
        .unwrap()
        .into_luma8();
    assert_eq!((back.width() as usize, back.height() as usize), (w, h));
    for (i, (&got, &want)) in back.as_raw().iter().zip(&data).enumerate() {
        assert_eq!(got < 128, want < 128, "pixel {i}");
    }
}

#[test]
fn a_bilevel_page_is_deskewed_by_shears_and_comes_out_straight() {
    let page = grey(W, H, text_page(W, H, -6.4, 30, 21));
    let p = Processing {
        mode: ColourMode::Bilevel,
        ..Processing::default()
    };
    let done = process("bw", &page, &p).unwrap();
    let PageImage::G4 { data, .. } = &done.page.image else {
        panic!("G4 expected")
    };
    let mut pixels = Vec::with_capacity(W * H);
    fax::decoder::decode_g4(data.iter().copied(), W as u16, Some(H as u16), |t| {
        pixels.extend(fax::decoder::pels(t, W as u16).map(|c| {
            if c == fax::Color::Black {
                0
            } else {
                255
            }
        }));
    });
    assert_eq!(pixels.len(), W * H);
    let again = detect_skew(&pixels, W, H, 150.0).unwrap();
    assert!(again.abs() <= 0.2, "still skewed by {again}° after deskew");
    // Ink is conserved (nothing cut off): within 3 % of the upright page's.
    let upright = text_page(W, H, 0.0, 30, 21);
    let ink = |d: &[u8]| d.iter().filter(|&&v| v < 128).count() as f64;
    let ratio = ink(&pixels) / ink(&upright);
    assert!((0.97..1.03).contains(&ratio), "ink ratio {ratio}");
}

#[test]
fn a_black_sheet_is_not_blank() {
    let done = process("black", &grey(W, H, vec![5; W * H]), &Processing::default()).unwrap();
    assert!(!done.blank, "ink {}%", done.ink_percent);
    assert!(done.ink_percent > 99.0);
}

#[test]
fn whitening_lifts_the_paper_to_white_keeps_the_ink_and_shrinks_the_page() {
    let page = grey(W, H, blank_back(4));
    let plain = process("back", &page, &Processing::default()).unwrap();
    let white = Processing {
        whiten_background: true,
        ..Processing::default()
    };
    let lifted = process("back", &page, &white).unwrap();
    let size = |p: &eingang_capture::process::Processed| match &p.page.image {
        PageImage::Jpeg(b) => b.len(),
        other => panic!("JPEG expected, got {other:?}"),
    };
    assert!(
        size(&lifted) * 4 < size(&plain),
        "{} vs {}",
        size(&lifted),
        size(&plain)
    );
    assert!(lifted
        .ops
        .iter()
        .any(|o| matches!(o, Op::WhitenBackground { .. })));
    // Text stays dark.
    let text = grey(W, H, text_page(W, H, 0.0, 30, 8));
    let done = process(
        "text",
        &text,
        &Processing {
            deskew: false,
            compression: Compression::Lossless,
            ..white
        },
    )
    .unwrap();
    let PageImage::Gray8 { data, .. } = done.page.image else {
        panic!()
    };
    assert!(data.iter().filter(|&&v| v < 40).count() > W * H / 20);
    assert!(data.iter().filter(|&&v| v > 254).count() > W * H / 2);
}
