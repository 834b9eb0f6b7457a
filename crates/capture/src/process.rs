//! Page processing: what a scan profile does to each page after it arrived, every step
//! reported with its parameters (the page's processing log, TR-RESISCAN A.SC.11).
//!
//! - **Deskew** (±15°): the skew is measured on a ~100 dpi binarised copy by projecting the
//!   dark pixels onto rows for each candidate angle (coarse 0.25° steps, then 0.02°) and
//!   taking the angle whose row profile is sharpest (sum of squared differences between
//!   neighbouring rows: text lines turn into peaks); the page is then rotated back with
//!   bilinear interpolation, uncovered corners filled white.
//! - **Blank pages are flagged, never removed**: the share of ink on a ~75 dpi copy (specks
//!   smaller than a few pixels average away) inside a margin that skips scanner edges,
//!   compared with the profile's threshold.
//! - **Crop** by margins (mm), **conversion** to grey or bilevel (Otsu's threshold).
//! - **Encoding**: JPEG that nothing changed stays byte-identical (passthrough); bilevel as
//!   CCITT Group 4; grey and colour as JPEG at the profile's quality or lossless (Flate).
//!   Never JBIG2 (TR-RESISCAN A.SC.12).
//! - Quarter turns are not done here: they become the PDF page's `/Rotate`, lossless.

// Pixel arithmetic: coordinates and counts are bounded by `Limits` (≤ 300 million pixels a
// page), far inside f32/f64 precision for the sizes involved; values are clamped before
// they are narrowed.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use crate::CaptureError;
use eingang_pdf::{PageImage, ScanPage};
use serde::{Deserialize, Serialize};

/// What a page becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColourMode {
    /// As scanned.
    #[default]
    Keep,
    Grey,
    Bilevel,
}

/// How grey and colour pages are stored (bilevel pages are always CCITT G4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    Jpeg,
    Lossless,
}

/// Margins trimmed from each side, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crop {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// A scan profile's processing settings (switches, as the profile file has them).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Processing {
    pub deskew: bool,
    pub blank_detection: bool,
    /// A page with less ink than this share of its area (percent) is flagged blank.
    pub blank_threshold_percent: f32,
    pub mode: ColourMode,
    pub compression: Compression,
    /// Paper noise and tint become white (levels near the paper's are lifted to 255, the
    /// rest stretched): smaller files, cleaner pages. Grey and colour pages only.
    pub whiten_background: bool,
    /// Read barcodes (Code 39, Code 128, QR) while processing, for separation and index
    /// values (≈ 10–70 ms a page). Otherwise they are read when separation rules are applied.
    pub read_barcodes: bool,
    /// 1–100.
    pub jpeg_quality: u8,
    pub crop: Option<Crop>,
    /// Queue the page for OCR (Tesseract) after processing: a searchable text layer.
    pub ocr: bool,
}

impl Default for Processing {
    fn default() -> Self {
        Self {
            deskew: true,
            blank_detection: true,
            blank_threshold_percent: 0.1,
            mode: ColourMode::Keep,
            compression: Compression::Jpeg,
            // Off by default: faithful reproduction, and an untouched JPEG passes through.
            whiten_background: false,
            read_barcodes: false,
            jpeg_quality: 80,
            crop: None,
            ocr: false,
        }
    }
}

impl Processing {
    /// Checks the settings; the error names the setting.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=100).contains(&self.jpeg_quality) {
            return Err("jpeg_quality: must be between 1 and 100".into());
        }
        if !(0.0..=50.0).contains(&self.blank_threshold_percent) {
            return Err("blank_threshold_percent: must be between 0 and 50".into());
        }
        if let Some(c) = self.crop {
            if [c.left, c.top, c.right, c.bottom]
                .iter()
                .any(|m| !(0.0..=200.0).contains(m))
            {
                return Err("crop: each margin must be between 0 and 200 mm".into());
            }
        }
        Ok(())
    }
}

/// One step done to a page, with its parameters: the processing log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Deskew {
        detected_degrees: f32,
        corrected: bool,
    },
    Crop {
        left_px: u32,
        top_px: u32,
        right_px: u32,
        bottom_px: u32,
    },
    Grey,
    Bilevel {
        threshold: u8,
    },
    BlankCheck {
        ink_percent: f32,
        threshold_percent: f32,
        flagged: bool,
    },
    Encode {
        format: String,
        quality: Option<u8>,
    },
    Passthrough,
    WhitenBackground {
        paper: u8,
        white_from: u8,
    },
}

