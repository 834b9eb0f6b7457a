use crate::error::AppError;
use eingang_model::{catalogue, FormDefinition};

/// The forms this machine offers (the built-in catalogue until the forms issue adds more).
#[tauri::command]
pub fn forms_list() -> Result<Vec<FormDefinition>, AppError> {
    Ok(catalogue::builtin_forms())
}
