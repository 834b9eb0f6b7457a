//! PDF files as a source of pages.
//!
//! - A page that only shows one image (what scanners and scan software write) is split into
//!   that image **as it is**: JPEG stays byte-identical (passthrough), CCITT G4 as scanners
//!   write it stays G4 (proved whole by decoding it), other CCITT (Group 3, `BlackIs1`,
//!   byte-aligned, inverted by `Decode`) is decoded to a bilevel page,
//!   Flate-compressed grey/colour/bilevel samples are decoded (size-checked first). Its
//!   resolution is the image's pixels over the size it is drawn at.
//! - Any other page (text, drawings, a rotated page, an unusual colour space) is kept as a
//!   page of its own: rendered by poppler's `pdftoppm` at 300 dpi (time-limited), so the
//!   batch's PDF/A stays self-contained and valid whatever the input embedded.
//! - Encrypted PDFs are refused with what to do; limits apply before anything is decoded.

// Page geometry: sizes in points and pixels far inside f32 precision; clamped before they
// are narrowed.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use crate::{too_large, CaptureError, Limits, Page};
use eingang_pdf::{jpeg_info, PageImage, ScanPage};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::io::Read as _;
use std::time::{Duration, Instant};

/// The resolution pages without a usable image are rendered at.
const RENDER_DPI: u32 = 300;
/// How long rendering one page may take before it is given up.
const RENDER_LIMIT: Duration = Duration::from_secs(60);

fn corrupt(file: &str, page: Option<usize>, reason: impl Into<String>) -> CaptureError {
    CaptureError::Corrupt {
        file: file.to_owned(),
        page,
        reason: reason.into(),
    }
}

/// Everything [`pdf`] does before handing a page to poppler: the checks, the parse and the
/// image-only analysis of every page. Returns how many pages are image-only. (For the fuzz
/// target `pdf`: rendering runs poppler in its own process, which the fuzzer need not.)
#[doc(hidden)]
pub fn structure(file: &str, bytes: &[u8], limits: Limits) -> Result<usize, CaptureError> {
    let doc = load(file, bytes, limits)?;
    let mut images = 0;
    for (i, (_, id)) in doc.get_pages().into_iter().enumerate() {
        if image_only(&doc, id, file, i, limits)?.is_some() {
            images += 1;
        }
    }
    Ok(images)
}

/// Parses a PDF and checks what is refused before any page is looked at.
fn load(file: &str, bytes: &[u8], limits: Limits) -> Result<Document, CaptureError> {
    if bytes.windows(8).any(|w| w == b"/Encrypt") {
        return Err(corrupt(
            file,
            None,
            "the PDF is encrypted (password or copy protection); save it without protection and import it again",
        ));
    }
    let doc = Document::load_mem(bytes)
        .map_err(|e| corrupt(file, None, format!("not a readable PDF ({e})")))?;
    if doc.is_encrypted() {
        return Err(corrupt(file, None, "the PDF is encrypted"));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(corrupt(file, None, "the PDF has no pages"));
    }
    if pages.len() > limits.max_pages {
        return Err(CaptureError::TooLarge {
            file: file.to_owned(),
            page: None,
            reason: format!("{} pages, more than {}", pages.len(), limits.max_pages),
        });
    }
    Ok(doc)
}

pub(crate) fn pdf(file: &str, bytes: &[u8], limits: Limits) -> Result<Vec<Page>, CaptureError> {
    let doc = load(file, bytes, limits)?;
    let pages = doc.get_pages();
    let mut out = Vec::with_capacity(pages.len());
    for (i, (_, id)) in pages.into_iter().enumerate() {
        let page = match image_only(&doc, id, file, i, limits)? {
            Some(page) => page,
            None => render(file, bytes, i, &doc, id, limits)?,
        };
        out.push(Page {
            index: i,
            page,
            dpi_assumed: false,
        });
    }
    Ok(out)
}

fn number(o: &Object) -> Option<f32> {
    o.as_float()
        .ok()
        .or_else(|| o.as_i64().ok().map(|i| i as f32))
}