/// A processed page.
#[derive(Debug, Clone)]
pub struct Processed {
    pub page: ScanPage,
    /// The skew found (degrees, counter-clockwise positive), if the page had enough ink.
    pub skew_degrees: Option<f32>,
    pub ink_percent: f32,
    pub blank: bool,
    pub ops: Vec<Op>,
    /// A small JPEG for the page list (≈ 240 px high).
    pub thumbnail: Vec<u8>,
    /// The barcodes on the page, when the profile reads them.
    pub barcodes: Option<Vec<crate::separate::Barcode>>,
}

/// Samples: 1 (grey) or 3 (RGB) channels, 8 bits.
#[derive(Debug, Clone)]
struct Raster {
    w: usize,
    h: usize,
    ch: usize,
    data: Vec<u8>,
}

impl Raster {
    fn luma(&self) -> Vec<u8> {
        if self.ch == 1 {
            return self.data.clone();
        }
        self.data
            .chunks_exact(3)
            .map(|p| {
                let y = 77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]);
                u8::try_from(y >> 8).unwrap_or(255)
            })
            .collect()
    }
}

fn corrupt(what: &str, reason: String) -> CaptureError {
    CaptureError::Corrupt {
        file: what.to_owned(),
        page: None,
        reason,
    }
}

fn raster_of(what: &str, image: &PageImage) -> Result<Raster, CaptureError> {
    let dims = |w: u32, h: u32| (w as usize, h as usize);
    Ok(match image {
        PageImage::Gray8 {
            width,
            height,
            data,
        } => {
            let (w, h) = dims(*width, *height);
            Raster {
                w,
                h,
                ch: 1,
                data: data.clone(),
            }
        }
        PageImage::Rgb8 {
            width,
            height,
            data,
        } => {
            let (w, h) = dims(*width, *height);
            Raster {
                w,
                h,
                ch: 3,
                data: data.clone(),
            }
        }
        PageImage::Bilevel {
            width,
            height,
            data,
        } => {
            let (w, h) = dims(*width, *height);
            let row = w.div_ceil(8);
            let mut out = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    if data[y * row + x / 8] & (0x80 >> (x % 8)) != 0 {
                        out[y * w + x] = 255;
                    }
                }
            }
            Raster {
                w,
                h,
                ch: 1,
                data: out,
            }
        }
        PageImage::Jpeg(bytes) => {
            let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .map_err(|e| corrupt(what, e.to_string()))?;
            let (w, h) = dims(img.width(), img.height());
            if img.color().channel_count() == 1 {
                Raster {
                    w,
                    h,
                    ch: 1,
                    data: img.into_luma8().into_raw(),
                }
            } else {
                Raster {
                    w,
                    h,
                    ch: 3,
                    data: img.into_rgb8().into_raw(),
                }
            }
        }
        PageImage::G4 { .. } => {
            return Err(corrupt(
                what,
                "an already encoded G4 page cannot be processed again".into(),
            ))
        }
    })
}

/// Averages `factor`×`factor` blocks (a copy when `factor` is 1).
fn shrink(luma: &[u8], w: usize, h: usize, factor: usize) -> (Vec<u8>, usize, usize) {
    let f = factor.max(1);
    if f == 1 {
        return (luma.to_vec(), w, h);
    }
    let (sw, sh) = ((w / f).max(1), (h / f).max(1));
    let mut acc = vec![0u32; sw];
    let mut out = Vec::with_capacity(sw * sh);
    let n = u32::try_from(f * f).unwrap_or(u32::MAX);
    for sy in 0..sh {
        acc.fill(0);
        for y in sy * f..((sy + 1) * f).min(h) {
            let row = &luma[y * w..y * w + (sw * f).min(w)];
            for (a, block) in acc.iter_mut().zip(row.chunks_exact(f)) {
                *a += block.iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        out.extend(acc.iter().map(|&a| u8::try_from(a / n).unwrap_or(255)));
    }
    (out, sw, sh)
}

pub(crate) fn shrink_pub(
    luma: &[u8],
    w: usize,
    h: usize,
    factor: usize,
) -> (Vec<u8>, usize, usize) {
    shrink(luma, w, h, factor)
}

pub(crate) fn factor_for_pub(dpi: f32, target: f32) -> usize {
    factor_for(dpi, target)
}

/// Grey samples of any page image (G4 decoded too), with its size.
pub(crate) fn luma_of(
    what: &str,
    image: &PageImage,
) -> Result<(Vec<u8>, usize, usize), CaptureError> {
    if let PageImage::G4 {
        width,
        height,
        data,
    } = image
    {
        let (w, h) = (*width as usize, *height as usize);
        let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
            return Err(corrupt(what, "too large for G4".into()));
        };
        let mut out = Vec::with_capacity(w * h);
        fax::decoder::decode_g4(data.iter().copied(), w16, Some(h16), |t| {
            out.extend(fax::decoder::pels(t, w16).map(|c| {
                if c == fax::Color::Black {
                    0
                } else {
                    255
                }
            }));
        });
        out.resize(w * h, 255);
        return Ok((out, w, h));
    }
    let r = raster_of(what, image)?;
    Ok((r.luma(), r.w, r.h))
}

/// Otsu's threshold: levels at or below it are ink, above it paper.
pub(crate) fn otsu(luma: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in luma {
        hist[usize::from(v)] += 1;
    }
    let total = luma.len() as f64;
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0.0, 0.0, -1.0, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let (m_b, m_f) = (sum_b / w_b, (sum - sum_b) / w_f);
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = u8::try_from(t).unwrap_or(127);
        }
    }
    best_t
}

