//! A seal put into a PDF as an incremental update (ISO 32000-1 12.8, PAdES): every earlier
//! byte stays as it was, a signature field (an invisible, printed, locked widget on the
//! first page) and its signature dictionary are appended with a new catalog and page, and
//! the CMS signature over the byte ranges fills the reserved `/Contents`. The update keeps
//! a PDF/A a PDF/A (ISO 19005-2 6.4.3: `ETSI.CAdES.detached`, the byte range covers the whole
//! file but the signature value).

use crate::cms::sign_detached;
use crate::token::KeySigner;
use crate::tsa::Tsa;
use crate::{Error, Result};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::fmt::Write as _;

/// What the signature dictionary says besides the signature.
#[derive(Debug, Clone, Default)]
pub struct SealInfo {
    /// Who seals (the authority, e.g. "Stadt Musterstadt, Scanstelle").
    pub name: String,
    pub reason: String,
    pub location: String,
}

/// Bytes reserved for the CMS signature (hex doubles them); a larger signature retries.
const RESERVE: usize = 12 * 1024;
/// Width of the `/ByteRange` array, patched in place.
const RANGE_WIDTH: usize = 48;

/// A sealed copy of `pdf`, and the time the timestamp service vouched for (if stamped).
pub fn seal_pdf(
    pdf: &[u8],
    info: &SealInfo,
    key: &dyn KeySigner,
    tsa: Option<&Tsa>,
) -> Result<(Vec<u8>, Option<i64>)> {
    let plan = Plan::of(pdf)?;
    let mut reserve = RESERVE;
    loop {
        let (mut out, contents) = plan.write(pdf, info, reserve)?;
        let (a, b) = contents;
        let c = out.len() - b;
        let range = format!("[0 {a} {b} {c}]");
        let at = Plan::range_at(&out, a)?;
        out[at..at + range.len()].copy_from_slice(range.as_bytes());
        let digest = crate::der_util::sha256(&[&out[..a], &out[b..]]);
        let signed = sign_detached(&digest, key, tsa)?;
        if signed.der.len() > reserve {
            reserve = signed.der.len() + 2048;
            continue;
        }
        let hex = hex::encode_upper(&signed.der);
        out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        if !key.revocation().is_empty() {
            let mut certs = vec![crate::der_util::to_der(key.certificate())?];
            for c in key.chain() {
                certs.push(crate::der_util::to_der(c)?);
            }
            out = append_dss(out, &certs, key.revocation())?;
        }
        return Ok((out, signed.timestamp));
    }
}

/// What the update changes, found in the original.
struct Plan {
    prev_xref: usize,
    size: u32,
    root: ObjectId,
    catalog: Dictionary,
    page: ObjectId,
    page_dict: Dictionary,
    info: Option<ObjectId>,
    id: Option<Vec<u8>>,
    fields: usize,
}

