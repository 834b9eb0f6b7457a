//! Layout and PDF/A objects for a rendered form.

use crate::text::{wrap, FontUse};
use crate::Error;
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use std::fmt::Write;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER: f32 = 36.0;

/// One line of content: a group heading, or a field with its value.
#[derive(Debug, Clone)]
pub enum Entry {
    Heading {
        text: String,
        depth: u8,
    },
    Field {
        label: String,
        value: String,
        depth: u8,
    },
}

/// What goes on the pages.
#[derive(Debug, Clone)]
pub struct FormPdf {
    pub title: String,
    /// Shown under the title, e.g. "Formular ortstermin, Version 1.0".
    pub subtitle: String,
    /// e.g. "Referenz 0190…, abgeschlossen am 28.11.2026 14:03".
    pub reference: String,
    /// Footer text before the page number, e.g. "ortstermin 1.0 · 0190…".
    pub footer: String,
    /// "Seite {n} von {m}" with the placeholders in this text.
    pub page_label: String,
    pub entries: Vec<Entry>,
    /// ISO 8601 time for the metadata (`2026-11-28T14:03:00Z`).
    pub created: String,
    pub language: String,
}

struct Run {
    x: f32,
    y: f32,
    size: f32,
    gray: f32,
    text: String,
}

/// Lays the entries out on A4 pages.
fn layout(font: &FontUse, doc: &FormPdf) -> Vec<Vec<Run>> {
    let mut pages: Vec<Vec<Run>> = vec![Vec::new()];
    let mut y = PAGE_H - MARGIN;
    let width = PAGE_W - 2.0 * MARGIN;
    let put = |pages: &mut Vec<Vec<Run>>,
               y: &mut f32,
               x: f32,
               size: f32,
               gray: f32,
               text: String,
               gap: f32| {
        let lead = size * 1.35;
        if *y - lead < MARGIN + FOOTER {
            pages.push(Vec::new());
            *y = PAGE_H - MARGIN;
        }
        *y -= lead;
        if let Some(p) = pages.last_mut() {
            p.push(Run {
                x,
                y: *y,
                size,
                gray,
                text,
            });
        }
        *y -= gap;
    };
    for line in wrap(font, &doc.title, 16.0, width) {
        put(&mut pages, &mut y, MARGIN, 16.0, 0.0, line, 0.0);
    }
    put(
        &mut pages,
        &mut y,
        MARGIN,
        9.0,
        0.3,
        doc.subtitle.clone(),
        0.0,
    );
    put(
        &mut pages,
        &mut y,
        MARGIN,
        9.0,
        0.3,
        doc.reference.clone(),
        10.0,
    );
    for e in &doc.entries {
        match e {
            Entry::Heading { text, depth } => {
                let x = MARGIN + f32::from(*depth) * 12.0;
                y -= 4.0;
                for line in wrap(font, text, 12.0, width - (x - MARGIN)) {
                    put(&mut pages, &mut y, x, 12.0, 0.0, line, 0.0);
                }
                y -= 2.0;
            }
            Entry::Field {
                label,
                value,
                depth,
            } => {
                let x = MARGIN + f32::from(*depth) * 12.0;
                for line in wrap(font, label, 8.5, width - (x - MARGIN)) {
                    put(&mut pages, &mut y, x, 8.5, 0.35, line, 0.0);
                }
                let value = if value.trim().is_empty() {
                    "–"
                } else {
                    value.as_str()
                };
                for line in wrap(font, value, 10.5, width - (x - MARGIN)) {
                    put(&mut pages, &mut y, x, 10.5, 0.0, line, 0.0);
                }
                y -= 5.0;
            }
        }
    }
    pages
}

/// Renders a filled form as a PDF/A-2b document.
pub fn render_form_pdf(doc: &FormPdf) -> Result<Vec<u8>, Error> {
    let mut font = FontUse::new()?;
    let pages = layout(&font, doc);
    let total = pages.len();

    let mut pdf = Document::with_version("1.7");
    let pages_id = pdf.new_object_id();
    let font_id = pdf.new_object_id();

    let mut kids = Vec::new();
    for (i, runs) in pages.iter().enumerate() {
        let mut content = String::new();
        for r in runs {
            let hex = font.encode(&r.text);
            let _ = writeln!(
                content,
                "BT {g:.2} g /F1 {s:.1} Tf {x:.2} {y:.2} Td <{hex}> Tj ET",
                g = r.gray,
                s = r.size,
                x = r.x,
                y = r.y
            );
        }
        let footer = format!(
            "{} · {}",
            doc.footer,
            doc.page_label
                .replace("{n}", &(i + 1).to_string())
                .replace("{m}", &total.to_string())
        );
        let hex = font.encode(&footer);
        let _ = writeln!(
            content,
            "BT 0.35 g /F1 8 Tf {MARGIN:.2} {:.2} Td <{hex}> Tj ET",
            MARGIN * 0.6
        );
        let content_id = pdf.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = pdf.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(PAGE_W), Object::Real(PAGE_H)],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page));
    }

    write_font(&mut pdf, &font, font_id)?;

    crate::pdfa::finish(
        pdf,
        pages_id,
        kids,
        &crate::pdfa::Meta {
            title: &doc.title,
            language: &doc.language,
            created: &doc.created,
            id_seed: &doc.reference,
        },
    )
}

/// A number of PDF units, rounded (font metrics are small; no truncation happens).
#[allow(clippy::cast_possible_truncation)]
fn round_i64(v: f32) -> i64 {
    v.round() as i64
}

/// The font: a subset CID font (Identity-H) with its widths and a ToUnicode map.
fn write_font(pdf: &mut Document, font: &FontUse, font_id: lopdf::ObjectId) -> Result<(), Error> {
    let subset = font.subset()?;
    let scale = |v: i16| Object::Integer(round_i64(f32::from(v) * 1000.0 / font.units_per_em));
    let file_id = pdf.add_object(Stream::new(
        dictionary! { "Length1" => i64::try_from(subset.len()).unwrap_or(0) },
        subset,
    ));
    let bbox = font.bbox();
    let descriptor_id = pdf.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "EINGNG+DejaVuSans",
        "Flags" => 32,
        "FontBBox" => bbox.iter().map(|v| scale(*v)).collect::<Vec<_>>(),
        "ItalicAngle" => 0,
        "Ascent" => scale(font.ascent()),
        "Descent" => scale(font.descent()),
        "CapHeight" => scale(font.cap_height()),
        "StemV" => 80,
        "FontFile2" => file_id,
    });
    let mut w = Vec::new();
    for (g, width) in font.widths() {
        w.push(Object::Integer(i64::from(g)));
        w.push(Object::Array(vec![Object::Integer(round_i64(width))]));
    }
    let cid_id = pdf.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "EINGNG+DejaVuSans",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
            "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor_id,
        "DW" => 600,
        "W" => w,
        "CIDToGIDMap" => "Identity",
    });
    let to_unicode_id = pdf.add_object(Stream::new(dictionary! {}, font.to_unicode().into_bytes()));
    pdf.objects.insert(
        font_id,
        Object::Dictionary(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "EINGNG+DejaVuSans",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid_id)],
            "ToUnicode" => to_unicode_id,
        }),
    );

    Ok(())
}