/// The threshold for bilevel conversion: Otsu's, unless the page has no ink to separate
/// (paper noise only — Otsu would split the noise and G4 would encode it as black specks),
/// then a fixed mid level, which leaves such a page white.
fn bilevel_threshold(luma: &[u8]) -> u8 {
    let t = otsu(luma);
    let (mut below, mut n_below, mut above, mut n_above) = (0u64, 0u64, 0u64, 0u64);
    for &v in luma {
        if v <= t {
            below += u64::from(v);
            n_below += 1;
        } else {
            above += u64::from(v);
            n_above += 1;
        }
    }
    let mean = |sum: u64, n: u64| sum.checked_div(n).unwrap_or(0);
    if n_below == 0 || mean(above, n_above).saturating_sub(mean(below, n_below)) < 64 {
        127.min(t)
    } else {
        t
    }
}

fn factor_for(dpi: f32, target: f32) -> usize {
    let f = (dpi / target).round();
    if f.is_finite() && f >= 1.0 {
        // Bounded: resolutions are checked to be ≤ 4800 dpi.
        f.min(64.0) as usize
    } else {
        1
    }
}

/// Dark pixels of a copy shrunk by `factor`, relative to its centre, at most `max` of them
/// (evenly thinned); `None` when the page has too little ink or is mostly dark.
fn ink_points(small: &[u8], sw: usize, sh: usize, max: usize) -> Option<(Vec<(f32, f32)>, usize)> {
    let t = otsu(small).min(200);
    let (cx, cy) = ((sw / 2) as f32, (sh / 2) as f32);
    let mut points: Vec<(f32, f32)> = Vec::new();
    for y in 0..sh {
        for x in 0..sw {
            if small[y * sw + x] <= t {
                points.push((x as f32 - cx, y as f32 - cy));
            }
        }
    }
    if points.len() < 200 || points.len() * 2 > sw * sh {
        return None;
    }
    let step = points.len().div_ceil(max);
    Some((points.into_iter().step_by(step).collect(), sw + sh + 2))
}

/// The angle in `from..=to` (step `step`) whose row profile of `points` is sharpest: the
/// sum of squared differences between neighbouring rows (text lines become peaks).
fn sharpest(points: &[(f32, f32)], span: usize, from: f32, to: f32, step: f32) -> f32 {
    let offset = (span / 2) as f32;
    let mut hist = vec![0u32; span * 2];
    let mut score = |deg: f32| -> f64 {
        let tan = deg.to_radians().tan();
        hist.fill(0);
        for &(x, y) in points {
            // Non-negative (|x·tan| < span/2 for ±15°), so truncation is floor.
            let r = y + x * tan + offset;
            if let Some(c) = hist.get_mut(r as usize) {
                *c += 1;
            }
        }
        hist.windows(2)
            .map(|p| {
                let d = f64::from(p[1]) - f64::from(p[0]);
                d * d
            })
            .sum()
    };
    let n = ((to - from) / step).round() as u32;
    let (mut best, mut best_score) = (from, f64::MIN);
    for i in 0..=n {
        let deg = from + step * i as f32;
        let s = score(deg);
        if s > best_score {
            best_score = s;
            best = deg;
        }
    }
    best
}

/// The skew of the page's content in degrees (counter-clockwise positive), within ±15°;
/// `None` when the page has too little ink to tell. Both sweeps on a ~150 dpi copy
/// (measured: within 0.03° on A4 pages at ±8°).
pub fn detect_skew(luma: &[u8], w: usize, h: usize, dpi: f32) -> Option<f32> {
    let (small, sw, sh) = shrink(luma, w, h, factor_for(dpi, 150.0));
    skew_of_small(&small, sw, sh)
}

/// [`detect_skew`] on a ~150 dpi copy already made.
fn skew_of_small(small: &[u8], sw: usize, sh: usize) -> Option<f32> {
    // Every other point for the coarse sweep, all for the fine one.
    let (points, span) = ink_points(small, sw, sh, 120_000)?;
    let sparse: Vec<(f32, f32)> = points.iter().step_by(2).copied().collect();
    let coarse = sharpest(&sparse, span, -15.0, 15.0, 0.25);
    let fine = sharpest(&points, span, coarse - 0.3, coarse + 0.3, 0.02);
    Some((fine * 100.0).round() / 100.0)
}

