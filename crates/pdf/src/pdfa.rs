//! What makes a document PDF/A-2b, shared by every writer: XMP metadata with the PDF/A
//! identification, a matching document information dictionary, the sRGB output intent with
//! its ICC profile, and a document ID.

use crate::icc::srgb_profile;
use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};

pub(crate) struct Meta<'a> {
    pub title: &'a str,
    pub language: &'a str,
    /// ISO 8601 (`2026-11-28T14:03:00Z`).
    pub created: &'a str,
    /// Makes the document ID (with `created`).
    pub id_seed: &'a str,
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Adds the page tree (`kids` under `pages_id`), the catalog, metadata, output intent, info
/// and ID, and writes the document.
pub(crate) fn finish(
    mut pdf: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
    meta: &Meta<'_>,
) -> Result<Vec<u8>, crate::Error> {
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    pdf.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let producer = format!("Eingang {}", env!("CARGO_PKG_VERSION"));
    let xmp = xmp(meta, &producer);
    let metadata_id = pdf.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp.into_bytes(),
    ));
    let icc_id = pdf.add_object(Stream::new(dictionary! { "N" => 3 }, srgb_profile()));
    let intent_id = pdf.add_object(dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc_id,
    });
    let catalog_id = pdf.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Metadata" => metadata_id,
        "OutputIntents" => vec![Object::Reference(intent_id)],
        "Lang" => Object::string_literal(meta.language),
        "MarkInfo" => dictionary! { "Marked" => false },
    });
    let date = pdf_date(meta.created);
    let info_id = pdf.add_object(dictionary! {
        "Title" => Object::String(utf16be(meta.title), StringFormat::Literal),
        "Producer" => Object::String(utf16be(&producer), StringFormat::Literal),
        "Creator" => Object::String(utf16be(&producer), StringFormat::Literal),
        "CreationDate" => Object::string_literal(date.clone()),
        "ModDate" => Object::string_literal(date),
    });
    pdf.trailer.set("Root", catalog_id);
    pdf.trailer.set("Info", info_id);
    let id = document_id(meta);
    pdf.trailer.set(
        "ID",
        vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ],
    );
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| crate::Error::Write(e.to_string()))?;
    Ok(out)
}

/// The XMP packet: PDF/A identification and the document's title, language, dates.
fn xmp(meta: &Meta<'_>, producer: &str) -> String {
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>{created}</xmp:CreateDate>
<xmp:ModifyDate>{created}</xmp:ModifyDate>
<xmp:CreatorTool>{producer}</xmp:CreatorTool>
<pdf:Producer>{producer}</pdf:Producer>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = escape_xml(meta.title),
        lang = escape_xml(meta.language),
        created = escape_xml(meta.created),
        producer = escape_xml(producer),
    )
}

/// Text strings in the info dictionary as UTF-16BE with a byte-order mark.
fn utf16be(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}

/// `2026-11-28T14:03:00Z` → `D:20261128140300Z`.
fn pdf_date(iso: &str) -> String {
    let digits: String = iso.chars().filter(char::is_ascii_digit).take(14).collect();
    format!("D:{digits:0<14}Z")
}

/// A stable 16-byte document id from the seed and time (FNV-1a; not a security hash).
fn document_id(meta: &Meta<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    for seed in [0xcbf2_9ce4_8422_2325_u64, 0x8422_2325_cbf2_9ce4] {
        let mut h = seed;
        for b in meta.id_seed.bytes().chain(meta.created.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        out.extend(h.to_be_bytes());
    }
    out
}
