//! The `submissions` table: finalised drafts. A submission is written, its outbox row too,
//! and the draft removed — in one transaction. The table refuses updates (trigger).

use crate::blobs::BlobStore;
use crate::error::{Error, Result};
use crate::now_ms;
use crate::tables::{drafts, forms};
use eingang_forms::Today;
use eingang_model::{DraftId, SubmissionSummary};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The zero-configuration delivery target: the local folder `<data>/ausgang`.
pub const DEFAULT_TARGET: &str = "default";

/// Finalises a draft (call inside `with_tx`): validates it as complete, renders the PDF/A
/// into the blob store, writes the submission and one outbox row per delivery target, and
/// removes the draft. Nothing changes if it has issues.
pub fn finalise(
    conn: &Connection,
    blobs: &BlobStore,
    draft_id: DraftId,
    today: Today,
    targets: &[&str],
) -> Result<SubmissionSummary> {
    let draft = drafts::get(conn, draft_id)?;
    let form = forms::load(conn, &draft.form_id, &draft.form_version)?;
    let done = form
        .finalise(&draft.values, today)
        .map_err(|issues| Error::DraftIncomplete {
            count: issues.len(),
        })?;
    let data = serde_json::to_string(&done.data).map_err(|e| Error::BadRow {
        what: "draft",
        id: draft_id.to_string(),
        detail: e.to_string(),
    })?;
    let attachments = serde_json::to_string(&done.attachments).unwrap_or_else(|_| "[]".into());
    let sha256 = hex::encode(Sha256::digest(data.as_bytes()));
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let pdf =
        crate::render::submission_pdf(&form.definition, &done.data, &id, now).map_err(|e| {
            Error::Render {
                detail: e.to_string(),
            }
        })?;
    let pdf_blob = blobs.put(&pdf)?;
    crate::tables::blobs::insert(conn, &pdf_blob)?;
    conn.execute(
        "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, xml, attachments_json, sha256, created_at, pdf_blob)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![id, draft_id.to_string(), draft.form_id, draft.form_version, data, done.xml, attachments, sha256, now, pdf_blob.hash],
    )?;
    for target in targets {
        crate::tables::outbox::enqueue(conn, "submission", &id, target, now)?;
    }
    drafts::delete(conn, draft_id)?;
    Ok(SubmissionSummary {
        reference: eingang_model::draft::reference_code(&id),
        id,
        form_id: draft.form_id,
        form_version: draft.form_version,
        caption: form.caption(&done.data),
        attachments: u32::try_from(done.attachments.len()).unwrap_or(u32::MAX),
        sha256,
        delivery: "pending".into(),
        created_at: now,
    })
}

/// Every submission, newest first, with its delivery state.
pub fn list(conn: &Connection) -> Result<Vec<SubmissionSummary>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.form_id, s.form_version, s.data_json, s.attachments_json, s.sha256, s.created_at,
                coalesce((SELECT o.state FROM outbox o WHERE o.item_kind = 'submission' AND o.item_id = s.id
                          ORDER BY o.id LIMIT 1), 'pending')
         FROM submissions s ORDER BY s.created_at DESC, s.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    rows.map(|row| {
        let (id, form_id, form_version, data, attachments, sha256, created_at, delivery) = row?;
        let data: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&data).unwrap_or_default();
        let caption = forms::load(conn, &form_id, &form_version)
            .map(|f| f.caption(&data))
            .unwrap_or_default();
        let attachments =
            serde_json::from_str::<Vec<serde_json::Value>>(&attachments).map_or(0, |a| a.len());
        Ok(SubmissionSummary {
            reference: eingang_model::draft::reference_code(&id),
            id,
            form_id,
            form_version,
            caption,
            attachments: u32::try_from(attachments).unwrap_or(u32::MAX),
            sha256,
            delivery,
            created_at,
        })
    })
    .collect()
}

/// The blob name of a submission's PDF/A rendering.
pub fn pdf_blob(conn: &Connection, id: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT pdf_blob FROM submissions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Where a delivered file's bytes come from: small files inline, blobs streamed from disk
/// (decrypted on the way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Inline(Vec<u8>),
    /// A blob; its name is its SHA-256, which the connector checks while sending.
    Blob(crate::blobs::BlobSource),
}

/// One file of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub content: Content,
}

/// What a connector delivers for one item: its files, the metadata, and an index (XML)
/// describing them that is written last as the completion marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: String,
    pub files: Vec<PackageFile>,
    /// `(name, value)` pairs an index template or a DMS's properties draw on:
    /// `id`, `art`, `formular`, `version`, `erstellt` (RFC 3339, UTC), `jahr`, `monat`.
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

/// Ends a delivery index: one `<datei>` per file with its SHA-256 and size.
pub(crate) fn close_index(index: &mut String, files: &[PackageFile]) {
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

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn inline(name: String, bytes: Vec<u8>) -> PackageFile {
    PackageFile {
        name,
        sha256: hex::encode(Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        content: Content::Inline(bytes),
    }
}

pub(crate) fn from_blob(
    conn: &Connection,
    blobs: &BlobStore,
    name: String,
    hash: &str,
) -> Result<PackageFile> {
    let source = blobs.source(hash)?;
    let path = source.path.clone();
    let size: Option<i64> = conn
        .query_row("SELECT size FROM blobs WHERE hash = ?1", [hash], |r| {
            r.get(0)
        })
        .optional()?;
    let size = match size {
        Some(s) => u64::try_from(s).unwrap_or(0),
        None => std::fs::metadata(&path).map_err(Error::io(&path))?.len(),
    };
    Ok(PackageFile {
        name,
        sha256: hash.to_owned(),
        size,
        content: Content::Blob(source),
    })
}

/// Builds the delivery package of submission `id` from the store. Nothing large is read
/// into memory: the PDF and the attachments are streamed from the blob store by the
/// connector.
pub fn package(conn: &Connection, blobs: &BlobStore, id: &str) -> Result<Package> {
    let (form_id, form_version, data, xml, attachments, created_at, pdf): (
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        Option<String>,
    ) = conn
        .query_row(
            "SELECT form_id, form_version, data_json, xml, attachments_json, created_at, pdf_blob
             FROM submissions WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                what: "submission",
                id: id.to_owned(),
            },
            other => other.into(),
        })?;
    let mut files = Vec::new();
    if let Some(pdf) = pdf {
        files.push(from_blob(conn, blobs, format!("{id}.pdf"), &pdf)?);
    }
    files.push(inline(format!("{id}.json"), data.into_bytes()));
    if let Some(xml) = xml {
        files.push(inline(format!("{id}.xml"), xml.into_bytes()));
    }
    let refs: Vec<serde_json::Value> = serde_json::from_str(&attachments).unwrap_or_default();
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
    let created = crate::rfc3339_utc(created_at);
    let metadata = vec![
        ("id".to_owned(), id.to_owned()),
        ("art".to_owned(), "antrag".to_owned()),
        ("formular".to_owned(), form_id.clone()),
        ("version".to_owned(), form_version.clone()),
        ("erstellt".to_owned(), created.clone()),
        ("jahr".to_owned(), created[..4].to_owned()),
        ("monat".to_owned(), created[5..7].to_owned()),
    ];
    let mut index = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<eingang-lieferung id=\"{}\" formular=\"{}\" version=\"{}\" erstellt=\"{}\">\n",
        xml_escape(id),
        xml_escape(&form_id),
        xml_escape(&form_version),
        xml_escape(&created)
    );
    close_index(&mut index, &files);
    Ok(Package {
        id: id.to_owned(),
        files,
        metadata,
        index_xml: index,
    })
}
