//! Intake of page images from files — JPEG, PNG, PNM, PDF ([`pdf_pages`]: image-only pages
//! split into their images as they are, other pages rendered) and TIFF (multi-page; CCITT G3/G4, LZW,
//! Deflate, JPEG compression; 1-, 8- and 16-bit grey, palette, RGB, CMYK), each page with
//! the resolution the file states.
//!
//! - JPEG is kept **as it is** for the PDF (passthrough); it is decoded once, under the
//!   limits, only to prove it is whole. CMYK JPEG is converted to RGB (PDF/A with an sRGB
//!   output intent takes no CMYK).
//! - Everything else is decoded into grey, RGB or bilevel samples.
//! - Limits are checked **before** decoding (file size, pixels per page, pages per file):
//!   a decompression bomb is refused from its header. Every refusal names the file (and the
//!   page) and says what to do.
//!
//! Scanners: [`sane`] (Linux, through `scanimage`); network scanners' drop folder:
//! [`hotfolder`]. eSCL and WIA/TWAIN come with the rest of the scan-intake issue.

use eingang_pdf::{jpeg_info, PageImage, ScanPage};
use std::io::Cursor;
use std::path::Path;

/// A scanner of any kind: SANE today ([`sane::SaneScanner`]); eSCL network scanners and
/// Windows drivers (WIA/TWAIN) implement the same trait, so the batch, processing and UI
/// code never needs to know which one it talks to.
pub trait Source: Send + Sync {
    /// For the user: which scanner this is.
    fn name(&self) -> String;

    /// Scans a batch into `work_dir` (empty), handing each page to `on_page` as soon as it
    /// is complete; `cancel` stops it. Returns the number of pages.
    fn scan(
        &self,
        settings: &ScanSettings,
        work_dir: &Path,
        cancel: &std::sync::atomic::AtomicBool,
        on_page: &mut dyn FnMut(Page),
    ) -> Result<u32, CaptureError>;
}

/// What a file may be before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    /// Per page: A3 at 1200 dpi is ≈ 280 million.
    pub max_pixels: u64,
    pub max_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 512 * 1024 * 1024,
            max_pixels: 300_000_000,
            max_pages: 10_000,
        }
    }
}

/// Where plaintext that must pass through a file goes (scanner output, a PDF for poppler,
/// a document before it is sealed): a memory-backed folder (`/dev/shm`) when it exists
/// and has room for `need` bytes (four times over), so it never reaches the disk; else
/// `fallback` (the data folder). Deleted when dropped.
pub fn private_tempdir(
    fallback: &std::path::Path,
    need: u64,
) -> std::io::Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() && fs4::available_space(shm).is_ok_and(|free| free / 4 > need) {
        if let Ok(d) = tempfile::Builder::new().prefix(".eingang-").tempdir_in(shm) {
            return Ok(d);
        }
    }
    std::fs::create_dir_all(fallback)?;
    tempfile::Builder::new()
        .prefix(".eingang-")
        .tempdir_in(fallback)
}

/// The resolution assumed when a file states none (most scanners write it).
pub const DEFAULT_DPI: f32 = 300.0;

/// One page read from a file.
#[derive(Debug, Clone)]
pub struct Page {
    /// 0-based within the file.
    pub index: usize,
    pub page: ScanPage,
    /// The resolution was not in the file; [`DEFAULT_DPI`] was assumed.
    pub dpi_assumed: bool,
}

impl Page {
    /// The memory of a JPEG page's bytes, for [`read_file_into`] to read the next file into.
    pub fn into_buffer(self) -> Vec<u8> {
        match self.page.image {
            PageImage::Jpeg(bytes) => bytes,
            _ => Vec::new(),
        }
    }
}

pub use error::{BatchError, CaptureError, OcrError, SealError, CODES as ERROR_CODES};

fn name_of(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads every page of the file at `path`.
pub fn read_file(path: &Path, limits: Limits) -> Result<Vec<Page>, CaptureError> {
    read_file_into(path, limits, Vec::new())
}

/// [`read_file`] into `buffer` (cleared first): a caller reading many files hands back the
/// bytes of the page before (see [`Page::into_buffer`]) and no memory is allocated and
/// cleared again for each file.
pub fn read_file_into(
    path: &Path,
    limits: Limits,
    mut buffer: Vec<u8>,
) -> Result<Vec<Page>, CaptureError> {
    let file = name_of(path);
    let io = |e: std::io::Error| CaptureError::Io {
        file: file.clone(),
        reason: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > limits.max_file_bytes {
        return Err(CaptureError::TooLarge {
            file,
            page: None,
            reason: format!("{size} bytes, more than {}", limits.max_file_bytes),
        });
    }
    buffer.clear();
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut buffer))
        .map_err(io)?;
    read_bytes(&file, buffer, limits)
}