fn media_box(doc: &Document, page: &Dictionary) -> Option<[f32; 4]> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(b) = node.get(b"MediaBox") {
            let (_, b) = doc.dereference(b).ok()?;
            let arr = b.as_array().ok()?;
            if arr.len() != 4 {
                return None;
            }
            let v: Vec<f32> = arr.iter().filter_map(number).collect();
            return (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]]);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn xobject<'a>(doc: &'a Document, page: ObjectId, name: &[u8]) -> Option<&'a lopdf::Stream> {
    let (inline, ids) = doc.get_page_resources(page).ok()?;
    let dicts = inline
        .into_iter()
        .chain(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    for res in dicts {
        let Ok(xo) = res.get(b"XObject") else {
            continue;
        };
        let Ok((_, xo)) = doc.dereference(xo) else {
            continue;
        };
        let Ok(xo) = xo.as_dict() else { continue };
        if let Ok(r) = xo.get(name) {
            let (_, obj) = doc.dereference(r).ok()?;
            return obj.as_stream().ok();
        }
    }
    None
}

/// The page's one image, when the page shows nothing else; `None` means render it.
fn image_only(
    doc: &Document,
    id: ObjectId,
    file: &str,
    index: usize,
    limits: Limits,
) -> Result<Option<ScanPage>, CaptureError> {
    let Ok(page) = doc.get_dictionary(id) else {
        return Ok(None);
    };
    let rotated = page
        .get(b"Rotate")
        .ok()
        .and_then(|r| r.as_i64().ok())
        .is_some_and(|r| r.rem_euclid(360) != 0);
    if rotated || media_box(doc, page).is_none() {
        return Ok(None);
    }
    let Ok(content) = doc.get_page_content(id) else {
        return Ok(None);
    };
    let Ok(ops) = lopdf::content::Content::decode(&content) else {
        return Ok(None);
    };
    let (mut scale, mut name) = (None, None);
    for op in &ops.operations {
        match op.operator.as_str() {
            "q" | "Q" => {}
            "cm" if op.operands.len() == 6 => {
                let v: Vec<f32> = op.operands.iter().filter_map(number).collect();
                // Only an axis-aligned placement keeps the image as it is.
                if v.len() != 6 || v[1] != 0.0 || v[2] != 0.0 {
                    return Ok(None);
                }
                scale = Some((v[0].abs(), v[3].abs()));
            }
            "Do" if name.is_none() => {
                name = op.operands.first().and_then(|o| o.as_name().ok());
            }
            _ => return Ok(None),
        }
    }
    let (Some((sx, sy)), Some(name)) = (scale, name) else {
        return Ok(None);
    };
    let Some(stream) = xobject(doc, id, name) else {
        return Ok(None);
    };
    let d = &stream.dict;
    if d.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Image".as_slice())
        || d.get(b"SMask").is_ok()
        || d.get(b"Mask").is_ok()
        || d.get(b"ImageMask")
            .and_then(Object::as_bool)
            .unwrap_or(false)
    {
        return Ok(None);
    }
    let int = |k: &[u8]| d.get(k).ok().and_then(|o| o.as_i64().ok());
    let (Some(w), Some(h)) = (int(b"Width"), int(b"Height")) else {
        return Ok(None);
    };
    let (Ok(w), Ok(h)) = (u32::try_from(w), u32::try_from(h)) else {
        return Ok(None);
    };
    if w == 0 || h == 0 || sx < 1.0 || sy < 1.0 {
        return Ok(None);
    }
    too_large(file, Some(index), w, h, limits)?;
    let dpi = (w as f32 * 72.0 / sx, h as f32 * 72.0 / sy);
    if !(10.0..=4800.0).contains(&dpi.0) || !(10.0..=4800.0).contains(&dpi.1) {
        return Ok(None);
    }
    let Some(image) = samples(doc, stream, w, h, file, index)? else {
        return Ok(None);
    };
    Ok(Some(ScanPage { image, dpi }))
}

