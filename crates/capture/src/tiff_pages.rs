//! Multi-page TIFF: every page (IFD) decoded into grey, RGB or bilevel samples, with its
//! resolution tags. The size is checked from the tags before a page is decoded.

use crate::{too_large, CaptureError, Limits, Page, DEFAULT_DPI};
use eingang_pdf::{PageImage, ScanPage};
use std::io::Cursor;
use tiff::decoder::{ifd::Value, Decoder, DecodingResult};
use tiff::tags::Tag;
use tiff::ColorType;

fn rational(v: Option<Value>) -> Option<f32> {
    #[allow(clippy::cast_precision_loss)]
    match v? {
        Value::Rational(n, d) if d > 0 => Some(n as f32 / d as f32),
        Value::Short(n) => Some(f32::from(n)),
        Value::Unsigned(n) => Some(n as f32),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

fn dpi(dec: &mut Decoder<Cursor<Vec<u8>>>) -> Option<(f32, f32)> {
    let x = rational(dec.find_tag(Tag::XResolution).ok()?)?;
    let y = rational(dec.find_tag(Tag::YResolution).ok()?).unwrap_or(x);
    let unit = dec
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    match unit {
        2 if x > 0.0 && y > 0.0 => Some((x, y)),
        3 if x > 0.0 && y > 0.0 => Some((x * 2.54, y * 2.54)),
        _ => None,
    }
}

/// 16-bit samples to 8 bits.
fn narrow(v: &[u16]) -> Vec<u8> {
    v.iter().map(|s| s.to_be_bytes()[0]).collect()
}

/// One page's samples as PDF-ready samples.
fn convert(
    dec: &mut Decoder<Cursor<Vec<u8>>>,
    color: ColorType,
    width: u32,
    height: u32,
    data: DecodingResult,
) -> Result<PageImage, String> {
    // The decoder has already turned "WhiteIsZero" (fax) samples into 0 = black, as PDF's
    // DeviceGray reads them.
    let px = usize::try_from(u64::from(width) * u64::from(height)).map_err(|e| e.to_string())?;
    Ok(match (color, data) {
        (ColorType::Gray(1), DecodingResult::U8(v)) => PageImage::Bilevel {
            width,
            height,
            data: v,
        },
        (ColorType::Gray(8), DecodingResult::U8(v)) => PageImage::Gray8 {
            width,
            height,
            data: v,
        },
        (ColorType::Gray(16), DecodingResult::U16(v)) => PageImage::Gray8 {
            width,
            height,
            data: narrow(&v),
        },
        (ColorType::RGB(8), DecodingResult::U8(v)) => PageImage::Rgb8 {
            width,
            height,
            data: v,
        },
        (ColorType::RGB(16), DecodingResult::U16(v)) => PageImage::Rgb8 {
            width,
            height,
            data: narrow(&v),
        },
        (ColorType::RGBA(8), DecodingResult::U8(v)) => {
            // Transparent parts become white paper.
            let mut out = Vec::with_capacity(px * 3);
            for p in v.chunks_exact(4) {
                let a = u16::from(p[3]);
                for c in &p[..3] {
                    let blended = (u16::from(*c) * a + 255 * (255 - a)) / 255;
                    out.push(blended.to_be_bytes()[1]);
                }
            }
            PageImage::Rgb8 {
                width,
                height,
                data: out,
            }
        }
        (ColorType::Palette(bits @ (1 | 2 | 4 | 8)), DecodingResult::U8(v)) => {
            let map = dec
                .find_tag_unsigned_vec::<u16>(Tag::ColorMap)
                .ok()
                .flatten()
                .ok_or("a palette image without its colour map")?;
            let n = 1usize << bits;
            if map.len() < 3 * n {
                return Err("the colour map is too short".into());
            }
            if bits != 8 {
                return Err(format!("{bits}-bit palette images are not supported yet"));
            }
            let mut out = Vec::with_capacity(px * 3);
            for &i in &v {
                let i = usize::from(i);
                for c in 0..3 {
                    out.push(map[c * n + i].to_be_bytes()[0]);
                }
            }
            PageImage::Rgb8 {
                width,
                height,
                data: out,
            }
        }
        (ColorType::CMYK(8), DecodingResult::U8(v)) => {
            let mut out = Vec::with_capacity(px * 3);
            for p in v.chunks_exact(4) {
                let k = u16::from(p[3]);
                for c in &p[..3] {
                    out.push(255 - (u16::from(*c) + k).min(255).to_be_bytes()[1]);
                }
            }
            PageImage::Rgb8 {
                width,
                height,
                data: out,
            }
        }
        (other, _) => return Err(format!("{other:?} samples are not supported yet")),
    })
}

pub(crate) fn tiff(file: &str, bytes: Vec<u8>, limits: Limits) -> Result<Vec<Page>, CaptureError> {
    let corrupt = |page: Option<usize>, reason: String| CaptureError::Corrupt {
        file: file.to_owned(),
        page,
        reason,
    };
    let mut tl = tiff::decoder::Limits::default();
    tl.decoding_buffer_size =
        usize::try_from(limits.max_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
    tl.intermediate_buffer_size = tl.decoding_buffer_size;
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(|e| corrupt(None, e.to_string()))?
        .with_limits(tl);
    let mut pages = Vec::new();
    loop {
        let index = pages.len();
        if index >= limits.max_pages {
            return Err(CaptureError::TooLarge {
                file: file.to_owned(),
                page: None,
                reason: format!("more than {} pages", limits.max_pages),
            });
        }
        let (w, h) = dec
            .dimensions()
            .map_err(|e| corrupt(Some(index), e.to_string()))?;
        too_large(file, Some(index), w, h, limits)?;
        let color = dec
            .colortype()
            .map_err(|e| corrupt(Some(index), e.to_string()))?;
        let found = dpi(&mut dec);
        let compression = dec
            .find_tag_unsigned::<u16>(Tag::Compression)
            .ok()
            .flatten();
        let image = if let Some(c @ (2 | 3)) = compression {
            fax3(&mut dec, c, w, h).map_err(|e| corrupt(Some(index), e))?
        } else {
            let data = dec
                .read_image()
                .map_err(|e| corrupt(Some(index), e.to_string()))?;
            convert(&mut dec, color, w, h, data).map_err(|e| corrupt(Some(index), e))?
        };
        pages.push(Page {
            index,
            page: ScanPage {
                image,
                dpi: found.unwrap_or((DEFAULT_DPI, DEFAULT_DPI)),
            },
            dpi_assumed: found.is_none(),
        });
        if !dec.more_images() {
            break;
        }
        dec.next_image()
            .map_err(|e| corrupt(Some(index + 1), e.to_string()))?;
    }
    Ok(pages)
}

/// A CCITT Group 3 page (compression 3, T.4 one- or two-dimensional as `T4Options` says) or
/// a modified-Huffman one (compression 2), which the TIFF decoder does not read: its strips
/// decoded by [`crate::ccitt`].
fn fax3(
    dec: &mut Decoder<Cursor<Vec<u8>>>,
    compression: u16,
    w: u32,
    h: u32,
) -> Result<PageImage, String> {
    let mut unsigned = |tag: u16| {
        dec.find_tag_unsigned::<u32>(Tag::from_u16_exhaustive(tag))
            .ok()
            .flatten()
    };
    let t4_options = unsigned(292).unwrap_or(0);
    let min_is_black = unsigned(262) == Some(1);
    let lsb_first = unsigned(266) == Some(2);
    let rows_per_strip = unsigned(278).unwrap_or(h).clamp(1, h);
    let offsets = dec
        .get_tag_u64_vec(Tag::StripOffsets)
        .map_err(|e| e.to_string())?;
    let counts = dec
        .get_tag_u64_vec(Tag::StripByteCounts)
        .map_err(|e| e.to_string())?;
    let bytes = dec.inner().get_ref();
    let mut ink = Vec::with_capacity(w.div_ceil(8) as usize * h as usize);
    let mut done = 0u32;
    for (offset, count) in offsets.iter().zip(&counts) {
        if done >= h {
            break;
        }
        let rows = rows_per_strip.min(h - done);
        let strip = usize::try_from(*offset)
            .ok()
            .zip(usize::try_from(*count).ok())
            .and_then(|(o, n)| bytes.get(o..o.checked_add(n)?))
            .ok_or("a strip lies outside the file")?;
        let strip: Vec<u8> = if lsb_first {
            strip.iter().map(|b| b.reverse_bits()).collect()
        } else {
            strip.to_vec()
        };
        let params = crate::ccitt::Params {
            k: i32::from(compression == 3 && t4_options & 1 != 0),
            columns: w,
            rows,
            end_of_line: compression == 3,
            byte_align: compression == 2 || t4_options & 4 != 0,
            black_is_1: false,
            invert: false,
        };
        ink.extend(
            crate::ccitt::decode(&strip, &params)
                .map_err(|e| e.to_string())?
                .data,
        );
        done += rows;
    }
    if done < h {
        return Err(format!("the strips hold {done} of {h} lines"));
    }
    // Coded black is ink unless the page says 0 is black (then the codes' "black" is paper).
    let data = if min_is_black {
        ink
    } else {
        ink.iter().map(|b| !b).collect()
    };
    Ok(PageImage::Bilevel {
        width: w,
        height: h,
        data,
    })
}
