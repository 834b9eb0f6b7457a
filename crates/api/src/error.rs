//! The use cases' error: what went wrong below (typed, with the lower crate's stable code),
//! or what is wrong with the caller's input (a code of its own and, where one is to blame,
//! the field). The shell turns it into `{code, message, field}`; the CLI prints
//! `error [code]: message`.

use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] eingang_store::Error),
    #[error(transparent)]
    Capture(#[from] eingang_capture::CaptureError),
    #[error(transparent)]
    Batch(#[from] eingang_capture::BatchError),
    #[error(transparent)]
    Config(#[from] eingang_config::ConfigError),
    #[error(transparent)]
    Seal(#[from] eingang_seal::Error),
    #[error("the draft cannot be finalised yet: {count} entry/entries still need attention")]
    DraftIncomplete { count: usize },
    #[error("the PDF/A rendering could not be made ({detail}); the draft was kept")]
    Render { detail: String },
    /// A master-data file with errors (every one named; nothing was imported).
    #[error("{file}: {}; nothing was imported", errors.iter().take(20).cloned().collect::<Vec<_>>().join("; "))]
    MasterDataInvalid { file: String, errors: Vec<String> },
    /// The caller's input: a code of its own (`input.…`, `scan.…`), the field to blame.
    #[error("{message}")]
    Input {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// A step a lower crate refused with a reason it states in words (the code says which
    /// step).
    #[error("{message}")]
    Refused {
        code: Cow<'static, str>,
        message: String,
    },
    /// A background task died (a bug, never the user's doing).
    #[error("background task failed: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn input(code: &'static str, message: impl Into<String>) -> Self {
        Self::Input {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn refused(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::Refused {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Names the input field the error is about.
    #[must_use]
    pub fn at(self, field: &'static str) -> Self {
        match self {
            Self::Input { code, message, .. } => Self::Input {
                code,
                message,
                field: Some(field),
            },
            other => other,
        }
    }

    /// The stable code the UI translates.
    pub fn code(&self) -> &str {
        match self {
            Self::Store(e) => e.code(),
            Self::Capture(e) => e.code(),
            Self::Batch(e) => e.code(),
            Self::Config(_) => "config.invalid",
            Self::Seal(e) => e.code(),
            Self::DraftIncomplete { .. } => "draft.incomplete",
            Self::MasterDataInvalid { .. } => "masterdata.invalid",
            Self::Render { .. } => "submission.render_failed",
            Self::Input { code, .. } => code,
            Self::Refused { code, .. } => code,
            Self::Internal(_) => "app.internal",
        }
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Store(e) => e.field(),
            Self::Batch(e) => e.field(),
            Self::Input { field, .. } => *field,
            _ => None,
        }
    }
}

impl From<eingang_model::IdError> for Error {
    fn from(e: eingang_model::IdError) -> Self {
        Self::input("input.bad_id", e.to_string())
    }
}

/// The codes of this crate's own variants (the input codes are the commands'); with
/// [`eingang_capture::ERROR_CODES`] what the UI must have a text for (the shell's tests hold
/// them against the catalogues).
pub const CODES: &[&str] = &[
    "config.invalid",
    "draft.incomplete",
    "submission.render_failed",
    "masterdata.invalid",
    "app.internal",
    "input.bad_id",
    "seal.no_pin",
    "seal.certificate_file",
    "verify.read",
    "document.purged",
    "store.disk_floor",
    "sync.receipt_purged",
    "sync.in_flight",
    "mail.not_configured",
    "team.not_configured",
    "team.no_password",
    "team.no_role",
    "team.no_verdict",
    "team.not_released",
];

/// The seal's and the timestamp service's codes (the UI has a sentence for each too).
pub use eingang_seal::CODES as SEAL_CODES;

/// The mailbox's codes (the UI has a sentence for each too).
pub use eingang_mailbox::CODES as MAIL_CODES;

/// The team store's codes (the UI has a sentence for each too).
pub use eingang_team::CODES as TEAM_CODES;
