//! Files in, one PDF/A out, without the store: `eingang pdf assemble` (pages as they are, or
//! processed by a scan profile) and `eingang ocr files` (a searchable PDF/A). A file that
//! cannot be read is reported and skipped; the PDF is written under a temporary name,
//! synced and renamed, so nobody sees half a file. The writer's PDF/A is what its tests
//! prove (qpdf, poppler, PDFBox); the file is not parsed again here — that took four times
//! as long as writing it — `eingang pdf check` checks any file on demand.

use crate::error::{Error, Result};
use eingang_capture::process::mrc::{layers_of, MrcSettings};
use eingang_capture::process::{Compression, Processing};
use eingang_capture::{read_file, read_file_into, Limits, Page};
use eingang_pdf::{MrcPage, PdfA, ScanOptions, ScanPdf, ScanWriter};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// What happened to one file or page on the way (the caller prints it).
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The file or page was left out.
    Skipped { code: String, message: String },
    /// The file states no resolution; 300 dpi was assumed.
    DpiAssumed { what: String },
    /// The processed page looks blank (kept).
    Blank { what: String, ink_percent: f32 },
}

/// The PDF written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub pages: usize,
    pub bytes: u64,
    /// Files or pages left out (each reported as a [`Notice::Skipped`]).
    pub skipped: usize,
}

/// Where the pages go and how.
#[derive(Debug)]
pub struct Assemble<'a> {
    pub files: &'a [PathBuf],
    pub out: &'a Path,
    pub title: Option<&'a str>,
    pub level: PdfA,
    /// A scan profile's processing; `None` keeps every page as it is (JPEG byte for byte).
    pub processing: Option<Processing>,
}

fn skipped(code: &str, message: impl std::fmt::Display) -> Notice {
    Notice::Skipped {
        code: code.to_owned(),
        message: message.to_string(),
    }
}

/// The files' pages into one PDF/A at `req.out`. A reader thread reads the next file and
/// proves it whole while this one writes the page before; the JPEG buffers go back to it,
/// so memory stays at a few pages however many files there are.
pub fn assemble(req: &Assemble<'_>, on: &dyn Fn(Notice)) -> Result<Written> {
    let mut skipped_n = 0;
    let mut pdf = Output::create(req.out, req.level)?;
    let (to_writer, from_reader) = std::sync::mpsc::sync_channel(2);
    let (to_reader, spare) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        s.spawn(move || {
            for f in req.files {
                let buffer = spare.try_recv().unwrap_or_default();
                let read = read_file_into(f, Limits::default(), buffer);
                if to_writer.send((f, read)).is_err() {
                    break;
                }
            }
        });
        for (f, read) in from_reader {
            let pages = match read {
                Ok(pages) => pages,
                Err(e) => {
                    on(skipped(e.code(), &e));
                    skipped_n += 1;
                    continue;
                }
            };
            for p in pages {
                if let Some(page) = add(&mut pdf, f, p, req.processing.as_ref(), on) {
                    let _ = to_reader.send(page.into_buffer());
                } else {
                    skipped_n += 1;
                }
            }
        }
    });
    pdf.finish(req.title.map(str::to_owned), skipped_n)
}

/// One page into the PDF (processed first when a profile says so); `None` when it was left
/// out (reported through `on`).
fn add(
    pdf: &mut Output<'_>,
    f: &Path,
    p: Page,
    processing: Option<&Processing>,
    on: &dyn Fn(Notice),
) -> Option<Page> {
    let what = format!("{}, page {}", f.display(), p.index + 1);
    if p.dpi_assumed {
        on(Notice::DpiAssumed { what: what.clone() });
    }
    let page = match processing {
        None => p,
        Some(settings) => match process(&what, &p, settings, on) {
            Ok(done) => done,
            Err(e) => {
                on(skipped(e.code(), &e));
                return None;
            }
        },
    };
    // A profile that archives as MRC (the built-in grey and colour ones) gets it here too;
    // a page MRC would lose detail on goes in as processed.
    let layers = processing
        .filter(|s| s.compression == Compression::Mrc)
        .and_then(|_| layers_of(&what, &page.page, &MrcSettings::default()).ok())
        .and_then(Result::ok);
    let written = match layers {
        Some(l) => pdf.writer.add_mrc_page_with_text(
            &MrcPage {
                width: l.width,
                height: l.height,
                dpi: page.page.dpi,
                mask: l.mask,
                foreground: l.foreground,
                background: l.background,
            },
            0,
            &[],
            0,
        ),
        None => pdf.writer.add_page(&page.page, 0),
    };
    if let Err(e) = written {
        on(skipped("pdf.failed", format!("{what}: {e}")));
        return None;
    }
    Some(page)
}