impl Plan {
    fn of(pdf: &[u8]) -> Result<Plan> {
        let bad = |m: &str| Error::Pdf(m.to_owned());
        let doc = Document::load_mem(pdf).map_err(|e| Error::Pdf(e.to_string()))?;
        if doc.is_encrypted() {
            return Err(bad("the PDF is encrypted"));
        }
        let prev_xref = last_startxref(pdf).ok_or_else(|| bad("no startxref"))?;
        if !pdf.get(prev_xref..).is_some_and(|t| t.starts_with(b"xref")) {
            return Err(bad(
                "the PDF uses a cross-reference stream; only PDFs with a cross-reference table can be sealed",
            ));
        }
        let (root, mut catalog) = catalog_of(&doc)?;
        let page = *doc
            .get_pages()
            .values()
            .next()
            .ok_or_else(|| bad("no pages"))?;
        let mut page_dict = doc
            .get_dictionary(page)
            .map_err(|_| bad("no first page"))?
            .clone();
        let size = doc
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0)
            .max(doc.max_id + 1);
        let field = size + 1;
        // The field joins the page's annotations and the form's fields (inline now).
        let mut annots = resolve_array(&doc, page_dict.get(b"Annots").ok());
        annots.push(Object::Reference((field, 0)));
        page_dict.set("Annots", Object::Array(annots));
        let mut form = match catalog.get(b"AcroForm") {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).cloned().unwrap_or_default(),
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        let mut fields = resolve_array(&doc, form.get(b"Fields").ok());
        let existing = fields.len();
        fields.push(Object::Reference((field, 0)));
        form.set("Fields", Object::Array(fields));
        form.set("SigFlags", Object::Integer(3));
        catalog.set("AcroForm", Object::Dictionary(form));
        let info = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
        let id = match doc.trailer.get(b"ID") {
            Ok(Object::Array(a)) => a.first().and_then(|o| o.as_str().ok()).map(<[u8]>::to_vec),
            _ => None,
        };
        Ok(Plan {
            prev_xref,
            size: size + 3,
            root,
            catalog,
            page,
            page_dict,
            info,
            id,
            fields: existing,
        })
    }

    /// The original plus the update with `reserve` bytes for the signature; returns the
    /// offsets of `<` and after `>` of `/Contents`.
    fn write(
        &self,
        pdf: &[u8],
        info: &SealInfo,
        reserve: usize,
    ) -> Result<(Vec<u8>, (usize, usize))> {
        let mut out = Vec::with_capacity(pdf.len() + 2 * reserve + 4096);
        out.extend_from_slice(pdf);
        if out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        let (sig, field, appearance) = (self.size - 3, self.size - 2, self.size - 1);
        let mut xref: Vec<(u32, u16, usize)> = Vec::new();
        // The signature dictionary.
        xref.push((sig, 0, out.len()));
        let head = format!(
            "{sig} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange {:RANGE_WIDTH$} /Contents ",
            "[0 0 0 0]"
        );
        out.extend_from_slice(head.as_bytes());
        let a = out.len();
        out.push(b'<');
        out.resize(out.len() + 2 * reserve, b'0');
        out.push(b'>');
        let b = out.len();
        let tail = format!(
            " /M {} /Name {} /Reason {} /Location {} >>\nendobj\n",
            text(&pdf_date(eingang_model::time::now_ms() / 1000)),
            text(&info.name),
            text(&info.reason),
            text(&info.location)
        );
        out.extend_from_slice(tail.as_bytes());
        // The field and its widget.
        xref.push((field, 0, out.len()));
        let name = if self.fields == 0 {
            "Siegel".to_owned()
        } else {
            format!("Siegel{}", self.fields + 1)
        };
        let f = format!(
            "{field} 0 obj\n<< /FT /Sig /T {} /V {sig} 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P {} {} R /AP << /N {appearance} 0 R >> >>\nendobj\n",
            text(&name),
            self.page.0,
            self.page.1
        );
        out.extend_from_slice(f.as_bytes());
        // An empty appearance (PDF/A-1 6.9: every form field has one).
        xref.push((appearance, 0, out.len()));
        out.extend_from_slice(
            format!("{appearance} 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\n").as_bytes(),
        );
        for (id, dict) in [(self.root, &self.catalog), (self.page, &self.page_dict)] {
            xref.push((id.0, id.1, out.len()));
            out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
            write_object(&mut out, &Object::Dictionary(dict.clone()))?;
            out.extend_from_slice(b"\nendobj\n");
        }
        let mut trailer = format!(
            "/Size {} /Root {} {} R",
            self.size, self.root.0, self.root.1
        );
        if let Some(i) = self.info {
            let _ = write!(trailer, " /Info {} {} R", i.0, i.1);
        }
        if let Some(id) = &self.id {
            let new = crate::der_util::sha256(&[id, &out[out.len().saturating_sub(4096)..]]);
            let _ = write!(
                trailer,
                " /ID [<{}> <{}>]",
                hex::encode(id),
                hex::encode(&new[..16])
            );
        }
        finish_update(&mut out, xref, &trailer, self.prev_xref);
        Ok((out, (a, b)))
    }

    /// Where the `/ByteRange` placeholder before `/Contents` at `a` starts.
    fn range_at(out: &[u8], a: usize) -> Result<usize> {
        let key = b"/ByteRange ";
        let from = a.saturating_sub(key.len() + RANGE_WIDTH + 16);
        out[from..a]
            .windows(key.len())
            .rposition(|w| w == key)
            .map(|p| from + p + key.len())
            .ok_or_else(|| Error::Pdf("lost the byte range".into()))
    }
}

