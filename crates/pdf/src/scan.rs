//! PDF/A-2b documents made of scanned page images, one image per page, each page the size
//! of the paper it was scanned from (pixels ÷ resolution).
//!
//! - JPEG goes in **byte-identical** (`DCTDecode`): no second lossy generation — what img2pdf
//!   calls lossless passthrough. The header is read for size and components; nothing else.
//! - Grey and colour samples go in losslessly (`FlateDecode`); bilevel samples as 1-bit grey.
//!   (CCITT G4 for bilevel pages is the capture crate's encoder's to produce.)
//! - CMYK images are refused here: PDF/A with an sRGB output intent takes DeviceRGB and
//!   DeviceGray only; the capture step converts.

use crate::pdfa::{finish, Meta};
use crate::Error;
use lopdf::{dictionary, Document, Object, Stream};
use std::io::Write as _;

/// The samples of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageImage {
    /// A JPEG file's bytes, embedded unchanged.
    Jpeg(Vec<u8>),
    /// 8-bit grey, one byte per pixel, rows top to bottom.
    Gray8 {
        width: u32,
        height: u32,
        data: Vec<u8>,
    },
    /// 8-bit RGB, three bytes per pixel.
    Rgb8 {
        width: u32,
        height: u32,
        data: Vec<u8>,
    },
    /// 1 bit per pixel, rows padded to whole bytes, 1 = white (as PDF's DeviceGray reads it).
    Bilevel {
        width: u32,
        height: u32,
        data: Vec<u8>,
    },
}

/// One page: its image and the resolution it was scanned at (dots per inch, x and y).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage {
    pub image: PageImage,
    pub dpi: (f32, f32),
}

/// The document's metadata.
#[derive(Debug, Clone)]
pub struct ScanPdf {
    pub title: String,
    pub language: String,
    /// ISO 8601 (`2026-11-29T08:15:00Z`).
    pub created: String,
    /// The batch or document id (makes the PDF's document ID).
    pub reference: String,
}

/// What a JPEG's frame header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegInfo {
    pub width: u32,
    pub height: u32,
    /// 1 grey, 3 colour (YCbCr/RGB), 4 CMYK.
    pub components: u8,
    pub bits: u8,
}

/// Reads the frame header (SOF) of a JPEG, without decoding it.
pub fn jpeg_info(bytes: &[u8]) -> Result<JpegInfo, Error> {
    let bad = |why: &str| Error::Image(format!("not a usable JPEG file: {why}"));
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return Err(bad("it does not start with a JPEG marker"));
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return Err(bad("the marker structure is damaged"));
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD0..=0xD9 | 0x01) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 || i + 2 + len > bytes.len() {
            return Err(bad("a segment runs past the end of the file (truncated?)"));
        }
        let is_sof = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
        if is_sof {
            if len < 8 {
                return Err(bad("the frame header is too short"));
            }
            let seg = &bytes[i + 4..i + 2 + len];
            let info = JpegInfo {
                bits: seg[0],
                height: u32::from(u16::from_be_bytes([seg[1], seg[2]])),
                width: u32::from(u16::from_be_bytes([seg[3], seg[4]])),
                components: seg[5],
            };
            if info.width == 0 || info.height == 0 {
                return Err(bad("the frame header gives no size"));
            }
            if !matches!(info.components, 1 | 3 | 4) {
                return Err(bad("unsupported number of colour components"));
            }
            return Ok(info);
        }
        i += 2 + len;
    }
    Err(bad("no frame header found"))
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data)
        .and_then(|()| e.finish())
        .map_err(|err| Error::Write(err.to_string()))
}

fn check_len(
    what: &str,
    got: usize,
    width: u32,
    height: u32,
    bytes_per_row: u64,
) -> Result<(), Error> {
    let want = bytes_per_row * u64::from(height);
    if got as u64 != want || width == 0 || height == 0 {
        return Err(Error::Image(format!(
            "{what} page of {width}×{height} needs {want} bytes of samples, got {got}"
        )));
    }
    Ok(())
}

fn image_stream(w: u32, h: u32, cs: &str, bpc: u8, filter: &str, data: Vec<u8>) -> Stream {
    Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => i64::from(w),
            "Height" => i64::from(h),
            "ColorSpace" => cs,
            "BitsPerComponent" => i64::from(bpc),
            "Filter" => filter,
        },
        data,
    )
}

/// A JPEG as it is (passthrough).
fn jpeg_xobject(bytes: &[u8]) -> Result<(Stream, u32, u32), Error> {
    let info = jpeg_info(bytes)?;
    let cs = match info.components {
        1 => "DeviceGray",
        3 => "DeviceRGB",
        _ => {
            return Err(Error::Image(
                "CMYK JPEG pages must be converted to RGB before they go into a PDF/A with an sRGB output intent".into(),
            ))
        }
    };
    if info.bits != 8 {
        return Err(Error::Image(format!(
            "{}-bit JPEG is not allowed in PDF/A; convert it to 8 bits",
            info.bits
        )));
    }
    let mut s = image_stream(info.width, info.height, cs, 8, "DCTDecode", bytes.to_vec());
    s.allows_compression = false;
    Ok((s, info.width, info.height))
}

