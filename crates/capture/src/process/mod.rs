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
mod deskew;
pub(crate) mod encode;
pub mod mrc;
pub mod orient;
pub(crate) mod raster;
mod settings;
pub(crate) mod threshold;

pub use deskew::detect_skew;
pub use encode::encode_g4;
pub(crate) use raster::luma_of;
pub use settings::{ColourMode, Compression, Crop, Op, Processing};
pub use threshold::ink_percent;

use crate::CaptureError;
use deskew::{shear_rotate, shear_rotate_smooth, skew_of_small};
use eingang_model::scan::Barcode;
use eingang_pdf::{PageImage, ScanPage};
use encode::thumbnail;
use raster::{crop, factor_for, raster_of, shrink, Raster};
use threshold::{ink_of_small, whiten};

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
    pub barcodes: Option<Vec<Barcode>>,
    /// Quarter turns clockwise that make the page upright, when the profile reads the
    /// orientation and the reading was sure enough (stored as the page's turn).
    pub turn: Option<u8>,
}

/// Processes one page as the profile says. `what` names the page in errors
/// (`scan-0001.pnm`, `post.tif page 3`).
/// The page's skew (when the profile deskews) and the quarter turns that make it upright
/// (when the profile reads the orientation and the reading is sure enough), both logged.
fn skew_and_turn(
    p: &Processing,
    small: &[u8],
    sw: usize,
    sh: usize,
    ops: &mut Vec<Op>,
) -> (Option<f32>, Option<u8>) {
    let orientation = p.auto_orient.and_then(|min| {
        let o = orient::detect(small, sw, sh)?;
        let applied = o.confidence >= min;
        ops.push(Op::Orientation {
            turn_degrees: u16::from(o.turn) * 90,
            confidence: o.confidence,
            lines: o.lines,
            applied,
        });
        Some((o, applied))
    });
    // The orientation's reading measured the skew already, in the frame where the lines run
    // across (a quarter turn and a skew commute).
    let skew = match (p.deskew, orientation) {
        (false, _) => None,
        (true, Some((o, _))) => Some(o.skew_degrees),
        (true, None) => skew_of_small(small, sw, sh),
    };
    let turn = orientation.and_then(|(o, applied)| applied.then_some(o.turn));
    (skew, turn)
}

/// A page image to look at on screen: JPEG, its longer side at most `max_side` pixels.
pub fn view_jpeg(what: &str, image: &PageImage, max_side: usize) -> Result<Vec<u8>, CaptureError> {
    let r = raster_of(what, image)?;
    encode::view(&r, max_side).map_err(|e| raster::corrupt(what, e))
}

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
    let (skew, turn) = skew_and_turn(p, &small, sw, sh, &mut ops);
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
        .then(|| crate::barcode::read_barcodes(&luma, r.w, r.h, dpi.0));
    let thumb = thumbnail(&r);
    let image = encode::encode(
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
        turn,
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
