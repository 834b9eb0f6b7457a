use eingang_model::{catalogue, FormDefinition};

/// The forms this machine offers (the built-in catalogue until the forms issue adds more).
#[tauri::command]
pub fn forms_list() -> Vec<FormDefinition> {
    catalogue::builtin_forms()
}
