//! Synthetic scans drawn analytically (not with the code under test).

/// A page of "text": lines of word blocks, drawn rotated counter-clockwise by `deg`.
/// `lines` limits how many lines there are (a sparse page has one).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
#[allow(dead_code)]
pub fn text_page(w: usize, h: usize, deg: f32, lines: usize, seed: u64) -> Vec<u8> {
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (margin, spacing, height) = (w / 10, h / 40, h / 100);
    // Words per line: (start, end) in unrotated x.
    let mut words: Vec<Vec<(usize, usize)>> = Vec::new();
    for _ in 0..lines.min(34) {
        let mut x = margin;
        let mut line = Vec::new();
        while x < w - margin {
            let len = 20 + (next() % 60) as usize;
            line.push((x, (x + len).min(w - margin)));
            x += len + 10 + (next() % 10) as usize;
        }
        words.push(line);
    }
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let top = h / 10;
    let mut out = vec![245u8; w * h];
    for y in 0..h {
        for x in 0..w {
            // Undo the counter-clockwise rotation to find the point on the upright page.
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let ux = dx * c - dy * s + cx;
            let uy = dx * s + dy * c + cy;
            if ux < 0.0 || uy < top as f32 {
                continue;
            }
            let (ux, uy) = (ux as usize, uy as usize);
            let line = (uy - top) / spacing;
            if (uy - top) % spacing < height {
                if let Some(ws) = words.get(line) {
                    if ws.iter().any(|&(a, b)| ux >= a && ux < b) {
                        out[y * w + x] = 20;
                    }
                }
            }
        }
    }
    out
}

/// Draws a barcode (made by rxing's encoder) into a grey page `w` pixels wide.
#[allow(dead_code)]
pub fn put_code(
    page: &mut [u8],
    w: usize,
    format: rxing::BarcodeFormat,
    text: &str,
    size: (i32, i32),
    at: (usize, usize),
) {
    use rxing::Writer as _;
    let m = rxing::MultiFormatWriter
        .encode(text, &format, size.0, size.1)
        .expect("encodable");
    for y in 0..m.getHeight() {
        for x in 0..m.getWidth() {
            if m.get(x, y) {
                page[(at.1 + y as usize) * w + at.0 + x as usize] = 15;
            }
        }
    }
}

/// A PGM file (what SANE writes) of a grey page.
#[allow(dead_code)]
pub fn pgm(page: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
    out.extend(page);
    out
}

/// The written reason for releasing documents of protection need normal without a seal.
#[allow(dead_code)]
pub const JUSTIFICATION: &str =
    "Schutzbedarf normal: Integrität durch SHA-256-Prüfsummen und die Audit-Kette (Testfall)";

/// Reads the batch's pages with Tesseract (German and English), two at a time, as the
/// station's OCR does.
#[allow(dead_code)]
pub fn ocr(
    store: &eingang_store::Store,
    batch: &eingang_model::BatchId,
) -> eingang_capture::ocr::OcrReport {
    let tess = eingang_capture::ocr::Tesseract::find("deu+eng")
        .expect("scripts/test.sh installs Tesseract");
    eingang_capture::ocr::run_pending(
        store,
        &tess,
        Some(batch),
        2,
        &std::sync::atomic::AtomicBool::new(false),
        &|_, _| {},
    )
    .expect("the store reads its OCR queue")
}

/// Releases a batch as the scan office does after a second person ("Prüferin") passed
/// every document the check drew or flagged; the documents go to the `default` target
/// (protection need normal, without a seal but with the written justification). Documents
/// whose index names no type are released as "Brief".
#[allow(dead_code)]
pub fn release_checked(
    store: &eingang_store::Store,
    batch: &eingang_model::BatchId,
    title: &str,
    index: &[(String, String)],
) -> Result<Vec<eingang_store::tables::documents::DocumentRow>, eingang_capture::BatchError> {
    eingang_capture::qc::pass_open(store, batch, "Prüferin")?;
    let mut index = index.to_vec();
    if !index.iter().any(|(k, _)| k == "dokumentart") {
        index.insert(0, ("dokumentart".into(), "Brief".into()));
    }
    eingang_capture::release::release(
        store,
        batch,
        &eingang_capture::release::Release {
            title,
            index: &index,
            targets: &["default"],
            sealer: &eingang_capture::transfer::NoSeal,
            station: None,
            justification: Some(JUSTIFICATION),
            authenticated: false,
            automatic: &[],
        },
    )
}
