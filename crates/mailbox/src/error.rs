//! What can go wrong with a mailbox, in words that say what to do; each with a stable code.

/// A mailbox error. `is_transient` ones (network, server busy) are retried by themselves;
/// the others need a person (a password, a certificate, a folder name).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail server {server} cannot be reached: {reason}")]
    Connect { server: String, reason: String },
    #[error("the mail server {server} did not answer in time ({what})")]
    Timeout { server: String, what: String },
    #[error("the mail server {server} is not trusted: {reason}. Give its CA in [mailbox] ca_bundle, or ask IT")]
    Tls { server: String, reason: String },
    #[error("the mail server {server} refused the login of {user}: store the right password with `eingang mail password`")]
    Login { server: String, user: String },
    #[error("no password is stored for the mailbox {user}: store it with `eingang mail password`")]
    NoPassword { user: String },
    #[error("the mail folder {folder:?} cannot be used: {reason}")]
    Folder { folder: String, reason: String },
    #[error("the mail server {server} answered unexpectedly: {reason}")]
    Protocol { server: String, reason: String },
    #[error("the connection to the mail server {server} broke off: {reason}")]
    Lost { server: String, reason: String },
    #[error("a message could not be stored on this station ({reason}); it is taken again when the station can")]
    Intake { reason: String },
    #[error(transparent)]
    Store(#[from] eingang_store::Error),
}

impl MailError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Connect { .. } => "mail.connect",
            Self::Timeout { .. } => "mail.timeout",
            Self::Tls { .. } => "mail.tls",
            Self::Login { .. } => "mail.login",
            Self::NoPassword { .. } => "mail.no_password",
            Self::Folder { .. } => "mail.folder",
            Self::Protocol { .. } => "mail.protocol",
            Self::Lost { .. } => "mail.lost",
            Self::Intake { .. } => "mail.intake",
            Self::Store(e) => e.code(),
        }
    }

    /// Whether trying again later may help by itself (the network, a busy server).
    pub fn is_transient(&self) -> bool {
        is_transient_code(self.code())
    }
}

/// Whether an error with this code may go away by itself (for callers that hold the code
/// only, as `api::Error` does).
pub fn is_transient_code(code: &str) -> bool {
    matches!(
        code,
        "mail.connect" | "mail.timeout" | "mail.lost" | "mail.protocol" | "mail.intake"
    )
}

/// Every code a [`MailError`] can carry (besides the store's).
pub const CODES: &[&str] = &[
    "mail.connect",
    "mail.timeout",
    "mail.tls",
    "mail.login",
    "mail.no_password",
    "mail.folder",
    "mail.protocol",
    "mail.lost",
    "mail.intake",
];
