//! PDF/A-2b documents made of scanned page images, one image per page, each page the size
//! of the paper it was scanned from (pixels ÷ resolution).
//!
//! - JPEG goes in **byte-identical** (`DCTDecode`): no second lossy generation — what img2pdf
//!   calls lossless passthrough. The header is read for size and components; nothing else.
//! - Grey and colour samples go in losslessly (`FlateDecode`); bilevel samples as 1-bit grey.
//!   (CCITT G4 for bilevel pages is the capture crate's encoder's to produce.)
//! - CMYK images are refused here: PDF/A with an sRGB output intent takes DeviceRGB and
//!   DeviceGray only; the capture step converts.

use crate::icc::srgb_profile;
use crate::pdfa::{document_id, pdf_date, utf16be, xmp_packet, Meta, PdfA};
use crate::Error;
use std::fmt::Write as _;
use std::io::Write;

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
    /// A bilevel page already encoded as CCITT Group 4 (T.6), black = ink.
    G4 {
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

/// A page as mixed raster content (MRC, ITU-T T.44's three layers): a full-resolution mask
/// of the text and line art (CCITT G4, black = ink), the colours of the ink as a small JPEG
/// painted through that mask, and the paper, photos and logos behind it as a JPEG at
/// reduced resolution. In the PDF: the background image, then the foreground image with the
/// mask as its explicit `/Mask` (no soft mask, no transparency group — valid PDF/A-1b too).
#[derive(Debug, Clone, PartialEq)]
pub struct MrcPage {
    /// The page in pixels at `dpi` (the mask's size).
    pub width: u32,
    pub height: u32,
    pub dpi: (f32, f32),
    pub mask: Vec<u8>,
    pub foreground: Vec<u8>,
    pub background: Vec<u8>,
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

/// An image error of page `n` names the page.
fn on_page(n: usize) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::Image(m) => Error::Image(format!("page {n}: {m}")),
        other => other,
    }
}

/// A scanner's resolution within what paper and scanners make plausible.
fn plausible_dpi((dx, dy): (f32, f32)) -> Result<(), Error> {
    if dx.is_finite()
        && dy.is_finite()
        && (10.0..=4800.0).contains(&dx)
        && (10.0..=4800.0).contains(&dy)
    {
        Ok(())
    } else {
        Err(Error::Image(format!(
            "a resolution of {dx}×{dy} dpi is not plausible"
        )))
    }
}

/// An image XObject: its dictionary (without `/Length`) and its data (the page's own bytes
/// where they go in as they are: a JPEG or G4 page is never copied).
struct XObject<'a> {
    dict: String,
    data: std::borrow::Cow<'a, [u8]>,
    width: u32,
    height: u32,
}

fn image_dict(w: u32, h: u32, cs: &str, bpc: u8, filter: &str, extra: &str) -> String {
    format!(
        "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{cs} /BitsPerComponent {bpc} /Filter /{filter}{extra}"
    )
}

/// A JPEG as it is (passthrough).
fn jpeg_xobject(bytes: &[u8]) -> Result<XObject<'_>, Error> {
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
    Ok(XObject {
        dict: image_dict(info.width, info.height, cs, 8, "DCTDecode", ""),
        data: std::borrow::Cow::Borrowed(bytes),
        width: info.width,
        height: info.height,
    })
}

/// The image XObject for a page.
fn xobject(image: &PageImage) -> Result<XObject<'_>, Error> {
    let (w, h, cs, bpc, row, what, data) = match image {
        PageImage::Jpeg(bytes) => return jpeg_xobject(bytes),
        PageImage::G4 {
            width,
            height,
            data,
        } => {
            if *width == 0 || *height == 0 || data.is_empty() {
                return Err(Error::Image("an empty CCITT G4 page".into()));
            }
            let parms = format!(
                " /DecodeParms << /K -1 /Columns {width} /Rows {height} /BlackIs1 false >>"
            );
            return Ok(XObject {
                dict: image_dict(*width, *height, "DeviceGray", 1, "CCITTFaxDecode", &parms),
                data: std::borrow::Cow::Borrowed(data),
                width: *width,
                height: *height,
            });
        }
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
    Ok(XObject {
        dict: image_dict(w, h, cs, bpc, "FlateDecode", ""),
        data: std::borrow::Cow::Owned(deflate(data)?),
        width: w,
        height: h,
    })
}

/// Document metadata beyond [`ScanPdf`]: the PDF/A level and index fields for the XMP.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub level: PdfA,
    /// Index fields (name, value), written into the XMP in Eingang's namespace.
    pub index: Vec<(String, String)>,
    /// Files embedded as associated files (PDF/A-3 only), e.g. the Transfervermerk.
    pub attachments: Vec<Attachment>,
}

