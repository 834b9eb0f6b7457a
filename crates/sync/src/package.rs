//! The delivery package: what a connector delivers for one outbox item — its files, the
//! metadata templates and DMS properties draw on, and the index XML that lists every file
//! with its SHA-256 and is written last as the completion marker. One builder for every
//! kind of item (submissions, scanned documents); nothing large is read into memory: blobs
//! are streamed from the blob store by the connector.

use eingang_store::blobs::{BlobSource, BlobStore};
use eingang_store::tables::documents;
use eingang_store::tables::{blobs, submissions};
use eingang_store::{Connection, Error, Result};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Where a delivered file's bytes come from: small files inline, blobs streamed from disk
/// (decrypted on the way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Inline(Vec<u8>),
    /// A blob; its name is its SHA-256, which the connector checks while sending.
    Blob(BlobSource),
}

/// One file of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub content: Content,
}

/// What a connector delivers for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: String,
    pub files: Vec<PackageFile>,
    /// `(name, value)` pairs an index template or a DMS's properties draw on: `id`, `art`,
    /// `erstellt` (RFC 3339, UTC), `jahr`, `monat`, and per kind `formular`/`version` or
    /// `titel`/`stapel`/`seiten`, the index fields and `integritaet`.
    pub metadata: Vec<(String, String)>,
    pub index_xml: String,
}

impl Package {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Total size of the files (not counting the index).
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The package of the outbox item `kind`/`id` (`submission` or `document`); `None` for a
/// kind this version cannot deliver.
pub fn build(
    conn: &Connection,
    blobs: &BlobStore,
    kind: &str,
    id: &str,
) -> Result<Option<Package>> {
    match kind {
        "submission" => submission(conn, blobs, id).map(Some),
        "document" => {
            let not_found = |_| Error::NotFound {
                what: "document",
                id: id.to_owned(),
            };
            document(conn, blobs, &id.parse().map_err(not_found)?).map(Some)
        }
        "checkpoint" => checkpoint(conn, id).map(Some),
        _ => Ok(None),
    }
}

/// A finalised form: the PDF/A, the data as JSON (and FIM XML), the attachments.
pub fn submission(conn: &Connection, blobs: &BlobStore, id: &str) -> Result<Package> {
    let row = submissions::get(conn, id)?;
    let mut files = Vec::new();
    if let Some(pdf) = &row.pdf_blob {
        files.push(from_blob(conn, blobs, format!("{id}.pdf"), pdf)?);
    }
    files.push(inline(format!("{id}.json"), row.data_json.into_bytes()));
    if let Some(xml) = row.xml {
        files.push(inline(format!("{id}.xml"), xml.into_bytes()));
    }
    let refs: Vec<serde_json::Value> =
        serde_json::from_str(&row.attachments_json).unwrap_or_default();
    for (i, a) in refs.iter().enumerate() {
        let blob = a
            .get("blob")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let ext = match a.get("media_type").and_then(serde_json::Value::as_str) {
            Some("application/pdf") => "pdf",
            Some("image/png") => "png",
            Some("image/jpeg") => "jpg",
            Some("image/tiff") => "tif",
            _ => "bin",
        };
        files.push(from_blob(
            conn,
            blobs,
            format!("{id}-anlage-{}.{ext}", i + 1),
            blob,
        )?);
    }
    let mut b = Builder::new(id, "antrag", row.created_at);
    b.meta("formular", &row.form_id);
    b.meta("version", &row.form_version);
    b.dates();
    let mut index = b.open_index(&[("formular", &row.form_id), ("version", &row.form_version)]);
    close_index(&mut index, &files);
    Ok(b.finish(files, index))
}

/// A scanned document: the PDF/A, its Transfervermerk, the index fields and the integrity
/// record.
pub fn document(
    conn: &Connection,
    blobs: &BlobStore,
    id: &eingang_model::DocumentId,
) -> Result<Package> {
    let doc = documents::document(conn, id)?;
    let id = &id.to_string();
    let mut files = vec![from_blob(conn, blobs, format!("{id}.pdf"), &doc.pdf_blob)?];
    if let Some(tv) = &doc.transfer_blob {
        files.push(from_blob(
            conn,
            blobs,
            format!("{id}.transfervermerk.xml"),
            tv,
        )?);
    }
    let mut b = Builder::new(id, "scan", doc.created_at);
    b.meta("titel", &doc.title);
    b.meta("stapel", &doc.batch_id.to_string());
    b.meta("seiten", &doc.page_ids.len().to_string());
    b.dates();
    b.metadata.extend(doc.index.iter().cloned());
    let mut index = b.open_index(&[("art", "scan"), ("titel", &doc.title)]);
    for (k, v) in &doc.index {
        let _ = writeln!(
            index,
            "  <index name=\"{}\">{}</index>",
            xml_escape(k),
            xml_escape(v)
        );
    }
    if let Some(integrity) = doc
        .integrity
        .as_deref()
        .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
    {
        let get = |k: &str| {
            integrity
                .get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
        };
        let _ = writeln!(
            index,
            "  <integritaet algorithmus=\"SHA-256\" pruefsumme=\"{}\" siegel=\"{}\"/>",
            xml_escape(get("digest")),
            xml_escape(get("sealer"))
        );
        b.meta("integritaet", get("digest"));
        // The integrity record itself and, when sealed, its detached CMS signature: the
        // DMS holds the evidence for the Transfervermerk and the index data beside the PDF.
        if let Some(seal) = integrity.get("seal").and_then(serde_json::Value::as_str) {
            use base64::Engine as _;
            files.push(inline(
                format!("{id}.integritaet.json"),
                integrity.to_string().into_bytes(),
            ));
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(seal) {
                files.push(inline(format!("{id}.integritaet.p7s"), der));
            }
        }
    }
    close_index(&mut index, &files);
    Ok(b.finish(files, index))
}

/// An anchor of the audit chain: the checkpoint as JSON and, when sealed, its detached CMS
/// signature (`.p7s`).
pub fn checkpoint(conn: &Connection, id: &str) -> Result<Package> {
    use base64::Engine as _;
    let c = eingang_store::tables::checkpoints::get(conn, id)?.ok_or_else(|| Error::NotFound {
        what: "audit checkpoint",
        id: id.to_owned(),
    })?;
    let mut files = vec![inline(format!("{id}.json"), c.body.clone().into_bytes())];
    if let Some(seal) = &c.seal {
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(seal) {
            files.push(inline(format!("{id}.p7s"), der));
        }
    }
    let mut b = Builder::new(id, "audit", c.at);
    b.meta("titel", &format!("Audit-Anker {}", c.seq));
    b.meta("sequenz", &c.seq.to_string());
    b.dates();
    let mut index = b.open_index(&[("art", "audit")]);
    let _ = writeln!(
        index,
        "  <anker sequenz=\"{}\" kopf=\"{}\"/>",
        c.seq,
        xml_escape(&c.hash)
    );
    close_index(&mut index, &files);
    Ok(b.finish(files, index))
}

/// What every package shares: id, kind and creation time in the metadata and the index.
struct Builder {
    id: String,
    created: String,
    metadata: Vec<(String, String)>,
}

impl Builder {
    fn new(id: &str, kind: &str, created_at: i64) -> Self {
        let created = eingang_store::rfc3339_utc(created_at);
        let metadata = vec![
            ("id".to_owned(), id.to_owned()),
            ("art".to_owned(), kind.to_owned()),
        ];
        Self {
            id: id.to_owned(),
            created,
            metadata,
        }
    }

