//! The one error that crosses the IPC boundary: `{code, message, field}`.

use eingang_model::BoundaryError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{}: {}", .0.code, .0.message)]
pub struct AppError(pub BoundaryError);

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self(BoundaryError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        })
    }

    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.0.field = Some(field.to_owned());
        self
    }
}

impl From<eingang_store::Error> for AppError {
    fn from(e: eingang_store::Error) -> Self {
        // Codes and messages only: store messages never contain what the user typed.
        tracing::warn!(code = e.code(), "command failed");
        Self(BoundaryError {
            code: e.code().to_owned(),
            message: e.to_string(),
            field: e.field().map(str::to_owned),
        })
    }
}

impl From<eingang_update::UpdateError> for AppError {
    fn from(e: eingang_update::UpdateError) -> Self {
        tracing::warn!(code = e.code, "update failed");
        Self::new(e.code, e.message)
    }
}

impl From<eingang_model::IdError> for AppError {
    fn from(e: eingang_model::IdError) -> Self {
        Self::new("input.bad_id", e.to_string())
    }
}

impl From<eingang_api::Error> for AppError {
    fn from(e: eingang_api::Error) -> Self {
        // Codes and messages only: no message below the boundary carries what the user typed.
        tracing::warn!(code = e.code(), "command failed");
        Self(BoundaryError {
            code: e.code().to_owned(),
            message: e.to_string(),
            field: e.field().map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    /// Every code the engine's typed errors can carry has a sentence in German and English:
    /// the UI translates codes and never shows an untranslated one.
    #[test]
    fn every_engine_error_code_has_a_german_and_an_english_text() {
        let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/i18n");
        for lang in ["de", "en"] {
            let catalogue =
                std::fs::read_to_string(ui.join(format!("{lang}.ts"))).unwrap_or_default();
            let missing: Vec<&&str> = eingang_capture::ERROR_CODES
                .iter()
                .chain(eingang_api::error::CODES)
                .chain(eingang_api::error::SEAL_CODES)
                .chain(eingang_api::error::MAIL_CODES)
                .chain(eingang_api::error::TEAM_CODES)
                .filter(|code| !catalogue.contains(&format!("'error.{code}'")))
                .collect();
            assert!(missing.is_empty(), "{lang}.ts lacks texts for {missing:?}");
        }
    }
}
