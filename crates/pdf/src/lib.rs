//! PDF/A-2b writer: submissions of forms (every label and value, repeat groups,
//! attachments listed, form id and version, submission id, time, page numbers) in
//! [`render_form_pdf`], and documents of scanned pages in [`render_scan_pdf`] (JPEG
//! embedded byte-identical, other samples lossless).
//!
//! PDF/A-2b as ISO 19005-2 asks: the font (DejaVu Sans, shipped in `fonts/`) is embedded
//! as a subset CID font with a ToUnicode map, so text extracts as typed ("Straße"); XMP
//! metadata with `pdfaid:part=2`, `conformance=B`; an sRGB output intent with an embedded
//! ICC profile (generated in [`icc`]); a document ID; no encryption, no JavaScript.

mod check;
mod icc;
mod pdfa;
mod scan;
mod text;
mod textlayer;
mod writer;

pub use check::{check_pdfa, check_pdfa_file, Problems, NOT_CHECKED as PDFA_NOT_CHECKED};
pub use pdfa::{PdfA, INDEX_NS};
pub use scan::{
    jpeg_info, render_scan_pdf, Attachment, JpegInfo, MrcPage, PageImage, ScanOptions, ScanPage,
    ScanPdf, ScanWriter,
};
pub use textlayer::{glyphless_font, TextWord};
pub use writer::{render_form_pdf, Entry, FormPdf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the font could not be prepared: {0}")]
    Font(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
    #[error("{0}")]
    Image(String),
}
