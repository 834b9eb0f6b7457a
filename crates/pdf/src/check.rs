//! A self-check for the PDF/A requirements that apply to what Eingang writes (ISO 19005-1/-2/-3
//! level B, and TR-RESISCAN A.SC.12): run on every document the scan office makes, and
//! by `eingang pdf check`. It is not a full validator (veraPDF is one; PDFBox preflight
//! checks PDF/A-1b in the tests) — it catches the mistakes a writer can make.
//!
//! Checked: the header (`%PDF-1.n`) and its binary comment; no encryption; a document
//! ID; XMP metadata with `pdfaid:part` = level and `conformance` B, and its title equal to
//! the info dictionary's; an sRGB (N = 3) `GTS_PDFA1` output intent with an embedded
//! profile; no JavaScript, no launch actions, no embedded files below PDF/A-3; every image:
//! no JBIG2 (A.SC.12), no LZW, no JPX in PDF/A-1, no `/Interpolate true`, no soft mask in
//! PDF/A-1, a device colour space or ICC-based one; every font embedded.

use crate::PdfA;
use lopdf::{Document, Object};

/// What the self-check does not look at (a full validator such as veraPDF does); `eingang
/// pdf check` says so with every verdict.
pub const NOT_CHECKED: &str = "font programs and glyph widths, colour spaces of content \
streams, transparency groups, annotations and their appearances, structure and tagging, XMP \
property schemas beyond pdfaid and dc:title";

/// What the check found wrong; empty means the document passed.
pub type Problems = Vec<String>;

fn name_of(o: &Object) -> Option<&[u8]> {
    o.as_name().ok()
}

/// Checks a PDF file (stream data is not loaded, so large documents stay cheap).
pub fn check_pdfa_file(path: &std::path::Path, level: PdfA) -> Problems {
    // Image and content streams are not needed: drop their data while loading.
    let filter = |id: (u32, u16), obj: &mut Object| -> Option<((u32, u16), Object)> {
        if let Object::Stream(s) = obj {
            let keep = matches!(
                s.dict.get(b"Type").ok().and_then(name_of),
                Some(b"Metadata")
            );
            if !keep {
                s.content.clear();
            }
        }
        Some((id, obj.clone()))
    };
    let header = std::fs::File::open(path).and_then(|f| {
        use std::io::Read as _;
        let mut h = [0u8; 32];
        let n = f.take(32).read(&mut h)?;
        Ok(h[..n].to_vec())
    });
    let header = match header {
        Ok(h) => h,
        Err(e) => return vec![format!("{}: cannot be read: {e}", path.display())],
    };
    match Document::load_filtered(path, filter) {
        Ok(doc) => check(&doc, &header, level),
        Err(e) => vec![format!("not a readable PDF: {e}")],
    }
}

/// Checks a PDF in memory.
pub fn check_pdfa(bytes: &[u8], level: PdfA) -> Problems {
    match Document::load_mem(bytes) {
        Ok(doc) => check(&doc, &bytes[..bytes.len().min(32)], level),
        Err(e) => vec![format!("not a readable PDF: {e}")],
    }
}

/// ISO 19005 6.1.2 (every part; veraPDF's rules 6.1.2-1 and -2): `%PDF-1.n` at byte 0, an
/// end of line, then a comment of at least four bytes above 127. Any `n` from 0 to 7: the
/// header's version is not the PDF/A part (a PDF/A-2 file may say 1.4).
fn header_ok(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"%PDF-1.") else {
        return false;
    };
    let Some((n, rest)) = rest.split_first() else {
        return false;
    };
    let rest = rest
        .strip_prefix(b"\r\n")
        .or_else(|| rest.strip_prefix(b"\r"))
        .or_else(|| rest.strip_prefix(b"\n"));
    let Some(comment) = rest.and_then(|r| r.strip_prefix(b"%")) else {
        return false;
    };
    (b'0'..=b'7').contains(n) && comment.len() >= 4 && comment[..4].iter().all(|b| *b > 127)
}