/// Rotates the content clockwise by `deg` (undoing a counter-clockwise skew) about the
/// centre by three shears with whole-pixel shifts (Paeth):
/// exact in geometry, nearest-neighbour in value, and a few memory copies per row — for
/// pages that become bilevel, where interpolated grey would be thresholded away anyway.
fn shear_rotate(r: &Raster, deg: f32) -> Raster {
    let th = deg.to_radians();
    let alpha = (th / 2.0).tan();
    let beta = -th.sin();
    let (w, h, ch) = (r.w, r.h, r.ch);
    let pad = (alpha.abs() * h as f32 / 2.0).ceil() as usize + 2;
    let pw = w + 2 * pad;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let row_shift = |y: usize| (alpha * (y as f32 + 0.5 - cy)).round() as isize;
    // Pass 1: A(x, y) = I(x + α·v, y), on a canvas widened by `pad` each side.
    let mut a = vec![255u8; pw * h * ch];
    for y in 0..h {
        let start = pad as isize - row_shift(y);
        let dst = &mut a[y * pw * ch..(y + 1) * pw * ch];
        let start = usize::try_from(start).unwrap_or(0).min(pw - w);
        dst[start * ch..(start + w) * ch].copy_from_slice(&r.data[y * w * ch..(y + 1) * w * ch]);
    }
    // Pass 2: B(x, y) = A(x, y + β·u): columns move; done as strips of equal shift.
    let mut strips: Vec<(usize, usize, isize)> = Vec::new();
    for xp in 0..pw {
        let d = (beta * (xp as f32 - pad as f32 + 0.5 - cx)).round() as isize;
        match strips.last_mut() {
            Some(last) if last.2 == d => last.1 = xp + 1,
            _ => strips.push((xp, xp + 1, d)),
        }
    }
    let mut b = vec![255u8; pw * h * ch];
    for y in 0..h {
        for &(x0, x1, d) in &strips {
            let sy = y as isize + d;
            if sy < 0 || sy >= h as isize {
                continue;
            }
            let sy = sy as usize;
            b[(y * pw + x0) * ch..(y * pw + x1) * ch]
                .copy_from_slice(&a[(sy * pw + x0) * ch..(sy * pw + x1) * ch]);
        }
    }
    drop(a);
    // Pass 3: O(x, y) = B(x + α·v, y).
    let mut out = vec![255u8; w * h * ch];
    for y in 0..h {
        let from = (pad as isize + row_shift(y)).clamp(0, (pw - w) as isize) as usize;
        out[y * w * ch..(y + 1) * w * ch]
            .copy_from_slice(&b[(y * pw + from) * ch..(y * pw + from + w) * ch]);
    }
    Raster {
        w,
        h,
        ch,
        data: out,
    }
}

/// The same rotation by three shears, each a one-dimensional linear interpolation with a
/// weight that is constant along a row (or a column): within ≈ 0.1 grey levels of bilinear
/// rotation (tested) with less work per pixel — for grey and colour pages.
fn shear_rotate_smooth(r: &Raster, deg: f32) -> Raster {
    let data = if r.ch == 1 {
        shear_smooth_n::<1>(r, deg)
    } else {
        shear_smooth_n::<3>(r, deg)
    };
    Raster {
        w: r.w,
        h: r.h,
        ch: r.ch,
        data,
    }
}

/// Shifts `src` (a row of `n` pixels) by `shift` pixels into `dst` (a row of `m`), linear
/// between neighbours; outside `src` is white.
fn shift_row<const CH: usize>(src: &[u8], dst: &mut [u8], shift: f32) {
    let k = shift.floor();
    let f = ((shift - k) * 256.0) as u32;
    let k = k as isize;
    let n = (src.len() / CH) as isize;
    let m = (dst.len() / CH) as isize;
    // Output pixels whose two source pixels are both inside: a tight loop over slices.
    let lo = (-k).clamp(0, m);
    let hi = (n - 1 - k).clamp(lo, m);
    let edge = |x: isize, c: usize| -> u8 {
        let get = |i: isize| {
            if (0..n).contains(&i) {
                u32::from(src[i as usize * CH + c])
            } else {
                255
            }
        };
        let x0 = x + k;
        ((get(x0) * (256 - f) + get(x0 + 1) * f + 128) >> 8) as u8
    };
    for x in (0..lo).chain(hi..m) {
        for c in 0..CH {
            dst[x as usize * CH + c] = edge(x, c);
        }
    }
    if hi > lo {
        let (lo, hi) = (lo as usize, hi as usize);
        let start = (lo as isize + k) as usize * CH;
        let a = &src[start..start + (hi - lo) * CH];
        let b = &src[start + CH..start + CH + (hi - lo) * CH];
        let g = 256 - f;
        for ((o, &p), &q) in dst[lo * CH..hi * CH].iter_mut().zip(a).zip(b) {
            *o = ((u32::from(p) * g + u32::from(q) * f + 128) >> 8) as u8;
        }
    }
}

