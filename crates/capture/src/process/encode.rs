//! Encoders: CCITT Group 4 for bilevel pages, JPEG at the profile's quality, lossless
//! Flate, and the thumbnail. Never JBIG2 (TR-RESISCAN A.SC.12).

// Pixel arithmetic: coordinates and counts are bounded by `Limits` (≤ 300 million pixels a
// page), far inside f32/f64 precision for the sizes involved; values are clamped before
// they are narrowed.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use super::raster::{corrupt, shrink, Raster};
use super::settings::{Compression, Op, Processing};
use super::threshold::bilevel_threshold;
use crate::CaptureError;
use eingang_pdf::PageImage;

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

pub(crate) fn encode_jpeg(r: &Raster, quality: u8) -> Result<Vec<u8>, String> {
    // Optimised tables for grey only: see below.
    encode_jpeg_with(r, quality, r.ch == 1, false)
}

/// An MRC layer as JPEG: optimised Huffman tables always (a flat white background costs a
/// fifth of what the standard tables spend on it), the colour at full resolution (4:4:4)
/// when `full_chroma` (the foreground: thin coloured strokes). Eingang reads such layers
/// back only with `jpeg-decoder` (see [`encode_jpeg_with`]'s note on the image crate).
pub(crate) fn encode_jpeg_layer(
    r: &Raster,
    quality: u8,
    full_chroma: bool,
) -> Result<Vec<u8>, String> {
    encode_jpeg_with(r, quality, true, full_chroma)
}

fn encode_jpeg_with(
    r: &Raster,
    quality: u8,
    optimised: bool,
    full_chroma: bool,
) -> Result<Vec<u8>, String> {
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
    let mut e = jpeg_encoder::Encoder::new(&mut out, quality);
    // Colour is 4:2:0 below quality 90 (the encoder's default; text lives in the luma).
    // Optimised Huffman tables save 10–25 %; stored colour pages keep the standard ones:
    // with optimised tables the encoder writes one scan per component, which the image
    // crate's decoder (zune-jpeg 0.5.15) reads with wrong colours (non-interleaved scans,
    // zune-image#449, fixed after 0.5.15) — and Eingang decodes its stored pages with it.
    e.set_optimized_huffman_tables(optimised);
    if full_chroma {
        e.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    }
    e.encode(&r.data, w, h, colour).map_err(|e| e.to_string())?;
    Ok(out)
}

pub(crate) fn thumbnail(r: &Raster) -> Vec<u8> {
    encode_jpeg(&scaled(r, (r.h / 240).max(1)), 70).unwrap_or_default()
}

/// A page to look at: its longer side at most `max_side` pixels (whole-number steps of the
/// scan's resolution), as JPEG.
pub(crate) fn view(r: &Raster, max_side: usize) -> Result<Vec<u8>, String> {
    let f = r.w.max(r.h).div_ceil(max_side.max(1)).max(1);
    encode_jpeg(&scaled(r, f), 85)
}

/// `r` reduced by `f` in each direction (grey directly; colour channel by channel).
fn scaled(r: &Raster, f: usize) -> Raster {
    if r.ch == 1 {
        let (d, w, h) = shrink(&r.data, r.w, r.h, f);
        return Raster {
            w,
            h,
            ch: 1,
            data: d,
        };
    }
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
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The page's stored form: G4 for bilevel, the JPEG as it came when nothing changed,
/// otherwise JPEG or Flate as the profile says.
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
pub(crate) fn encode(
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
    } else if matches!(p.compression, Compression::Jpeg | Compression::Mrc) {
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
