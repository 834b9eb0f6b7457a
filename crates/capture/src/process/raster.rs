//! Page rasters: samples of any page image (JPEG, G4, grey, colour), shrinking to a lower
//! resolution, and cropping by margins.

// Pixel arithmetic: coordinates and counts are bounded by `Limits` (≤ 300 million pixels a
// page), far inside f32/f64 precision for the sizes involved; values are clamped before
// they are narrowed.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use super::settings::{Crop, Op};
use crate::CaptureError;
use eingang_pdf::PageImage;

/// Samples: 1 (grey) or 3 (RGB) channels, 8 bits.
#[derive(Debug, Clone)]
pub(crate) struct Raster {
    pub w: usize,
    pub h: usize,
    pub ch: usize,
    pub data: Vec<u8>,
}

impl Raster {
    pub(crate) fn luma(&self) -> Vec<u8> {
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

pub(crate) fn corrupt(what: &str, reason: String) -> CaptureError {
    CaptureError::Corrupt {
        file: what.to_owned(),
        page: None,
        reason,
    }
}

pub(crate) fn raster_of(what: &str, image: &PageImage) -> Result<Raster, CaptureError> {
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
        PageImage::G4 {
            width,
            height,
            data,
        } => {
            let (w, h) = dims(*width, *height);
            Raster {
                w,
                h,
                ch: 1,
                data: g4_luma(what, *width, *height, data)?,
            }
        }
    })
}

/// Averages `factor`×`factor` blocks (a copy when `factor` is 1).
pub(crate) fn shrink(luma: &[u8], w: usize, h: usize, factor: usize) -> (Vec<u8>, usize, usize) {
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
        let out = g4_luma(what, *width, *height, data)?;
        return Ok((out, w, h));
    }
    let r = raster_of(what, image)?;
    Ok((r.luma(), r.w, r.h))
}

pub(crate) fn factor_for(dpi: f32, target: f32) -> usize {
    let f = (dpi / target).round();
    if f.is_finite() && f >= 1.0 {
        // Bounded: resolutions are checked to be ≤ 4800 dpi.
        f.min(64.0) as usize
    } else {
        1
    }
}

pub(crate) fn mm_to_px(mm: f32, dpi: f32) -> usize {
    let px = (mm / 25.4 * dpi).round();
    px.max(0.0) as usize
}

pub(crate) fn crop(r: &Raster, c: Crop, dpi: (f32, f32)) -> Option<(Raster, Op)> {
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

/// A stored or imported Group 4 page (scanners' parameters) decoded; damage names the page.
pub(crate) fn decode_g4(
    what: &str,
    width: u32,
    height: u32,
    data: &[u8],
) -> Result<crate::ccitt::Bitmap, CaptureError> {
    crate::ccitt::decode(data, &crate::ccitt::Params::g4(width, height))
        .map_err(|e| corrupt(what, e.to_string()))
}

/// A Group 4 page's grey samples (ink 0, paper 255).
fn g4_luma(what: &str, width: u32, height: u32, data: &[u8]) -> Result<Vec<u8>, CaptureError> {
    let bitmap = decode_g4(what, width, height, data)?;
    let mut out = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height {
        out.extend((0..width).map(|x| if bitmap.ink(x, y) { 0 } else { 255 }));
    }
    Ok(out)
}