    fn meta(&mut self, key: &str, value: &str) {
        self.metadata.push((key.to_owned(), value.to_owned()));
    }

    /// `<eingang-lieferung id=… {attrs} erstellt=…>`.
    fn open_index(&self, attrs: &[(&str, &str)]) -> String {
        let mut index = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<eingang-lieferung id=\"{}\"",
            xml_escape(&self.id)
        );
        for (k, v) in attrs {
            let _ = write!(index, " {k}=\"{}\"", xml_escape(v));
        }
        let _ = writeln!(index, " erstellt=\"{}\">", xml_escape(&self.created));
        index
    }

    /// `erstellt`, `jahr`, `monat` (before any index field, so those names keep their
    /// meaning for templates).
    fn dates(&mut self) {
        let c = self.created.clone();
        self.meta("erstellt", &c);
        self.meta("jahr", &c[..4]);
        self.meta("monat", &c[5..7]);
    }

    fn finish(self, files: Vec<PackageFile>, index_xml: String) -> Package {
        Package {
            id: self.id,
            files,
            metadata: self.metadata,
            index_xml,
        }
    }
}

/// Ends a delivery index: one `<datei>` per file with its SHA-256 and size.
fn close_index(index: &mut String, files: &[PackageFile]) {
    for f in files {
        let _ = writeln!(
            index,
            "  <datei name=\"{}\" sha256=\"{}\" bytes=\"{}\"/>",
            xml_escape(&f.name),
            f.sha256,
            f.size
        );
    }
    index.push_str("</eingang-lieferung>\n");
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A small file held in memory.
pub fn inline(name: String, bytes: Vec<u8>) -> PackageFile {
    PackageFile {
        name,
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        content: Content::Inline(bytes),
    }
}

fn from_blob(
    conn: &Connection,
    store: &BlobStore,
    name: String,
    hash: &str,
) -> Result<PackageFile> {
    let source = store.source(hash)?;
    let size = match blobs::get(conn, hash)? {
        Some(b) => u64::try_from(b.size).unwrap_or(0),
        None => std::fs::metadata(&source.path)
            .map_err(|e| Error::Io {
                path: source.path.clone(),
                source: e,
            })?
            .len(),
    };
    Ok(PackageFile {
        name,
        sha256: hash.to_owned(),
        size,
        content: Content::Blob(source),
    })
}