/// A file embedded in the PDF and associated with the whole document (PDF/A-3 `/AF`).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    /// MIME type, e.g. `application/xml`.
    pub mime: String,
    pub description: String,
    /// `Source`, `Data`, `Alternative`, `Supplement` or `Unspecified`.
    pub relationship: String,
    pub data: Vec<u8>,
}

/// Writes a PDF/A document of scanned pages **page by page**: each page's image goes to
/// `out` when it is added, so a 500-page batch never sits in memory. Call [`Self::finish`]
/// at the end (page tree, metadata, output intent, cross-reference table).
#[derive(Debug)]
pub struct ScanWriter<W: Write> {
    out: W,
    written: u64,
    /// Byte offset of object n at index n − 1.
    offsets: Vec<u64>,
    pages: Vec<usize>,
    level: PdfA,
    /// The invisible text layer's font, written with the first page that has text.
    font: Option<usize>,
}

const CATALOG: usize = 1;
const PAGES: usize = 2;

impl<W: Write> ScanWriter<W> {
    pub fn new(out: W, level: PdfA) -> Result<Self, Error> {
        let mut w = Self {
            out,
            written: 0,
            offsets: vec![0, 0],
            pages: Vec::new(),
            level,
            font: None,
        };
        // The binary comment line: four bytes ≥ 128, as PDF/A asks.
        let mut bytes = format!("%PDF-{}\n%", level.header()).into_bytes();
        bytes.extend([0xE2, 0xE3, 0xCF, 0xD3, b'\n']);
        w.put(&bytes)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::Write(e.to_string()))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn reserve(&mut self) -> usize {
        self.offsets.push(0);
        self.offsets.len()
    }

    fn object(&mut self, id: usize, body: &str) -> Result<(), Error> {
        self.offsets[id - 1] = self.written;
        self.put(format!("{id} 0 obj\n{body}\nendobj\n").as_bytes())
    }

    fn stream(&mut self, id: usize, dict: &str, data: &[u8]) -> Result<(), Error> {
        self.offsets[id - 1] = self.written;
        self.put(format!("{id} 0 obj\n<< {dict} /Length {} >>\nstream\n", data.len()).as_bytes())?;
        self.put(data)?;
        self.put(b"\nendstream\nendobj\n")
    }

    /// Adds a page; `quarter_turns` clockwise become the page's `/Rotate` (lossless).
    pub fn add_page(&mut self, page: &ScanPage, quarter_turns: u8) -> Result<(), Error> {
        self.add_page_with_text(page, quarter_turns, &[], 0)
    }

    /// The text layer's font objects (once per document); returns the Type0 font's id.
    fn text_font(&mut self) -> Result<usize, Error> {
        if let Some(id) = self.font {
            return Ok(id);
        }
        let (font_id, cid_id, descriptor_id, file_id, map_id, unicode_id) = (
            self.reserve(),
            self.reserve(),
            self.reserve(),
            self.reserve(),
            self.reserve(),
            self.reserve(),
        );
        let program = crate::textlayer::glyphless_font();
        let packed = deflate(&program)?;
        self.stream(
            file_id,
            &format!("/Length1 {} /Filter /FlateDecode", program.len()),
            &packed,
        )?;
        let map = deflate(&crate::textlayer::cid_to_gid_map())?;
        self.stream(map_id, "/Filter /FlateDecode", &map)?;
        self.stream(unicode_id, "", crate::textlayer::TO_UNICODE.as_bytes())?;
        self.object(
            descriptor_id,
            &format!("<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 {file_id} 0 R >>"),
        )?;
        self.object(
            cid_id,
            &format!("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor_id} 0 R /DW 500 /W [0 [500]] /CIDToGIDMap {map_id} 0 R >>"),
        )?;
        self.object(
            font_id,
            &format!("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [{cid_id} 0 R] /ToUnicode {unicode_id} 0 R >>"),
        )?;
        self.font = Some(font_id);
        Ok(font_id)
    }

    /// Adds a page with an invisible text layer of `words`, which were read with the image
    /// turned `words_turned` quarter turns clockwise (boxes in the turned image's pixels).
    pub fn add_page_with_text(
        &mut self,
        page: &ScanPage,
        quarter_turns: u8,
        words: &[crate::TextWord],
        words_turned: u8,
    ) -> Result<(), Error> {
        let n = self.pages.len() + 1;
        let named = on_page(n);
        plausible_dpi(page.dpi).map_err(&named)?;
        let x = xobject(&page.image).map_err(&named)?;
        if self.level == PdfA::A1b && x.dict.contains("/Rows") && x.width > 32767 {
            return Err(Error::Image(format!("page {n}: too wide for PDF/A-1")));
        }
        let image_id = self.reserve();
        self.stream(image_id, &x.dict, &x.data)?;
        let pixels = (x.width, x.height);
        self.finish_page(
            pixels,
            page.dpi,
            &[image_id],
            quarter_turns,
            words,
            words_turned,
        )
    }

