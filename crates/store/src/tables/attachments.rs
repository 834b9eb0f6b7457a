//! Attachments of drafts: the bytes go to the blob store, the draft's field value holds
//! a reference `{blob, name, media_type, size}` (see `docs/forms.md`).

use crate::blobs::BlobStore;
use crate::error::{Error, Result};
use crate::tables::{blobs, drafts, forms};
use eingang_forms::definition::{FieldKind, Item};
use eingang_model::DraftId;
use rusqlite::Connection;

/// Largest single attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

pub use eingang_model::AttachmentRef;

/// The media type by content (never by file name): PDF and common image formats.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    infer::get(bytes).map(|t| t.mime_type()).filter(|m| {
        matches!(
            *m,
            "application/pdf"
                | "image/jpeg"
                | "image/png"
                | "image/tiff"
                | "image/gif"
                | "image/webp"
                | "image/heif"
        )
    })
}

fn field_at<'a>(items: &'a [Item], path: &str) -> Option<&'a eingang_forms::definition::Field> {
    // Paths of attachment fields: `key`, `group.key`, `rows[2].key` (row index ignored).
    let mut scope = items;
    let parts: Vec<&str> = path
        .split(['.', '[', ']'])
        .filter(|p| !p.is_empty() && !p.chars().all(|c| c.is_ascii_digit()))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let item = scope.iter().find(|it| match it {
            Item::Field(f) => f.key == *part,
            Item::Group(g) => g.key == *part,
            Item::Info(_) => false,
        })?;
        match item {
            Item::Field(f) if i == parts.len() - 1 => return Some(f),
            Item::Group(g) => scope = &g.items,
            _ => return None,
        }
    }
    None
}

/// Stores `bytes` as an attachment for the field at `path` of a draft: checks the size,
/// that the field is an attachment field, and that the content's type is accepted there.
/// The blob is durable before the row naming it commits (call inside `with_tx`).
pub fn add(
    conn: &Connection,
    store: &BlobStore,
    draft: DraftId,
    path: &str,
    name: &str,
    bytes: &[u8],
) -> Result<AttachmentRef> {
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    let refuse = |kind: &'static str, reason: String| Error::AttachmentRefused {
        name: name.clone(),
        reason,
        kind,
    };
    if bytes.is_empty() {
        return Err(refuse("empty", "the file is empty".into()));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(refuse(
            "too_large",
            format!(
            "it has {} MiB; at most {} MiB are accepted — scan or save it with a lower resolution",
            bytes.len() / (1024 * 1024),
            MAX_ATTACHMENT_BYTES / (1024 * 1024)
        ),
        ));
    }
    let d = drafts::get(conn, draft)?;
    let form = forms::load(conn, &d.form_id, &d.form_version)?;
    let field = field_at(&form.definition.items, path)
        .filter(|f| matches!(f.kind, FieldKind::Attachment | FieldKind::Signature))
        .ok_or_else(|| {
            refuse(
                "not_attachment_field",
                format!("'{path}' is not an attachment field of this form"),
            )
        })?;
    let media_type = sniff(bytes).ok_or_else(|| {
        refuse(
            "unknown_type",
            "its content is not a PDF or an image (JPEG, PNG, TIFF, GIF, WebP, HEIF)".into(),
        )
    })?;
    // A drawn signature is a PNG made by the app; other fields follow their `accept` list.
    let accepted = if field.kind == FieldKind::Signature {
        media_type == "image/png"
    } else {
        field.accept.is_empty()
            || field.accept.iter().any(|a| match a.strip_suffix("/*") {
                Some(prefix) => media_type.split('/').next() == Some(prefix),
                None => a == media_type,
            })
    };
    if !accepted {
        return Err(refuse(
            "type_not_accepted",
            format!(
                "it is {media_type}; this field accepts {}",
                if field.kind == FieldKind::Signature {
                    "image/png".to_owned()
                } else {
                    field.accept.join(", ")
                }
            ),
        ));
    }
    let blob = store.put(bytes)?;
    blobs::insert(conn, &blob)?;
    Ok(AttachmentRef {
        blob: blob.hash,
        name,
        media_type: media_type.to_owned(),
        size: blob.size,
    })
}
