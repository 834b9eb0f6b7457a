//! One released document written: its pages streamed into a PDF/A file (with the OCR text
//! layer, the index in the XMP, and — for PDF/A-3b — the Transfervermerk and an e-mail's
//! original as associated files), self-checked, then put into the blob store.

use crate::pages::stored_image;
use crate::process::mrc::MrcSettings;
use crate::transfer::{self, Facts, Sealer};
use crate::BatchError;
use eingang_pdf::{MrcPage, PdfA, ScanOptions, ScanPdf, ScanWriter};
use eingang_store::blobs::BlobRef;
use eingang_store::tables::pages;
use eingang_store::tables::pages::PageRow;
use eingang_store::{tables, Store};

/// How a page went into the PDF, for its log.
pub(crate) type Encoding = (eingang_model::PageId, serde_json::Value);

/// A document written: its PDF/A in the blob store (not yet recorded: the caller commits it
/// with the document row), how each page went in, and its Transfervermerk (which says so).
pub(crate) struct Written {
    pub pdf: BlobRef,
    pub encodings: Vec<Encoding>,
    pub transfervermerk: String,
}

/// The PDF/A of `pages` (MRC where `mrc` asks and the page allows) with the Transfervermerk
/// of `facts` and the pages' encodings.
pub(crate) fn pdf(
    store: &Store,
    level: PdfA,
    mrc: Option<&MrcSettings>,
    doc: &ScanPdf,
    pages: &[&PageRow],
    facts: &Facts,
    sealer: &dyn Sealer,
) -> Result<Written, BatchError> {
    let failed = |reason: String| BatchError::Write {
        title: doc.title.clone(),
        reason,
    };
    // The PDF/A is about as large as its pages' images.
    let need: u64 = pages
        .iter()
        .filter_map(|p| {
            let h = p.image_blob.as_deref().unwrap_or(&p.raw_blob);
            store
                .with_conn(|c| tables::blobs::get(c, h))
                .ok()
                .flatten()
                .and_then(|b| u64::try_from(b.size).ok())
        })
        .sum();
    let work = crate::private_tempdir(store.data_dir(), need).map_err(|e| failed(e.to_string()))?;
    let tmp = tempfile::NamedTempFile::new_in(work.path()).map_err(|e| failed(e.to_string()))?;
    let file = std::io::BufWriter::new(tmp.reopen().map_err(|e| failed(e.to_string()))?);
    let mut w = ScanWriter::new(file, level).map_err(|e| failed(e.to_string()))?;
    let mut encodings = Vec::new();
    // MRC is the slow part: pages are encoded on every core, a window at a time (memory
    // stays a few pages' worth), and written in order.
    let lanes = if mrc.is_some() {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        1
    };
    for window in pages.chunks(lanes * 2) {
        for (p, prepared) in window.iter().zip(prepare(store, window, mrc, lanes)) {
            let (image, layers) = prepared?;
            let text = store
                .with_conn(|c| pages::ocr_words(c, &p.id))?
                .and_then(|j| crate::ocr::PageText::parse(&j))
                .unwrap_or_default();
            let encoding =
                add_page(&mut w, p, &image, layers, &text).map_err(|e| failed(e.to_string()))?;
            encodings.push((p.id, encoding));
        }
    }
    // The Transfervermerk names how every page was archived (A.SC.12: the method and its
    // parameters are part of the scan product's documentation).
    let facts = Facts {
        encodings: encodings.iter().map(|(_, e)| e.clone()).collect(),
        ..facts.clone()
    };
    let transfervermerk = transfer::xml(&facts);
    let mut xmp = facts.index.clone();
    xmp.extend(transfer::xmp_facts(&facts));
    let options = ScanOptions {
        level,
        index: xmp,
        attachments: if level == PdfA::A3b {
            attachments(store, pages, &transfervermerk)?
        } else {
            Vec::new()
        },
    };
    let file = w.finish(doc, &options).map_err(|e| failed(e.to_string()))?;
    file.into_inner()
        .map_err(|e| failed(e.to_string()))?
        .sync_all()
        .map_err(|e| failed(e.to_string()))?;
    // The self-check: a document that is not PDF/A is never queued.
    let problems = eingang_pdf::check_pdfa_file(tmp.path(), level);
    if !problems.is_empty() {
        return Err(BatchError::NotPdfA {
            title: doc.title.clone(),
            problems,
        });
    }
    // The seal goes into the checked file as an incremental update (it stays PDF/A).
    if sealer.protection() != transfer::Protection::None {
        let bytes = std::fs::read(tmp.path()).map_err(|e| failed(e.to_string()))?;
        if let Some(sealed) = sealer.seal_pdf(&bytes)? {
            return Ok(Written {
                pdf: store.blobs().put(&sealed)?,
                encodings,
                transfervermerk,
            });
        }
    }
    let written = std::fs::File::open(tmp.path()).map_err(|e| failed(e.to_string()))?;
    Ok(Written {
        pdf: store.blobs().put_reader(written)?,
        encodings,
        transfervermerk,
    })
}