/// The image XObject for a page, and its pixel size.
fn xobject(image: &PageImage) -> Result<(Stream, u32, u32), Error> {
    let (w, h, cs, bpc, row, what, data) = match image {
        PageImage::Jpeg(bytes) => return jpeg_xobject(bytes),
        PageImage::Gray8 {
            width,
            height,
            data,
        } => (
            *width,
            *height,
            "DeviceGray",
            8,
            u64::from(*width),
            "a grey",
            data,
        ),
        PageImage::Rgb8 {
            width,
            height,
            data,
        } => (
            *width,
            *height,
            "DeviceRGB",
            8,
            3 * u64::from(*width),
            "a colour",
            data,
        ),
        PageImage::Bilevel {
            width,
            height,
            data,
        } => (
            *width,
            *height,
            "DeviceGray",
            1,
            u64::from(width.div_ceil(8)),
            "a bilevel",
            data,
        ),
    };
    check_len(what, data.len(), w, h, row)?;
    Ok((
        image_stream(w, h, cs, bpc, "FlateDecode", deflate(data)?),
        w,
        h,
    ))
}

/// Renders scanned pages as a PDF/A-2b document.
pub fn render_scan_pdf(doc: &ScanPdf, pages: &[ScanPage]) -> Result<Vec<u8>, Error> {
    if pages.is_empty() {
        return Err(Error::Image("a document needs at least one page".into()));
    }
    let mut pdf = Document::with_version("1.7");
    let pages_id = pdf.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for (n, page) in pages.iter().enumerate() {
        let (dx, dy) = page.dpi;
        if !(dx.is_finite()
            && dy.is_finite()
            && (10.0..=4800.0).contains(&dx)
            && (10.0..=4800.0).contains(&dy))
        {
            return Err(Error::Image(format!(
                "page {}: a resolution of {dx}×{dy} dpi is not plausible",
                n + 1
            )));
        }
        let (xobj, w, h) = xobject(&page.image).map_err(|e| match e {
            Error::Image(m) => Error::Image(format!("page {}: {m}", n + 1)),
            other => other,
        })?;
        #[allow(clippy::cast_precision_loss)]
        let (pw, ph) = (w as f32 * 72.0 / dx, h as f32 * 72.0 / dy);
        let image_id = pdf.add_object(xobj);
        let content = format!("q {pw:.4} 0 0 {ph:.4} 0 0 cm /Im0 Do Q\n");
        let content_id = pdf.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_ref = pdf.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(pw), Object::Real(ph)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_ref));
    }
    finish(
        pdf,
        pages_id,
        kids,
        &Meta {
            title: &doc.title,
            language: &doc.language,
            created: &doc.created,
            id_seed: &doc.reference,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_headers_are_read_and_damage_is_named() {
        // A minimal JPEG head: SOI, APP0 (short), SOF0 8-bit 2×3 with 3 components.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
        j.extend([0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x03, 0x00, 0x02, 3]);
        j.extend([1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        assert_eq!(
            jpeg_info(&j).unwrap(),
            JpegInfo {
                width: 2,
                height: 3,
                components: 3,
                bits: 8
            }
        );
        assert!(jpeg_info(b"GIF89a")
            .unwrap_err()
            .to_string()
            .contains("does not start"));
        assert!(jpeg_info(&j[..12])
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        assert!(jpeg_info(&[0xFF, 0xD8, 0xFF, 0xD9])
            .unwrap_err()
            .to_string()
            .contains("no frame header"));
    }

    #[test]
    fn sample_counts_and_resolutions_are_checked() {
        let doc = ScanPdf {
            title: "t".into(),
            language: "de".into(),
            created: "2026-11-29T00:00:00Z".into(),
            reference: "r".into(),
        };
        let short = ScanPage {
            image: PageImage::Gray8 {
                width: 4,
                height: 4,
                data: vec![0; 15],
            },
            dpi: (300.0, 300.0),
        };
        let e = render_scan_pdf(&doc, &[short]).unwrap_err().to_string();
        assert!(e.contains("page 1") && e.contains("needs 16 bytes"), "{e}");
        let odd = ScanPage {
            image: PageImage::Gray8 {
                width: 4,
                height: 4,
                data: vec![0; 16],
            },
            dpi: (0.0, 300.0),
        };
        assert!(render_scan_pdf(&doc, &[odd])
            .unwrap_err()
            .to_string()
            .contains("not plausible"));
        assert!(render_scan_pdf(&doc, &[]).is_err());
    }
}