/// Reads every page of a file's bytes; `file` names it in errors.
pub fn read_bytes(file: &str, bytes: Vec<u8>, limits: Limits) -> Result<Vec<Page>, CaptureError> {
    match bytes.get(..4) {
        Some([0xFF, 0xD8, 0xFF, _]) => jpeg(file, bytes, limits).map(|p| vec![p]),
        Some([0x89, b'P', b'N', b'G']) => png(file, &bytes, limits).map(|p| vec![p]),
        Some(b"II*\0" | b"MM\0*") => tiff(file, bytes, limits),
        Some([b'P', b'4'..=b'6', ..]) => pnm(file, &bytes, limits).map(|p| vec![p]),
        Some(b"%PDF") => pdf_pages::pdf(file, &bytes, limits),
        _ => Err(CaptureError::Unsupported {
            file: file.to_owned(),
        }),
    }
}

fn too_large(
    file: &str,
    page: Option<usize>,
    w: u32,
    h: u32,
    limits: Limits,
) -> Result<(), CaptureError> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(CaptureError::TooLarge {
            file: file.to_owned(),
            page,
            reason: format!(
                "{w}×{h} pixels, more than {} million",
                limits.max_pixels / 1_000_000
            ),
        });
    }
    Ok(())
}

fn decoder_limits(limits: Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_pixels.saturating_mul(4));
    l
}

/// JFIF density (APP0): units 1 = dots per inch, 2 = per centimetre.
fn jfif_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if marker == 0xE0 && len >= 14 && bytes.get(i + 4..i + 9) == Some(b"JFIF\0") {
            let seg = &bytes[i + 4..];
            let (unit, x, y) = (
                seg[7],
                f32::from(u16::from_be_bytes([seg[8], seg[9]])),
                f32::from(u16::from_be_bytes([seg[10], seg[11]])),
            );
            return match unit {
                1 if x > 0.0 && y > 0.0 => Some((x, y)),
                2 if x > 0.0 && y > 0.0 => Some((x * 2.54, y * 2.54)),
                _ => None,
            };
        }
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    None
}

fn jpeg(file: &str, bytes: Vec<u8>, limits: Limits) -> Result<Page, CaptureError> {
    let corrupt = |reason: String| CaptureError::Corrupt {
        file: file.to_owned(),
        page: None,
        reason,
    };
    let info = jpeg_info(&bytes).map_err(|e| corrupt(e.to_string()))?;
    too_large(file, None, info.width, info.height, limits)?;
    // Proved whole from its structure (decoders fill a cut-off scan with grey); the
    // passthrough never decodes it.
    jpeg::check_whole(&bytes).map_err(|why| corrupt(why.into()))?;
    let (dpi, dpi_assumed) =
        jfif_dpi(&bytes).map_or(((DEFAULT_DPI, DEFAULT_DPI), true), |d| (d, false));
    let image = if info.components == 4 {
        // CMYK has no place in a PDF/A scan: converted to RGB.
        let mut reader =
            image::ImageReader::with_format(Cursor::new(&bytes), image::ImageFormat::Jpeg);
        reader.limits(decoder_limits(limits));
        let rgb = reader
            .decode()
            .map_err(|e| corrupt(e.to_string()))?
            .into_rgb8();
        PageImage::Rgb8 {
            width: rgb.width(),
            height: rgb.height(),
            data: rgb.into_raw(),
        }
    } else {
        PageImage::Jpeg(bytes)
    };
    Ok(Page {
        index: 0,
        page: ScanPage { image, dpi },
        dpi_assumed,
    })
}

/// PNG `pHYs`: pixels per unit, unit 1 = metre.
fn png_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut i = 8;
    while i + 12 <= bytes.len() {
        let len = usize::try_from(u32::from_be_bytes([
            bytes[i],
            bytes[i + 1],
            bytes[i + 2],
            bytes[i + 3],
        ]))
        .ok()?;
        let kind = &bytes[i + 4..i + 8];
        if kind == b"pHYs" && len == 9 && i + 17 <= bytes.len() {
            let d = &bytes[i + 8..];
            let x = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
            let y = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
            #[allow(clippy::cast_precision_loss)]
            return (d[8] == 1 && x > 0 && y > 0).then_some((x as f32 * 0.0254, y as f32 * 0.0254));
        }
        if kind == b"IDAT" {
            return None;
        }
        i += 12 + len;
    }
    None
}