/// Page `p` into the PDF: as MRC layers where they were made, else as stored; returns how
/// it went in (for its log and the Transfervermerk).
fn add_page<W: std::io::Write>(
    w: &mut ScanWriter<W>,
    p: &PageRow,
    image: &eingang_pdf::ScanPage,
    layers: Option<Result<crate::process::mrc::Layers, crate::process::mrc::Refused>>,
    text: &crate::ocr::PageText,
) -> Result<serde_json::Value, eingang_pdf::Error> {
    match layers {
        Some(Ok(l)) => {
            let log = l.log();
            let page = MrcPage {
                width: l.width,
                height: l.height,
                dpi: image.dpi,
                mask: l.mask,
                foreground: l.foreground,
                background: l.background,
            };
            w.add_mrc_page_with_text(&page, p.rotation, &text.words, text.rotation)?;
            Ok(log)
        }
        refused => {
            let mut plain = serde_json::json!({ "method": stored_method(image) });
            if let Some(Err(why)) = refused {
                plain["mrc_refused"] = why.to_string().into();
            }
            w.add_page_with_text(image, p.rotation, &text.words, text.rotation)?;
            Ok(plain)
        }
    }
}

/// How a page is archived when it goes in as stored.
fn stored_method(page: &eingang_pdf::ScanPage) -> &'static str {
    use eingang_pdf::PageImage;
    match page.image {
        PageImage::Jpeg(_) => "jpeg",
        PageImage::G4 { .. } => "ccitt-g4",
        PageImage::Bilevel { .. } | PageImage::Gray8 { .. } | PageImage::Rgb8 { .. } => "flate",
    }
}

/// A stored page and, where `mrc` asks, its MRC layers (or why it stays plain).
type Prepared = Result<
    (
        eingang_pdf::ScanPage,
        Option<Result<crate::process::mrc::Layers, crate::process::mrc::Refused>>,
    ),
    BatchError,
>;

/// `window`'s pages read and (with `mrc`) encoded, on up to `lanes` threads, in order.
fn prepare(
    store: &Store,
    window: &[&PageRow],
    mrc: Option<&MrcSettings>,
    lanes: usize,
) -> Vec<Prepared> {
    let one = |p: &PageRow| -> Prepared {
        let image = stored_image(store, p)?;
        let layers = match mrc {
            Some(settings) => Some(crate::process::mrc::layers_of(&p.source, &image, settings)?),
            None => None,
        };
        Ok((image, layers))
    };
    if lanes <= 1 {
        return window.iter().map(|p| one(p)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out: Vec<std::sync::Mutex<Option<Prepared>>> =
        window.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..lanes.min(window.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(p) = window.get(i) else { break };
                let done = one(p);
                if let Ok(mut slot) = out[i].lock() {
                    *slot = Some(done);
                }
            });
        }
    });
    out.into_iter()
        .map(|slot| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(BatchError::Write {
                    title: String::new(),
                    reason: "a page was not prepared".into(),
                })
            })
        })
        .collect()
}

/// The associated files of a PDF/A-3b: the Transfervermerk, an e-mail as it came (with
/// every attachment) beside its pages, and its office attachments as they came.
fn attachments(
    store: &Store,
    pages: &[&PageRow],
    transfervermerk: &str,
) -> Result<Vec<eingang_pdf::Attachment>, BatchError> {
    let mut out = vec![eingang_pdf::Attachment {
        name: "transfervermerk.xml".into(),
        mime: "application/xml".into(),
        description: "Transfervermerk (BSI TR-03138 A.NB.4)".into(),
        relationship: "Supplement".into(),
        data: transfervermerk.as_bytes().to_vec(),
    }];
    let mut seen = Vec::new();
    for p in pages.iter().filter(|p| crate::email::is_eml(&p.source)) {
        if seen.contains(&p.raw_blob) {
            continue;
        }
        seen.push(p.raw_blob.clone());
        let eml = store.blobs().get(&p.raw_blob)?;
        // Its office attachments beside it as they came: the pages are LibreOffice's
        // rendering, the file is the original.
        for o in crate::email::office_originals(&eml) {
            let mut name = o.name.replace(['/', '\\'], "_");
            while out.iter().any(|a| a.name == name) {
                name = format!("anlage-{name}");
            }
            out.push(eingang_pdf::Attachment {
                description: format!("Anlage im Original (aus {})", p.source),
                name,
                mime: o.content_type,
                relationship: "Source".into(),
                data: o.bytes,
            });
        }
        out.push(eingang_pdf::Attachment {
            name: p.source.clone(),
            mime: "message/rfc822".into(),
            description: "E-Mail im Original".into(),
            relationship: "Source".into(),
            data: eml,
        });
    }
    Ok(out)
}