/// The image's samples as a page image: JPEG and G4 as they are, Flate decoded (bounded).
fn samples(
    doc: &Document,
    stream: &lopdf::Stream,
    w: u32,
    h: u32,
    file: &str,
    index: usize,
) -> Result<Option<PageImage>, CaptureError> {
    let d = &stream.dict;
    let int = |k: &[u8]| d.get(k).ok().and_then(|o| o.as_i64().ok());
    let bpc = int(b"BitsPerComponent").unwrap_or(8);
    let cs = d
        .get(b"ColorSpace")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_name().ok());
    let filter: Option<&[u8]> = match d.get(b"Filter") {
        Ok(Object::Name(n)) => Some(n),
        Ok(Object::Array(a)) if a.len() == 1 => a[0].as_name().ok(),
        Ok(Object::Array(a)) if a.is_empty() => None,
        Ok(_) => return Ok(None),
        Err(_) => None,
    };
    // A dictionary, or (beside a one-filter array, as img2pdf writes) an array of one.
    let parms = d
        .get(b"DecodeParms")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| match o {
            Object::Array(a) if a.len() == 1 => doc.dereference(&a[0]).ok().map(|(_, o)| o),
            other => Some(other),
        })
        .and_then(|o| o.as_dict().ok());
    if filter != Some(b"CCITTFaxDecode".as_slice()) && d.get(b"Decode").is_ok() {
        return Ok(None);
    }
    let image = match filter {
        Some(b"DCTDecode") => match jpeg_info(&stream.content) {
            Ok(info) if info.width == w && info.height == h && matches!(info.components, 1 | 3) => {
                crate::jpeg::check_whole(&stream.content)
                    .map_err(|why| corrupt(file, Some(index), why))?;
                PageImage::Jpeg(stream.content.clone())
            }
            _ => return Ok(None),
        },
        Some(b"CCITTFaxDecode") => {
            let Some(fax) = ccitt_params(parms, d, w, h) else {
                return Ok(None);
            };
            let damaged = |e: crate::ccitt::CcittError| corrupt(file, Some(index), e.to_string());
            let ink = crate::ccitt::decode(&stream.content, &fax).map_err(damaged)?;
            if fax == crate::ccitt::Params::g4(w, h) {
                // What scanners write: kept as it is (it decodes, as just proved).
                PageImage::G4 {
                    width: w,
                    height: h,
                    data: stream.content.clone(),
                }
            } else {
                // 1 = white in a bilevel page image.
                PageImage::Bilevel {
                    width: w,
                    height: h,
                    data: ink.data.iter().map(|b| !b).collect(),
                }
            }
        }
        None | Some(b"FlateDecode") => {
            match flate_samples(
                stream,
                parms,
                cs,
                bpc,
                filter.is_some(),
                (w, h),
                file,
                index,
            )? {
                Some(image) => image,
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(image))
}

/// A `CCITTFaxDecode` image's parameters (PDF defaults where absent); `None` for what a
/// scan page never is (columns other than the image's width, an unusual `Decode`).
fn ccitt_params(
    parms: Option<&Dictionary>,
    image: &Dictionary,
    w: u32,
    h: u32,
) -> Option<crate::ccitt::Params> {
    let p = |k: &[u8]| parms.and_then(|p| p.get(k).ok());
    let int = |k: &[u8], default: i64| p(k).and_then(|o| o.as_i64().ok()).unwrap_or(default);
    let flag = |k: &[u8], default: bool| p(k).and_then(|o| o.as_bool().ok()).unwrap_or(default);
    if int(b"Columns", 1728) != i64::from(w) {
        return None;
    }
    let invert = match image.get(b"Decode").ok().map(Object::as_array) {
        None => false,
        Some(Ok(d)) => match d.as_slice() {
            [a, b] => {
                let n = |o: &Object| {
                    o.as_float()
                        .ok()
                        .or_else(|| o.as_i64().ok().map(|i| i as f32))
                };
                let near = |v: f32, to: f32| (v - to).abs() < 1e-6;
                match (n(a)?, n(b)?) {
                    (a, b) if near(a, 0.0) && near(b, 1.0) => false,
                    (a, b) if near(a, 1.0) && near(b, 0.0) => true,
                    _ => return None,
                }
            }
            _ => return None,
        },
        Some(Err(_)) => return None,
    };
    Some(crate::ccitt::Params {
        k: i32::try_from(int(b"K", 0).clamp(-1, 1_000)).unwrap_or(-1),
        columns: w,
        // The image's height rules; `Rows` only says how many lines were encoded.
        rows: h,
        end_of_line: flag(b"EndOfLine", false),
        byte_align: flag(b"EncodedByteAlign", false),
        black_is_1: flag(b"BlackIs1", false),
        invert,
    })
}

/// Flate-compressed (or raw) 8-bit grey/RGB or 1-bit grey samples, inflated no further
/// than the image needs.
#[allow(clippy::too_many_arguments)]
fn flate_samples(
    stream: &lopdf::Stream,
    parms: Option<&Dictionary>,
    cs: Option<&[u8]>,
    bpc: i64,
    deflated: bool,
    (w, h): (u32, u32),
    file: &str,
    index: usize,
) -> Result<Option<PageImage>, CaptureError> {
    if parms
        .and_then(|p| p.get(b"Predictor").ok())
        .and_then(|o| o.as_i64().ok())
        .is_some_and(|p| p > 1)
    {
        return Ok(None);
    }
    let (channels, kind) = match (cs, bpc) {
        (Some(b"DeviceGray"), 8) => (1, 0),
        (Some(b"DeviceRGB"), 8) => (3, 1),
        (Some(b"DeviceGray"), 1) => (1, 2),
        _ => return Ok(None),
    };
    let row = if kind == 2 {
        u64::from(w).div_ceil(8)
    } else {
        u64::from(w) * channels
    };
    let want = row * u64::from(h);
    let samples = if deflated {
        // Inflate at most what the image needs (a bomb stops there).
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(stream.content.as_slice())
            .take(want + 1)
            .read_to_end(&mut out)
            .map_err(|e| corrupt(file, Some(index), format!("image data damaged: {e}")))?;
        out
    } else {
        stream.content.clone()
    };
    if samples.len() as u64 != want {
        return Err(corrupt(
            file,
            Some(index),
            format!(
                "the image needs {want} bytes of samples, the file has {}",
                samples.len()
            ),
        ));
    }
    Ok(Some(match kind {
        0 => PageImage::Gray8 {
            width: w,
            height: h,
            data: samples,
        },
        1 => PageImage::Rgb8 {
            width: w,
            height: h,
            data: samples,
        },
        _ => PageImage::Bilevel {
            width: w,
            height: h,
            data: samples,
        },
    }))
}

/// Renders page `index` with pdftoppm (colour, 300 dpi), time-limited.
fn render(
    file: &str,
    bytes: &[u8],
    index: usize,
    doc: &Document,
    id: ObjectId,
    limits: Limits,
) -> Result<ScanPage, CaptureError> {
    // The rendered size, before rendering: a page of absurd size is refused here.
    if let Some(b) = doc.get_dictionary(id).ok().and_then(|p| media_box(doc, p)) {
        let px = |pts: f32| (pts.abs() / 72.0 * RENDER_DPI as f32).ceil().min(1e9) as u32;
        too_large(file, Some(index), px(b[2] - b[0]), px(b[3] - b[1]), limits)?;
    }
    let work =
        crate::private_tempdir(&std::env::temp_dir(), bytes.len() as u64 * 3).map_err(|e| {
            CaptureError::Io {
                file: file.to_owned(),
                reason: e.to_string(),
            }
        })?;
    let input = work.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| CaptureError::Io {
        file: file.to_owned(),
        reason: e.to_string(),
    })?;
    let n = (index + 1).to_string();
    let prefix = work.path().join("page");
    let child = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            &RENDER_DPI.to_string(),
            "-f",
            &n,
            "-l",
            &n,
            "-singlefile",
        ])
        .arg(&input)
        .arg(&prefix)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = child.map_err(|_| CaptureError::Io {
        file: file.to_owned(),
        reason: format!(
            "page {n} has text or drawings; putting it into the batch needs pdftoppm (poppler-utils), which is not installed"
        ),
    })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > RENDER_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(corrupt(
                    file,
                    Some(index),
                    "rendering the page took longer than a minute",
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(CaptureError::Io {
                    file: file.to_owned(),
                    reason: e.to_string(),
                })
            }
        }
    };
    let out = work.path().join("page.ppm");
    if !status.success() || !out.exists() {
        return Err(corrupt(file, Some(index), "the page cannot be rendered"));
    }
    let rendered = std::fs::read(&out).map_err(|e| CaptureError::Io {
        file: file.to_owned(),
        reason: e.to_string(),
    })?;
    let mut page = crate::pnm(file, &rendered, limits)?.page;
    drop(rendered);
    page.image = neutral_to_grey(page.image);
    #[allow(clippy::cast_precision_loss)]
    let dpi = RENDER_DPI as f32;
    page.dpi = (dpi, dpi);
    Ok(page)
}

/// A rendered page without any colour (every pixel's red, green and blue equal — black
/// text on white, as an e-mail's message page) as grey: a third of the pixels to process
/// and archive, nothing lost.
fn neutral_to_grey(image: PageImage) -> PageImage {
    match image {
        PageImage::Rgb8 {
            width,
            height,
            data,
        } if data.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]) => PageImage::Gray8 {
            width,
            height,
            data: data.iter().step_by(3).copied().collect(),
        },
        other => other,
    }
}