fn from_dynamic(img: image::DynamicImage) -> PageImage {
    use image::ColorType as C;
    match img.color() {
        C::L8 | C::L16 | C::La8 | C::La16 => {
            let g = img.into_luma8();
            PageImage::Gray8 {
                width: g.width(),
                height: g.height(),
                data: g.into_raw(),
            }
        }
        _ => {
            let rgb = img.into_rgb8();
            PageImage::Rgb8 {
                width: rgb.width(),
                height: rgb.height(),
                data: rgb.into_raw(),
            }
        }
    }
}

fn png(file: &str, bytes: &[u8], limits: Limits) -> Result<Page, CaptureError> {
    let corrupt = |reason: String| CaptureError::Corrupt {
        file: file.to_owned(),
        page: None,
        reason,
    };
    // The header's size, before anything is decoded.
    let (w, h) = match bytes.get(16..24) {
        Some(d) => (
            u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
            u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
        ),
        None => return Err(corrupt("the header is cut off".into())),
    };
    too_large(file, None, w, h, limits)?;
    let (dpi, dpi_assumed) =
        png_dpi(bytes).map_or(((DEFAULT_DPI, DEFAULT_DPI), true), |d| (d, false));
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Png);
    reader.limits(decoder_limits(limits));
    let img = reader.decode().map_err(|e| corrupt(e.to_string()))?;
    Ok(Page {
        index: 0,
        page: ScanPage {
            image: from_dynamic(img),
            dpi,
        },
        dpi_assumed,
    })
}

pub mod auto;
pub mod barcode;
pub mod ccitt;
pub mod email;
mod error;
pub mod escl;
pub mod hotfolder;
pub mod intake;
pub mod jpeg;
pub mod masterdata;
pub mod ocr;
pub mod office;
pub mod pages;
pub mod patch;
mod pipeline;
pub mod process;
pub mod profile;
pub mod qc;
pub mod release;
pub mod sane;
pub mod separate;
pub mod transfer;
pub use sane::ScanSettings;

/// The scanner behind a device name: `escl:<url>` is an eSCL network scanner, anything else
/// a SANE device.
pub fn source_for(device: &str) -> Box<dyn Source> {
    match device.strip_prefix("escl:") {
        Some(url) => Box::new(escl::EsclScanner::new(url)),
        None => Box::new(sane::SaneScanner {
            device: device.to_owned(),
        }),
    }
}
/// PNM (what SANE's scanimage writes): no resolution inside; the caller knows it.
fn pnm(file: &str, bytes: &[u8], limits: Limits) -> Result<Page, CaptureError> {
    let corrupt = |reason: String| CaptureError::Corrupt {
        file: file.to_owned(),
        page: None,
        reason,
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Pnm);
    reader.limits(decoder_limits(limits));
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| corrupt(e.to_string()))?;
    too_large(file, None, w, h, limits)?;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Pnm);
    reader.limits(decoder_limits(limits));
    let img = reader.decode().map_err(|e| corrupt(e.to_string()))?;
    Ok(Page {
        index: 0,
        page: ScanPage {
            image: from_dynamic(img),
            dpi: (DEFAULT_DPI, DEFAULT_DPI),
        },
        dpi_assumed: true,
    })
}

#[doc(hidden)]
pub mod pdf_pages;
mod tiff_pages;
use tiff_pages::tiff;

#[cfg(test)]
mod private_temp_tests {
    #[test]
    fn plaintext_temp_files_go_to_memory_when_there_is_room_else_to_the_fallback() {
        let fallback = tempfile::tempdir().expect("temp dir");
        let small = super::private_tempdir(fallback.path(), 1).expect("a temp dir");
        if std::path::Path::new("/dev/shm").is_dir() {
            assert!(small.path().starts_with("/dev/shm"), "{:?}", small.path());
        }
        // More than memory can hold: the fallback (the data folder).
        let huge = super::private_tempdir(fallback.path(), u64::MAX / 8).expect("a temp dir");
        assert!(
            huge.path().starts_with(fallback.path()),
            "{:?}",
            huge.path()
        );
    }
}