    /// Adds a page as mixed raster content (see [`MrcPage`]), with its text layer.
    pub fn add_mrc_page_with_text(
        &mut self,
        page: &MrcPage,
        quarter_turns: u8,
        words: &[crate::TextWord],
        words_turned: u8,
    ) -> Result<(), Error> {
        let n = self.pages.len() + 1;
        let named = on_page(n);
        plausible_dpi(page.dpi).map_err(&named)?;
        let (w, h) = (page.width, page.height);
        if w == 0 || h == 0 || page.mask.is_empty() {
            return Err(named(Error::Image("an empty MRC page".into())));
        }
        if self.level == PdfA::A1b && w > 32767 {
            return Err(Error::Image(format!("page {n}: too wide for PDF/A-1")));
        }
        let background = jpeg_xobject(&page.background).map_err(&named)?;
        let foreground = jpeg_xobject(&page.foreground).map_err(&named)?;
        let (mask_id, fg_id, bg_id) = (self.reserve(), self.reserve(), self.reserve());
        // The mask: 0 (black, ink) paints the foreground, 1 (paper) leaves the background.
        self.stream(
            mask_id,
            &format!("/Type /XObject /Subtype /Image /Width {w} /Height {h} /ImageMask true /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {w} /Rows {h} /BlackIs1 false >>"),
            &page.mask,
        )?;
        self.stream(
            fg_id,
            &format!("{} /Mask {mask_id} 0 R", foreground.dict),
            &foreground.data,
        )?;
        self.stream(bg_id, &background.dict, &background.data)?;
        self.finish_page(
            (w, h),
            page.dpi,
            &[bg_id, fg_id],
            quarter_turns,
            words,
            words_turned,
        )
    }

    /// The page's content (its images drawn over the whole page in order, then the text
    /// layer) and the page object.
    fn finish_page(
        &mut self,
        pixels: (u32, u32),
        dpi: (f32, f32),
        images: &[usize],
        quarter_turns: u8,
        words: &[crate::TextWord],
        words_turned: u8,
    ) -> Result<(), Error> {
        #[allow(clippy::cast_precision_loss)]
        let (pw, ph) = (
            pixels.0 as f32 * 72.0 / dpi.0,
            pixels.1 as f32 * 72.0 / dpi.1,
        );
        let font = if words.is_empty() {
            None
        } else {
            Some(self.text_font()?)
        };
        let (content_id, page_id) = (self.reserve(), self.reserve());
        let mut content = String::new();
        let mut xobjects = String::new();
        for (i, id) in images.iter().enumerate() {
            let _ = writeln!(content, "q {pw:.4} 0 0 {ph:.4} 0 0 cm /Im{i} Do Q");
            let _ = write!(xobjects, " /Im{i} {id} 0 R");
        }
        let mut fonts = String::new();
        if let Some(font) = font {
            let frame = crate::textlayer::Frame {
                pixels,
                points: (pw, ph),
                dpi,
            };
            content.push_str(&crate::textlayer::content(
                words,
                frame,
                words_turned,
                "OCR",
            ));
            fonts = format!(" /Font << /OCR {font} 0 R >>");
        }
        let packed = deflate(content.as_bytes())?;
        self.stream(content_id, "/Filter /FlateDecode", &packed)?;
        let rotate = u16::from(quarter_turns % 4) * 90;
        let page_dict = format!(
            "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {pw:.4} {ph:.4}] /Resources << /XObject <<{xobjects} >>{fonts} >> /Contents {content_id} 0 R /Rotate {rotate} >>"
        );
        self.object(page_id, &page_dict)?;
        self.pages.push(page_id);
        Ok(())
    }