/// Appends the document security store (PAdES B-LT, ISO 32000-2 12.8.4.3) as a second
/// incremental update: the certificates and the revocation answers a validator needs
/// years later, when the responder may be gone.
fn append_dss(mut pdf: Vec<u8>, certs: &[Vec<u8>], ocsps: &[Vec<u8>]) -> Result<Vec<u8>> {
    let bad = |m: &str| Error::Pdf(m.to_owned());
    let doc = Document::load_mem(&pdf).map_err(|e| Error::Pdf(e.to_string()))?;
    let prev = last_startxref(&pdf).ok_or_else(|| bad("no startxref"))?;
    let (root, mut catalog) = catalog_of(&doc)?;
    let mut next = doc.max_id + 1;
    let mut xref: Vec<(u32, u16, usize)> = Vec::new();
    let mut stream = |pdf: &mut Vec<u8>, data: &[u8], xref: &mut Vec<(u32, u16, usize)>| {
        let id = next;
        next += 1;
        xref.push((id, 0, pdf.len()));
        pdf.extend_from_slice(
            format!("{id} 0 obj\n<< /Length {} >>\nstream\n", data.len()).as_bytes(),
        );
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        Object::Reference((id, 0))
    };
    let cert_refs: Vec<Object> = certs
        .iter()
        .map(|c| stream(&mut pdf, c, &mut xref))
        .collect();
    let ocsp_refs: Vec<Object> = ocsps
        .iter()
        .map(|o| stream(&mut pdf, o, &mut xref))
        .collect();
    let dss = next;
    xref.push((dss, 0, pdf.len()));
    pdf.extend_from_slice(format!("{dss} 0 obj\n").as_bytes());
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"DSS".to_vec()));
    d.set("Certs", Object::Array(cert_refs));
    d.set("OCSPs", Object::Array(ocsp_refs));
    write_object(&mut pdf, &Object::Dictionary(d))?;
    pdf.extend_from_slice(b"\nendobj\n");
    catalog.set("DSS", Object::Reference((dss, 0)));
    xref.push((root.0, root.1, pdf.len()));
    pdf.extend_from_slice(format!("{} {} obj\n", root.0, root.1).as_bytes());
    write_object(&mut pdf, &Object::Dictionary(catalog))?;
    pdf.extend_from_slice(b"\nendobj\n");
    let mut trailer = format!("/Size {} /Root {} {} R", dss + 1, root.0, root.1);
    if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
        let _ = write!(trailer, " /Info {} {} R", info.0, info.1);
    }
    if let Ok(Object::Array(ids)) = doc.trailer.get(b"ID") {
        let text: Vec<String> = ids
            .iter()
            .filter_map(|o| o.as_str().ok())
            .map(|b| format!("<{}>", hex::encode(b)))
            .collect();
        let _ = write!(trailer, " /ID [{}]", text.join(" "));
    }
    finish_update(&mut pdf, xref, &trailer, prev);
    Ok(pdf)
}

/// Ends an incremental update: its cross-reference section (one subsection per object),
/// the trailer (`entries` and `/Prev`), `startxref` and `%%EOF`.
fn finish_update(out: &mut Vec<u8>, mut xref: Vec<(u32, u16, usize)>, entries: &str, prev: usize) {
    xref.sort_unstable();
    let at = out.len();
    let mut x = String::from("xref\n");
    for (id, generation, off) in &xref {
        let _ = write!(x, "{id} 1\n{off:010} {generation:05} n\r\n");
    }
    let _ = write!(
        x,
        "trailer\n<< {entries} /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n"
    );
    out.extend_from_slice(x.as_bytes());
}

/// The catalog's id and a copy of it, to change in an update.
fn catalog_of(doc: &Document) -> Result<(ObjectId, Dictionary)> {
    let none = || Error::Pdf("no catalog".into());
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| none())?;
    let catalog = doc.get_dictionary(root).map_err(|_| none())?.clone();
    Ok((root, catalog))
}

/// The offset after the file's last `startxref`.
fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let tail = &pdf[pdf.len().saturating_sub(2048)..];
    let key = b"startxref";
    let p = tail.windows(key.len()).rposition(|w| w == key)?;
    let rest = std::str::from_utf8(&tail[p + key.len()..]).ok()?;
    rest.split_whitespace().next()?.parse().ok()
}

/// An array, given inline or by reference; empty when absent.
fn resolve_array(doc: &Document, o: Option<&Object>) -> Vec<Object> {
    match o {
        Some(Object::Array(a)) => a.clone(),
        Some(Object::Reference(r)) => doc
            .get_object(*r)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A PDF text string: UTF-16BE with its byte order mark, as hex.
fn text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// A PDF date (`D:YYYYMMDDHHmmSS+00'00'`) of seconds since 1970.
fn pdf_date(secs: i64) -> String {
    let t = crate::der_util::rfc3339(secs);
    let digits: String = t.chars().filter(char::is_ascii_digit).take(14).collect();
    format!("D:{digits}+00'00'")
}

/// Writes a direct object (a dictionary of the catalog or a page: never a stream).
fn write_object(out: &mut Vec<u8>, o: &Object) -> Result<()> {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r}").as_bytes()),
        Object::Name(n) => {
            out.push(b'/');
            for &c in n {
                if b" \t\n\r\x0C()<>[]{}/%#".contains(&c) || !(33..=126).contains(&c) {
                    out.extend_from_slice(format!("#{c:02X}").as_bytes());
                } else {
                    out.push(c);
                }
            }
        }
        Object::String(bytes, _) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(bytes).as_bytes());
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => {
            out.extend_from_slice(b"<<");
            for (k, v) in d {
                write_object(out, &Object::Name(k.clone()))?;
                out.push(b' ');
                write_object(out, v)?;
            }
            out.extend_from_slice(b" >>");
        }
        Object::Reference(r) => out.extend_from_slice(format!("{} {} R", r.0, r.1).as_bytes()),
        Object::Stream(_) => {
            return Err(Error::Pdf(
                "a stream inside a catalog or page dictionary".into(),
            ))
        }
    }
    Ok(())
}