fn check(doc: &Document, head: &[u8], level: PdfA) -> Problems {
    let mut p = Vec::new();
    if !header_ok(head) {
        p.push(
            "header: expected %PDF-1.n at byte 0, then a comment of four bytes above 127".into(),
        );
    }
    if doc.trailer.get(b"Encrypt").is_ok() {
        p.push("encrypted (PDF/A forbids encryption)".into());
    }
    if doc.trailer.get(b"ID").is_err() {
        p.push("the trailer has no document ID".into());
    }
    let Ok(catalog) = doc.catalog() else {
        p.push("no document catalog".into());
        return p;
    };
    check_metadata(doc, catalog, level, &mut p);
    check_intent(doc, catalog, &mut p);
    for key in [b"OpenAction".as_slice(), b"AA"] {
        if catalog.get(key).is_ok() {
            p.push(format!("the catalog has /{}", String::from_utf8_lossy(key)));
        }
    }
    if let Ok(names) = catalog
        .get(b"Names")
        .and_then(|n| doc.dereference(n))
        .map(|x| x.1)
    {
        if let Ok(names) = names.as_dict() {
            if names.get(b"JavaScript").is_ok() {
                p.push("JavaScript in the name tree".into());
            }
            if names.get(b"EmbeddedFiles").is_ok() && level != PdfA::A3b {
                p.push("embedded files are only allowed in PDF/A-3".into());
            }
        }
    }
    for obj in doc.objects.values() {
        let dict = match obj {
            Object::Stream(s) => &s.dict,
            Object::Dictionary(d) => d,
            _ => continue,
        };
        if let Some(b"JavaScript" | b"Launch") = dict.get(b"S").ok().and_then(name_of) {
            p.push("a JavaScript or launch action".into());
        }
        match (
            dict.get(b"Type").ok().and_then(name_of),
            dict.get(b"Subtype").ok().and_then(name_of),
        ) {
            (_, Some(b"Image")) => check_image(doc, dict, level, &mut p),
            (Some(b"Font"), Some(sub)) if sub != b"Type0" && sub != b"Type3" => {
                let embedded = dict
                    .get(b"FontDescriptor")
                    .and_then(|d| doc.dereference(d))
                    .and_then(|(_, d)| d.as_dict())
                    .is_ok_and(|fd| {
                        [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                            .iter()
                            .any(|k| fd.get(k).is_ok())
                    });
                if !embedded {
                    p.push(format!(
                        "font {} is not embedded",
                        dict.get(b"BaseFont")
                            .ok()
                            .and_then(name_of)
                            .map(String::from_utf8_lossy)
                            .unwrap_or_default()
                    ));
                }
            }
            _ => {}
        }
    }
    p.sort();
    p.dedup();
    p
}

fn check_metadata(doc: &Document, catalog: &lopdf::Dictionary, level: PdfA, p: &mut Problems) {
    let xmp = catalog
        .get(b"Metadata")
        .and_then(|m| doc.dereference(m))
        .and_then(|(_, m)| m.as_stream())
        .map(|s| String::from_utf8_lossy(&s.content).into_owned());
    let Ok(xmp) = xmp else {
        p.push("no XMP metadata stream in the catalog".into());
        return;
    };
    if !xmp.contains(&format!("<pdfaid:part>{}</pdfaid:part>", level.part())) {
        p.push(format!("XMP: pdfaid:part is not {}", level.part()));
    }
    if !xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>") {
        p.push("XMP: pdfaid:conformance is not B".into());
    }
    // The info dictionary's title must be the XMP's dc:title.
    let info_title = doc
        .trailer
        .get(b"Info")
        .and_then(|i| doc.dereference(i))
        .and_then(|(_, i)| i.as_dict())
        .and_then(|i| i.get(b"Title"))
        .and_then(Object::as_str)
        .map(decode_text);
    if let Ok(title) = info_title {
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        if !xmp.contains(&format!("xml:lang=\"x-default\">{escaped}</rdf:li>")) {
            p.push("the info dictionary's title differs from the XMP dc:title".into());
        }
    }
}

fn check_intent(doc: &Document, catalog: &lopdf::Dictionary, p: &mut Problems) {
    let intents = catalog
        .get(b"OutputIntents")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_array());
    let ok = intents.is_ok_and(|arr| {
        arr.iter().any(|i| {
            let Ok((_, i)) = doc.dereference(i) else {
                return false;
            };
            let Ok(i) = i.as_dict() else { return false };
            let s = i.get(b"S").ok().and_then(name_of) == Some(b"GTS_PDFA1".as_slice());
            let profile = i
                .get(b"DestOutputProfile")
                .and_then(|d| doc.dereference(d))
                .and_then(|(_, d)| d.as_stream())
                .is_ok_and(|s| s.dict.get(b"N").and_then(Object::as_i64).ok() == Some(3));
            s && profile
        })
    });
    if !ok {
        p.push("no GTS_PDFA1 output intent with an embedded RGB ICC profile".into());
    }
}

