//! What makes a document PDF/A-2b, shared by every writer: XMP metadata with the PDF/A
//! identification, a matching document information dictionary, the sRGB output intent with
//! its ICC profile, and a document ID.

use crate::icc::srgb_profile;
use lopdf::{dictionary, Document, Object, ObjectId, Stream, StringFormat};
use std::fmt::Write as _;

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
    xmp_packet(meta, producer, PdfA::A2b, &[])
}

/// The PDF/A conformance level a document is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfA {
    /// ISO 19005-1, level B (PDF 1.4).
    A1b,
    /// ISO 19005-2, level B (the default).
    #[default]
    A2b,
    /// ISO 19005-3, level B (PDF/A-2 plus embedded files of any kind).
    A3b,
}

impl PdfA {
    pub fn part(self) -> u8 {
        match self {
            Self::A1b => 1,
            Self::A2b => 2,
            Self::A3b => 3,
        }
    }
    pub(crate) fn header(self) -> &'static str {
        match self {
            Self::A1b => "1.4",
            Self::A2b | Self::A3b => "1.7",
        }
    }
    /// `1b`, `2b`, `3b` as users write it.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().trim_start_matches("pdf/a-") {
            "1b" => Some(Self::A1b),
            "2b" => Some(Self::A2b),
            "3b" => Some(Self::A3b),
            _ => None,
        }
    }
}

/// The namespace of Eingang's index fields in XMP.
pub const INDEX_NS: &str = "https://eingang.example/ns/index/1.0/";

/// A name usable as an XMP property: letters, digits, `_`; starting with a letter.
pub(crate) fn xmp_name(key: &str) -> String {
    let mut n: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n.insert(0, 'f');
    }
    n
}

/// The XMP packet for `level`, with `index` fields in Eingang's namespace, described by a
/// PDF/A extension schema so validators accept them.
pub(crate) fn xmp_packet(
    meta: &Meta<'_>,
    producer: &str,
    level: PdfA,
    index: &[(String, String)],
) -> String {
    let mut fields = String::new();
    let mut schema = String::new();
    if !index.is_empty() {
        let mut props = String::new();
        for (k, v) in index {
            let name = xmp_name(k);
            let _ = writeln!(fields, "<eingang:{name}>{}</eingang:{name}>", escape_xml(v));
            let _ = write!(
                props,
                "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>{}</pdfaProperty:description></rdf:li>",
                escape_xml(k)
            );
        }
        schema = format!(
            r#"<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>Eingang index fields</pdfaSchema:schema><pdfaSchema:namespaceURI>{INDEX_NS}</pdfaSchema:namespaceURI><pdfaSchema:prefix>eingang</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"#
        );
        fields = format!(
            "</rdf:Description>\n<rdf:Description rdf:about=\"\" xmlns:eingang=\"{INDEX_NS}\">\n{fields}"
        );
    }
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>{part}</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>{created}</xmp:CreateDate>
<xmp:ModifyDate>{created}</xmp:ModifyDate>
<xmp:CreatorTool>{producer}</xmp:CreatorTool>
<pdf:Producer>{producer}</pdf:Producer>
{fields}</rdf:Description>
{schema}</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = escape_xml(meta.title),
        lang = escape_xml(meta.language),
        created = escape_xml(meta.created),
        producer = escape_xml(producer),
        part = level.part(),
    )
}

/// Text strings in the info dictionary as UTF-16BE with a byte-order mark.
pub(crate) fn utf16be(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}

/// `2026-11-28T14:03:00Z` → `D:20261128140300Z`.
pub(crate) fn pdf_date(iso: &str) -> String {
    let digits: String = iso.chars().filter(char::is_ascii_digit).take(14).collect();
    format!("D:{digits:0<14}Z")
}

/// A stable 16-byte document id from the seed and time (FNV-1a; not a security hash).
pub(crate) fn document_id(meta: &Meta<'_>) -> Vec<u8> {
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