    /// Number of pages added so far.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Writes the embedded files; returns the catalog's `/Names` and `/AF` entries.
    fn attachments(&mut self, files: &[Attachment], date: &str) -> Result<(String, String), Error> {
        if files.is_empty() {
            return Ok((String::new(), String::new()));
        }
        if self.level != PdfA::A3b {
            return Err(Error::Image(
                "embedded files need PDF/A-3; choose PDF/A-3b for this document".into(),
            ));
        }
        let mut names = String::new();
        let mut specs = String::new();
        // A name tree's keys go in order.
        let mut files: Vec<&Attachment> = files.iter().collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        for file in files {
            let ok = |s: &str| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./+".contains(c))
            };
            if !ok(&file.mime) || !ok(&file.relationship) || file.name.is_empty() {
                return Err(Error::Image(format!(
                    "embedded file {:?}: a name, a plain MIME type and a relationship are needed",
                    file.name
                )));
            }
            let (stream_id, spec_id) = (self.reserve(), self.reserve());
            let packed = deflate(&file.data)?;
            let mime = file.mime.replace('/', "#2F");
            self.stream(
                stream_id,
                &format!(
                    "/Type /EmbeddedFile /Subtype /{mime} /Filter /FlateDecode /Params << /Size {} /ModDate ({date}) >>",
                    file.data.len()
                ),
                &packed,
            )?;
            let name = hex::encode_upper(utf16be(&file.name));
            let desc = hex::encode_upper(utf16be(&file.description));
            self.object(
                spec_id,
                &format!(
                    "<< /Type /Filespec /F <{name}> /UF <{name}> /Desc <{desc}> /AFRelationship /{} /EF << /F {stream_id} 0 R /UF {stream_id} 0 R >> >>",
                    file.relationship
                ),
            )?;
            let _ = write!(names, "<{name}> {spec_id} 0 R ");
            let _ = write!(specs, "{spec_id} 0 R ");
        }
        Ok((
            format!(" /Names << /EmbeddedFiles << /Names [{names}] >> >>"),
            format!(" /AF [{specs}]"),
        ))
    }

    /// Writes the rest of the document and returns the output.
    pub fn finish(mut self, doc: &ScanPdf, options: &ScanOptions) -> Result<W, Error> {
        if self.pages.is_empty() {
            return Err(Error::Image("a document needs at least one page".into()));
        }
        let meta = Meta {
            title: &doc.title,
            language: &doc.language,
            created: &doc.created,
            id_seed: &doc.reference,
        };
        let producer = format!("Eingang {}", env!("CARGO_PKG_VERSION"));
        let xmp = xmp_packet(&meta, &producer, self.level, &options.index);
        let metadata_id = self.reserve();
        self.stream(metadata_id, "/Type /Metadata /Subtype /XML", xmp.as_bytes())?;
        let icc_id = self.reserve();
        let icc = deflate(&srgb_profile())?;
        self.stream(icc_id, "/N 3 /Filter /FlateDecode", &icc)?;
        let intent_id = self.reserve();
        self.object(
            intent_id,
            &format!("<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile {icc_id} 0 R >>"),
        )?;
        let date = pdf_date(&doc.created);
        let (names, af) = self.attachments(&options.attachments, &date)?;
        let info_id = self.reserve();
        self.object(
            info_id,
            &format!(
                "<< /Title <{}> /Producer <{p}> /Creator <{p}> /CreationDate ({date}) /ModDate ({date}) >>",
                hex::encode_upper(utf16be(&doc.title)),
                p = hex::encode_upper(utf16be(&producer)),
            ),
        )?;
        let mut kids = String::new();
        for p in &self.pages {
            let _ = write!(kids, "{p} 0 R ");
        }
        self.object(
            PAGES,
            &format!(
                "<< /Type /Pages /Kids [{kids}] /Count {} >>",
                self.pages.len()
            ),
        )?;
        let lang = hex::encode_upper(utf16be(&doc.language));
        self.object(
            CATALOG,
            &format!("<< /Type /Catalog /Pages {PAGES} 0 R /Metadata {metadata_id} 0 R /OutputIntents [{intent_id} 0 R] /Lang <{lang}> /MarkInfo << /Marked false >>{names}{af} >>"),
        )?;
        let xref_at = self.written;
        let mut xref = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len() + 1);
        for off in &self.offsets {
            let _ = write!(xref, "{off:010} 00000 n\r\n");
        }
        let id = hex::encode_upper(document_id(&meta));
        let _ = write!(
            xref,
            "trailer\n<< /Size {} /Root {CATALOG} 0 R /Info {info_id} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref_at}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.put(xref.as_bytes())?;
        self.out.flush().map_err(|e| Error::Write(e.to_string()))?;
        Ok(self.out)
    }
}

/// Renders scanned pages as a PDF/A-2b document in memory (small documents; use
/// [`ScanWriter`] for batches).
pub fn render_scan_pdf(doc: &ScanPdf, pages: &[ScanPage]) -> Result<Vec<u8>, Error> {
    if pages.is_empty() {
        return Err(Error::Image("a document needs at least one page".into()));
    }
    let mut w = ScanWriter::new(Vec::new(), PdfA::A2b)?;
    for page in pages {
        w.add_page(page, 0)?;
    }
    w.finish(doc, &ScanOptions::default())
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