fn shear_smooth_n<const CH: usize>(r: &Raster, deg: f32) -> Vec<u8> {
    let th = deg.to_radians();
    let alpha = (th / 2.0).tan();
    let beta = -th.sin();
    let (w, h) = (r.w, r.h);
    let pad = (alpha.abs() * h as f32 / 2.0).ceil() as usize + 2;
    let pw = w + 2 * pad;
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    // Pass 1: A(x, y) = I(x − pad + α·v, y), on a canvas widened by `pad` each side.
    let mut a = vec![255u8; pw * h * CH];
    for y in 0..h {
        let v = y as f32 + 0.5 - cy;
        shift_row::<CH>(
            &r.data[y * w * CH..(y + 1) * w * CH],
            &mut a[y * pw * CH..(y + 1) * pw * CH],
            alpha * v - pad as f32,
        );
    }
    // Pass 2: B(x, y) = A(x, y + β·u): per column a whole shift and a weight; columns with
    // the same whole shift form runs that read two fixed source rows.
    let mut runs: Vec<(usize, usize, isize)> = Vec::new();
    let mut weights = Vec::with_capacity(pw);
    for xp in 0..pw {
        let d = beta * (xp as f32 - pad as f32 + 0.5 - cx);
        let k = d.floor();
        weights.push(((d - k) * 256.0) as u32);
        let k = k as isize;
        match runs.last_mut() {
            Some(r) if r.2 == k => r.1 = xp + 1,
            _ => runs.push((xp, xp + 1, k)),
        }
    }
    let mut b = vec![255u8; pw * h * CH];
    let hi = h as isize;
    let white = vec![255u8; pw * CH];
    for y in 0..h {
        let row = &mut b[y * pw * CH..(y + 1) * pw * CH];
        for &(x0, x1, k) in &runs {
            let (y0, y1) = (y as isize + k, y as isize + k + 1);
            let line = |yy: isize| -> &[u8] {
                if (0..hi).contains(&yy) {
                    &a[yy as usize * pw * CH..(yy as usize + 1) * pw * CH]
                } else {
                    &white
                }
            };
            let (ra, rb) = (line(y0), line(y1));
            if y1 < 0 || y0 >= hi {
                continue;
            }
            let out = &mut row[x0 * CH..x1 * CH];
            let ra = &ra[x0 * CH..x1 * CH];
            let rb = &rb[x0 * CH..x1 * CH];
            for (i, ((o, &p), &q)) in out.iter_mut().zip(ra).zip(rb).enumerate() {
                let f = weights[x0 + i / CH];
                *o = ((u32::from(p) * (256 - f) + u32::from(q) * f + 128) >> 8) as u8;
            }
        }
    }
    drop(a);
    // Pass 3: O(x, y) = B(x + pad + α·v, y).
    let mut out = vec![255u8; w * h * CH];
    for y in 0..h {
        let v = y as f32 + 0.5 - cy;
        shift_row::<CH>(
            &b[y * pw * CH..(y + 1) * pw * CH],
            &mut out[y * w * CH..(y + 1) * w * CH],
            pad as f32 + alpha * v,
        );
    }
    out
}

/// The paper's level: the level 90 % of the page is at or below (bright, robust to ink).
fn paper_level(luma: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in luma {
        hist[usize::from(v)] += 1;
    }
    let n = luma.len() as u64;
    let mut seen = 0;
    for (level, &c) in hist.iter().enumerate() {
        seen += c;
        if seen * 10 >= n * 9 {
            return level as u8;
        }
    }
    255
}

/// Lifts the paper to white: levels from `paper − 24` up become 255, darker ones are
/// stretched to keep their order. Nothing happens on dark pages or pages already white.
fn whiten(r: &mut Raster, luma: &[u8]) -> Option<Op> {
    let paper = paper_level(luma);
    if paper < 128 {
        return None;
    }
    let white_from = paper.saturating_sub(24).max(1);
    if white_from >= 250 {
        return None;
    }
    let mut lut = [255u8; 256];
    for (v, out) in lut.iter_mut().enumerate().take(usize::from(white_from)) {
        *out = (v * 255 / usize::from(white_from)) as u8;
    }
    for v in &mut r.data {
        *v = lut[usize::from(*v)];
    }
    Some(Op::WhitenBackground { paper, white_from })
}