fn check_image(doc: &Document, d: &lopdf::Dictionary, level: PdfA, p: &mut Problems) {
    let filters: Vec<&[u8]> = match d.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.as_slice()],
        Ok(Object::Array(a)) => a.iter().filter_map(name_of).collect(),
        _ => Vec::new(),
    };
    for f in filters {
        match f {
            b"JBIG2Decode" => p.push("a JBIG2 image (TR-RESISCAN A.SC.12 forbids it)".into()),
            b"LZWDecode" => p.push("an LZW-compressed image (PDF/A forbids LZW)".into()),
            b"JPXDecode" if level == PdfA::A1b => p.push("a JPEG 2000 image in PDF/A-1".into()),
            _ => {}
        }
    }
    if d.get(b"Interpolate")
        .and_then(Object::as_bool)
        .unwrap_or(false)
    {
        p.push("an image with /Interpolate true".into());
    }
    if level == PdfA::A1b && d.get(b"SMask").is_ok() {
        p.push("an image with a soft mask in PDF/A-1 (no transparency)".into());
    }
    let cs = d
        .get(b"ColorSpace")
        .and_then(|c| doc.dereference(c))
        .map(|x| x.1);
    let ok_cs = match cs {
        Ok(Object::Name(n)) => matches!(n.as_slice(), b"DeviceGray" | b"DeviceRGB"),
        Ok(Object::Array(a)) => a.first().and_then(name_of) == Some(b"ICCBased".as_slice()),
        // Image masks have none.
        Err(_) => d
            .get(b"ImageMask")
            .and_then(Object::as_bool)
            .unwrap_or(false),
        _ => false,
    };
    if !ok_cs {
        p.push("an image in a colour space other than DeviceGray, DeviceRGB or ICC".into());
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, else PDFDocEncoding (≈ Latin-1).
fn decode_text(b: &[u8]) -> String {
    if b.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = b[2..]
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|&c| char::from(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_eingang_writes_passes_and_the_mistakes_are_named() {
        let page = crate::ScanPage {
            image: crate::PageImage::Gray8 {
                width: 8,
                height: 8,
                data: vec![128; 64],
            },
            dpi: (72.0, 72.0),
        };
        let doc = crate::ScanPdf {
            title: "Akte <1> & Co".into(),
            language: "de".into(),
            created: "2026-11-29T00:00:00Z".into(),
            reference: "x".into(),
        };
        for level in [PdfA::A1b, PdfA::A2b, PdfA::A3b] {
            let mut w = crate::ScanWriter::new(Vec::new(), level).unwrap();
            w.add_page(&page, 0).unwrap();
            let options = crate::ScanOptions {
                level,
                ..crate::ScanOptions::default()
            };
            let pdf = w.finish(&doc, &options).unwrap();
            assert_eq!(check_pdfa(&pdf, level), Problems::new(), "{level:?}");
            // The same file claimed as another level fails on header or part.
            let other = if level == PdfA::A2b {
                PdfA::A1b
            } else {
                PdfA::A2b
            };
            assert!(!check_pdfa(&pdf, other).is_empty());
            // A JBIG2 image (same length as FlateDecode, so offsets stay right): named.
            let mut bytes = pdf.clone();
            let at = bytes
                .windows(23)
                .position(|w| w == b"/Filter /FlateDecode /L")
                .unwrap();
            bytes[at + 8..at + 20].copy_from_slice(b"/JBIG2Decode");
            let bad = check_pdfa(&bytes, level);
            assert!(bad.iter().any(|m| m.contains("JBIG2")), "{bad:?}");
        }
        let forms = crate::render_form_pdf(&crate::FormPdf {
            title: "Antrag".into(),
            subtitle: "s".into(),
            reference: "r".into(),
            footer: "f".into(),
            page_label: "Seite {n} von {m}".into(),
            created: "2026-11-29T00:00:00Z".into(),
            language: "de".into(),
            entries: vec![],
        })
        .unwrap();
        assert_eq!(check_pdfa(&forms, PdfA::A2b), Problems::new());
    }
}
