use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use eingang_model::{AttachmentRef, DraftId};
use eingang_store::tables::attachments;
use tauri::ipc::{InvokeBody, Request};
use tauri::AppHandle;

pub(crate) fn header(request: &Request<'_>, name: &str) -> Result<String, AppError> {
    let raw = request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AppError::new(
                "input.missing",
                format!("the request lacks the {name} header"),
            )
        })?;
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| AppError::new("input.bad_header", format!("{name} is not UTF-8")))
}

/// The raw bytes of a request (files travel as raw IPC bodies, not JSON).
/// The `x-draft` header's draft, refused on a terminal when it is not the session's.
fn draft_header(app: &AppHandle, request: &Request<'_>) -> Result<DraftId, AppError> {
    let draft = header(request, "x-draft")?;
    crate::terminal::guard_draft(app, &draft)?;
    Ok(draft.parse()?)
}

pub(crate) fn raw_body(request: &Request<'_>) -> Result<Vec<u8>, AppError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes.clone()),
        InvokeBody::Json(_) => Err(AppError::new(
            "input.bad_body",
            "the file must be sent as raw bytes",
        )),
    }
}

/// Attaches a file to an attachment field of a draft. The file's bytes are the raw request
/// body; `x-draft`, `x-field` (the field's path) and `x-name` (the file name,
/// percent-encoded) are headers. Returns the reference the UI puts into the field's value.
#[tauri::command]
pub async fn attachment_add(
    app: AppHandle,
    request: Request<'_>,
) -> Result<AttachmentRef, AppError> {
    let (bytes, draft) = (raw_body(&request)?, draft_header(&app, &request)?);
    let (field, name) = (header(&request, "x-field")?, header(&request, "x-name")?);
    let attachment = blocking(app.store()?, move |s| {
        s.with_tx(|tx| attachments::add(tx, s.blobs(), draft, &field, &name, &bytes))
    })
    .await?;
    crate::terminal::remember_blob(&app, &attachment.blob);
    tracing::info!(draft = %draft, size = attachment.size, media = %attachment.media_type, "attachment stored");
    Ok(attachment)
}