/// The share of ink on the page (percent), ignoring a margin where scanners leave edges.
pub fn ink_percent(luma: &[u8], w: usize, h: usize, dpi: f32) -> f32 {
    let (small, sw, sh) = shrink(luma, w, h, factor_for(dpi, 75.0));
    ink_of_small(&small, sw, sh)
}

/// [`ink_percent`] on a ~75 dpi copy already made.
fn ink_of_small(small: &[u8], sw: usize, sh: usize) -> f32 {
    let (mx, my) = (sw / 20, sh / 20);
    let mut hist = [0u64; 256];
    let mut n = 0u64;
    for y in my..sh - my {
        for &v in &small[y * sw + mx..y * sw + sw - mx] {
            hist[usize::from(v)] += 1;
            n += 1;
        }
    }
    if n == 0 {
        return 0.0;
    }
    // The paper: the level 90 % of the area is at or below (bright, robust to ink).
    let mut seen = 0;
    let mut paper = 255usize;
    for (level, &c) in hist.iter().enumerate() {
        seen += c;
        if seen * 10 >= n * 9 {
            paper = level;
            break;
        }
    }
    // A dark page (a black sheet, a photo) is all ink: never blank.
    let ink_below = if paper >= 128 { paper - 80 } else { 256 };
    let ink: u64 = hist[..ink_below].iter().sum();
    (ink as f64 * 100.0 / n as f64) as f32
}

fn mm_to_px(mm: f32, dpi: f32) -> usize {
    let px = (mm / 25.4 * dpi).round();
    px.max(0.0) as usize
}

fn crop(r: &Raster, c: Crop, dpi: (f32, f32)) -> Option<(Raster, Op)> {
    let (l, t) = (mm_to_px(c.left, dpi.0), mm_to_px(c.top, dpi.1));
    let (rt, b) = (mm_to_px(c.right, dpi.0), mm_to_px(c.bottom, dpi.1));
    if l + rt + 16 > r.w || t + b + 16 > r.h {
        return None;
    }
    let (w, h) = (r.w - l - rt, r.h - t - b);
    let mut data = Vec::with_capacity(w * h * r.ch);
    for y in t..t + h {
        data.extend_from_slice(&r.data[(y * r.w + l) * r.ch..(y * r.w + l + w) * r.ch]);
    }
    let op = Op::Crop {
        left_px: u32::try_from(l).unwrap_or(u32::MAX),
        top_px: u32::try_from(t).unwrap_or(u32::MAX),
        right_px: u32::try_from(rt).unwrap_or(u32::MAX),
        bottom_px: u32::try_from(b).unwrap_or(u32::MAX),
    };
    Some((
        Raster {
            w,
            h,
            ch: r.ch,
            data,
        },
        op,
    ))
}

/// CCITT Group 4 (T.6) of a bilevel page: `ink(x, y)` says which pixels are black.
pub fn encode_g4(w: usize, h: usize, ink: impl Fn(usize) -> bool) -> Option<Vec<u8>> {
    use fax::{encoder::Encoder, Color, VecWriter};
    let width = u16::try_from(w).ok()?;
    let mut enc = Encoder::new(VecWriter::with_capacity(w * h / 8));
    for y in 0..h {
        let base = y * w;
        let line = (0..w).map(|x| {
            if ink(base + x) {
                Color::Black
            } else {
                Color::White
            }
        });
        // The vector writer cannot fail.
        enc.encode_line(line, width).ok()?;
    }
    Some(enc.finish().ok()?.finish())
}

