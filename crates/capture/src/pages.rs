//! The images of stored pages: how a processed page is kept in the blob store (JPEG and
//! G4 as they are, grey and colour samples deflated) and rebuilt from it, and a batch cut
//! into documents.

use crate::{BatchError, CaptureError};
use eingang_pdf::{PageImage, ScanPage};
use eingang_store::tables::pages::PageRow;
use eingang_store::Store;
use std::io::{Read as _, Write as _};

/// A processed page's image as it is stored: its kind, size and bytes.
pub(crate) fn for_storage(image: &PageImage) -> (&'static str, u32, u32, Vec<u8>) {
    match image {
        PageImage::Jpeg(b) => {
            let (w, h) = eingang_pdf::jpeg_info(b).map_or((0, 0), |i| (i.width, i.height));
            ("jpeg", w, h, b.clone())
        }
        PageImage::G4 {
            width,
            height,
            data,
        } => ("g4", *width, *height, data.clone()),
        PageImage::Gray8 {
            width,
            height,
            data,
        } => ("gray8", *width, *height, zlib(data)),
        PageImage::Rgb8 {
            width,
            height,
            data,
        } => ("rgb8", *width, *height, zlib(data)),
        PageImage::Bilevel {
            width,
            height,
            data,
        } => {
            // Not produced by processing (bilevel pages become G4); kept as grey.
            let row = width.div_ceil(8) as usize;
            let mut grey = Vec::with_capacity(*width as usize * *height as usize);
            for y in 0..*height as usize {
                for x in 0..*width as usize {
                    grey.push(if data[y * row + x / 8] & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    });
                }
            }
            ("gray8", *width, *height, zlib(&grey))
        }
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// Rebuilds a processed page's image from the blob store.
pub(crate) fn stored_image(store: &Store, p: &PageRow) -> Result<ScanPage, BatchError> {
    let (Some(blob), Some(kind)) = (&p.image_blob, &p.image_kind) else {
        return Err(BatchError::PageNotProcessed {
            file: p.source.clone(),
            page: p.source_page + 1,
            state: p.error.clone().unwrap_or_else(|| p.state.clone()),
        });
    };
    let bytes = store.blobs().get(blob)?;
    let (width, height) = (p.width.unwrap_or(0), p.height.unwrap_or(0));
    let inflate = |b: &[u8]| {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(b)
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| CaptureError::Corrupt {
                file: p.source.clone(),
                page: usize::try_from(p.source_page).ok(),
                reason: format!("the stored page image cannot be unpacked: {e}"),
            })
    };
    let image = match kind.as_str() {
        "jpeg" => PageImage::Jpeg(bytes),
        "g4" => PageImage::G4 {
            width,
            height,
            data: bytes,
        },
        "gray8" => PageImage::Gray8 {
            width,
            height,
            data: inflate(&bytes)?,
        },
        _ => PageImage::Rgb8 {
            width,
            height,
            data: inflate(&bytes)?,
        },
    };
    Ok(ScanPage { image, dpi: p.dpi })
}

/// A processed page to look at: JPEG, its longer side at most `max_side` pixels.
pub fn view(store: &Store, p: &PageRow, max_side: usize) -> Result<Vec<u8>, BatchError> {
    let page = stored_image(store, p)?;
    Ok(crate::process::view_jpeg(&p.source, &page.image, max_side)?)
}

/// The batch cut into documents: each starts at the first page or a page marked as a
/// document start; deleted pages are left out.
pub fn segments(pages: &[PageRow]) -> Vec<Vec<&PageRow>> {
    let mut out: Vec<Vec<&PageRow>> = Vec::new();
    for p in pages.iter().filter(|p| !p.deleted) {
        match out.last_mut() {
            Some(doc) if !p.starts_document => doc.push(p),
            _ => out.push(vec![p]),
        }
    }
    out
}