/// A page processed by a scan profile (a blank page is reported and kept).
fn process(
    what: &str,
    p: &Page,
    settings: &Processing,
    on: &dyn Fn(Notice),
) -> std::result::Result<Page, eingang_capture::CaptureError> {
    let done = eingang_capture::process::process(what, &p.page, settings)?;
    if done.blank {
        on(Notice::Blank {
            what: what.to_owned(),
            ink_percent: done.ink_percent,
        });
    }
    Ok(Page {
        index: p.index,
        page: done.page,
        dpi_assumed: p.dpi_assumed,
    })
}

/// A searchable PDF/A from image files: every page read by `tess` (`jobs` at once); a page
/// OCR cannot read goes in without text and is reported. Returns the PDF and the words
/// found.
pub fn ocr_pdf(
    files: &[PathBuf],
    out: &Path,
    level: PdfA,
    tess: &eingang_capture::ocr::Tesseract,
    jobs: usize,
    on: &dyn Fn(Notice),
) -> Result<(Written, usize)> {
    let mut skipped_n = 0;
    let mut pages = Vec::new();
    for f in files {
        // A file left out would shift every page after it: nothing is written then.
        pages.extend(read_file(f, Limits::default())?.into_iter().map(|p| p.page));
    }
    let results = eingang_capture::ocr::recognise_all(tess, &pages, jobs);
    let mut pdf = Output::create(out, level)?;
    let mut words = 0;
    for (i, (page, result)) in pages.iter().zip(&results).enumerate() {
        let found = match result {
            Ok(found) => found.as_slice(),
            Err(e) => {
                on(skipped("ocr.page", format!("page {}: {e}", i + 1)));
                skipped_n += 1;
                &[]
            }
        };
        words += found.len();
        pdf.writer
            .add_page_with_text(page, 0, found, 0)
            .map_err(|e| pdf_failed(out, &e))?;
    }
    Ok((pdf.finish(None, skipped_n)?, words))
}

fn pdf_failed(out: &Path, e: &impl std::fmt::Display) -> Error {
    Error::refused("pdf.failed", format!("{}: {e}", out.display()))
}

/// A PDF being written under `OUT.pdf.part`.
struct Output<'a> {
    out: &'a Path,
    tmp: PathBuf,
    level: PdfA,
    writer: ScanWriter<BufWriter<std::fs::File>>,
}

impl<'a> Output<'a> {
    fn create(out: &'a Path, level: PdfA) -> Result<Self> {
        let tmp = out.with_extension("pdf.part");
        let file = std::fs::File::create(&tmp).map_err(|e| io(out, &e))?;
        let writer =
            ScanWriter::new(BufWriter::new(file), level).map_err(|e| pdf_failed(out, &e))?;
        Ok(Self {
            out,
            tmp,
            level,
            writer,
        })
    }

    fn finish(self, title: Option<String>, skipped: usize) -> Result<Written> {
        let Self {
            out,
            tmp,
            level,
            writer,
        } = self;
        let pages = writer.pages();
        if pages == 0 {
            drop(writer);
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::input(
                "scan.nothing_read",
                "no page could be read; nothing was written",
            ));
        }
        let created = eingang_store::rfc3339_utc(eingang_store::now_ms());
        let doc = ScanPdf {
            title: title.unwrap_or_else(|| {
                out.file_stem()
                    .map_or_else(|| "Scan".into(), |s| s.to_string_lossy().into_owned())
            }),
            language: "de".into(),
            reference: format!("{}{created}", out.display()),
            created,
        };
        let options = ScanOptions {
            level,
            ..ScanOptions::default()
        };
        let finished = writer
            .finish(&doc, &options)
            .map_err(|e| e.to_string())
            .and_then(|w| w.into_inner().map_err(|e| e.to_string()))
            .and_then(|f| f.sync_all().map_err(|e| e.to_string()))
            .and_then(|()| std::fs::rename(&tmp, out).map_err(|e| e.to_string()));
        if let Err(e) = finished {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(out, &e));
        }
        Ok(Written {
            pages,
            bytes: std::fs::metadata(out).map_or(0, |m| m.len()),
            skipped,
        })
    }
}

fn io(out: &Path, e: &impl std::fmt::Display) -> Error {
    Error::refused("io", format!("{} cannot be written: {e}", out.display()))
}