fn encode_jpeg(r: &Raster, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let colour = if r.ch == 1 {
        jpeg_encoder::ColorType::Luma
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    let (w, h) = (
        u16::try_from(r.w).map_err(|_| "wider than JPEG allows (65,535 px)")?,
        u16::try_from(r.h).map_err(|_| "taller than JPEG allows (65,535 px)")?,
    );
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&r.data, w, h, colour)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn thumbnail(r: &Raster) -> Vec<u8> {
    let f = (r.h / 240).max(1);
    let small = if r.ch == 1 {
        let (d, w, h) = shrink(&r.data, r.w, r.h, f);
        Raster {
            w,
            h,
            ch: 1,
            data: d,
        }
    } else {
        // Each channel on its own, interleaved again.
        let planes: Vec<(Vec<u8>, usize, usize)> = (0..3)
            .map(|k| {
                let plane: Vec<u8> = r.data.iter().skip(k).step_by(3).copied().collect();
                shrink(&plane, r.w, r.h, f)
            })
            .collect();
        let (w, h) = (planes[0].1, planes[0].2);
        let mut data = Vec::with_capacity(w * h * 3);
        for i in 0..w * h {
            data.extend([planes[0].0[i], planes[1].0[i], planes[2].0[i]]);
        }
        Raster { w, h, ch: 3, data }
    };
    encode_jpeg(&small, 70).unwrap_or_default()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The page's stored form: G4 for bilevel, the JPEG as it came when nothing changed,
/// otherwise JPEG or Flate as the profile says.
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
fn encode(
    what: &str,
    original: &PageImage,
    r: Raster,
    luma: &[u8],
    bilevel: bool,
    was_bilevel: bool,
    changed: bool,
    p: &Processing,
    ops: &mut Vec<Op>,
) -> Result<PageImage, CaptureError> {
    Ok(if bilevel {
        let threshold = if was_bilevel {
            127
        } else {
            bilevel_threshold(luma)
        };
        if !was_bilevel {
            ops.push(Op::Bilevel { threshold });
        }
        let g4 = encode_g4(r.w, r.h, |i| luma[i] <= threshold)
            .ok_or_else(|| corrupt(what, "too wide for CCITT G4 (65,535 px)".into()))?;
        ops.push(Op::Encode {
            format: "ccitt-g4".into(),
            quality: None,
        });
        PageImage::G4 {
            width: to_u32(r.w),
            height: to_u32(r.h),
            data: g4,
        }
    } else if let (PageImage::Jpeg(bytes), false) = (original, changed) {
        ops.push(Op::Passthrough);
        PageImage::Jpeg(bytes.clone())
    } else if p.compression == Compression::Jpeg {
        let jpeg = encode_jpeg(&r, p.jpeg_quality).map_err(|e| corrupt(what, e))?;
        ops.push(Op::Encode {
            format: "jpeg".into(),
            quality: Some(p.jpeg_quality),
        });
        PageImage::Jpeg(jpeg)
    } else {
        ops.push(Op::Encode {
            format: "flate".into(),
            quality: None,
        });
        let (width, height) = (to_u32(r.w), to_u32(r.h));
        if r.ch == 1 {
            PageImage::Gray8 {
                width,
                height,
                data: r.data,
            }
        } else {
            PageImage::Rgb8 {
                width,
                height,
                data: r.data,
            }
        }
    })
}

/// Processes one page as the profile says. `what` names the page in errors
/// (`scan-0001.pnm`, `post.tif page 3`).
pub fn process(what: &str, page: &ScanPage, p: &Processing) -> Result<Processed, CaptureError> {
    let was_bilevel = matches!(page.image, PageImage::Bilevel { .. });
    let mut r = raster_of(what, &page.image)?;
    let dpi = page.dpi;
    let mut ops = Vec::new();
    let mut changed = false;

    let mut luma = r.luma();
    // One ~150 dpi copy serves the skew search and (halved) the blank check.
    let f150 = factor_for(dpi.0, 150.0);
    let (small, sw, sh) = shrink(&luma, r.w, r.h, f150);
    let skew = if p.deskew {
        skew_of_small(&small, sw, sh)
    } else {
        None
    };
    if let Some(deg) = skew {
        let corrected = deg.abs() >= 0.05;
        if corrected {
            r = if p.mode == ColourMode::Bilevel || was_bilevel {
                shear_rotate(&r, deg)
            } else {
                shear_rotate_smooth(&r, deg)
            };
            luma = r.luma();
            changed = true;
        }
        ops.push(Op::Deskew {
            detected_degrees: deg,
            corrected,
        });
    }
    if let Some(c) = p.crop {
        if let Some((cropped, op)) = crop(&r, c, dpi) {
            r = cropped;
            luma = r.luma();
            ops.push(op);
            changed = true;
        }
    }
    // Rotation hardly changes the ink share inside the margin; a crop does.
    let ink = if p.crop.is_some() {
        ink_percent(&luma, r.w, r.h, dpi.0)
    } else {
        let g = factor_for(dpi.0 / f150 as f32, 75.0);
        let (tiny, tw, th) = shrink(&small, sw, sh, g);
        ink_of_small(&tiny, tw, th)
    };
    drop(small);
    let blank = p.blank_detection && ink < p.blank_threshold_percent;
    if p.blank_detection {
        ops.push(Op::BlankCheck {
            ink_percent: (ink * 1000.0).round() / 1000.0,
            threshold_percent: p.blank_threshold_percent,
            flagged: blank,
        });
    }
    let bilevel = p.mode == ColourMode::Bilevel || (was_bilevel && p.mode == ColourMode::Keep);
    if p.mode == ColourMode::Grey && r.ch == 3 {
        r = Raster {
            w: r.w,
            h: r.h,
            ch: 1,
            data: luma.clone(),
        };
        ops.push(Op::Grey);
        changed = true;
    }
    if p.whiten_background && !bilevel {
        if let Some(op) = whiten(&mut r, &luma) {
            ops.push(op);
            changed = true;
        }
    }
    let barcodes = p
        .read_barcodes
        .then(|| crate::separate::read_barcodes(&luma, r.w, r.h, dpi.0));
    let thumb = thumbnail(&r);
    let image = encode(
        what,
        &page.image,
        r,
        &luma,
        bilevel,
        was_bilevel,
        changed,
        p,
        &mut ops,
    )?;
    Ok(Processed {
        page: ScanPage { image, dpi },
        skew_degrees: skew,
        ink_percent: ink,
        blank,
        ops,
        thumbnail: thumb,
        barcodes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rotates the content clockwise by `deg` (undoing a counter-clockwise skew of `deg`) about
    /// the centre, bilinear (fixed point, 1/256), uncovered areas white. Same size.
    fn rotate(r: &Raster, deg: f32) -> Raster {
        let data = if r.ch == 1 {
            rotate_n::<1>(r, deg)
        } else {
            rotate_n::<3>(r, deg)
        };
        Raster {
            w: r.w,
            h: r.h,
            ch: r.ch,
            data,
        }
    }

    fn rotate_n<const CH: usize>(r: &Raster, deg: f32) -> Vec<u8> {
        const ONE: f64 = 65536.0;
        let (s, c) = f64::from(deg).to_radians().sin_cos();
        let (w, h) = (r.w, r.h);
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let mut out = vec![255u8; w * h * CH];
        let (c_fp, s_fp) = ((c * ONE).round() as i64, (s * ONE).round() as i64);
        let (wmax, hmax) = ((w as i64 - 1) << 16, (h as i64 - 1) << 16);
        let src = &r.data;
        for (y, row) in out.chunks_exact_mut(w * CH).enumerate() {
            let v = y as f64 + 0.5 - cy;
            // Source of (u, v): (u·cos + v·sin, −u·sin + v·cos), stepping by (cos, −sin).
            let u0 = 0.5 - cx;
            let mut sx = ((u0 * c + v * s + cx - 0.5) * ONE).round() as i64;
            let mut sy = ((-u0 * s + v * c + cy - 0.5) * ONE).round() as i64;
            for px in row.chunks_exact_mut(CH) {
                if sx >= 0 && sy >= 0 && sx < wmax && sy < hmax {
                    let (x0, y0) = ((sx >> 16) as usize, (sy >> 16) as usize);
                    let (fx, fy) = (((sx >> 8) & 0xFF) as u32, ((sy >> 8) & 0xFF) as u32);
                    let i00 = (y0 * w + x0) * CH;
                    let i01 = i00 + w * CH;
                    for k in 0..CH {
                        let a = u32::from(src[i00 + k]);
                        let b = u32::from(src[i00 + CH + k]);
                        let c2 = u32::from(src[i01 + k]);
                        let d = u32::from(src[i01 + CH + k]);
                        px[k] = if a == b && a == c2 && a == d {
                            // Plain paper: nothing to interpolate.
                            a as u8
                        } else {
                            let top = a * (256 - fx) + b * fx;
                            let bottom = c2 * (256 - fx) + d * fx;
                            ((top * (256 - fy) + bottom * fy + 32768) >> 16) as u8
                        };
                    }
                }
                sx += c_fp;
                sy -= s_fp;
            }
        }
        out
    }

    /// Lines and blocks, drawn upright.
    fn page(w: usize, h: usize) -> Raster {
        let mut data = vec![240u8; w * h];
        for y in 0..h {
            for x in 0..w {
                if (y / 12) % 4 == 0 && (x / 40) % 5 != 4 && x > 30 && x < w - 30 {
                    data[y * w + x] = 20;
                }
            }
        }
        Raster { w, h, ch: 1, data }
    }

    #[test]
    fn smooth_shears_match_bilinear_rotation() {
        let r = page(600, 800);
        for deg in [-7.5f32, -1.2, 0.4, 3.0, 14.0] {
            let a = rotate(&r, deg);
            let b = shear_rotate_smooth(&r, deg);
            // Away from the corners (where the two fill white differently).
            let (mut diff, mut n) = (0u64, 0u64);
            for y in 100..700 {
                for x in 100..500 {
                    let i = y * 600 + x;
                    diff += u64::from(a.data[i].abs_diff(b.data[i]));
                    n += 1;
                }
            }
            let mean = diff as f64 / n as f64;
            // Measured ≈ 0.1 grey levels.
            assert!(mean < 1.0, "{deg}°: mean difference {mean}");
        }
    }
}
