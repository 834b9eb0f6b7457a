//! Why a delivery failed, and what the worker does about it.

use std::time::Duration;

/// What the worker does after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Try again after a backoff (or the server's `Retry-After`).
    Transient,
    /// The target cannot be reached: offline is normal, not an error; try again later.
    Offline,
    /// Retrying cannot help (too large, name refused, a different file already there):
    /// the item waits for the user.
    Permanent,
    /// The target refused the credentials: pause the target and tell the user.
    Auth,
}

/// A failed delivery or probe: a stable code (`sync.*`, worded by the UI), the technical
/// detail in English (URLs without credentials, never personal data), and how to go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{code}] {detail}")]
pub struct Failure {
    pub kind: Kind,
    pub code: &'static str,
    pub detail: String,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn new(kind: Kind, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn transient(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Kind::Transient, code, detail)
    }

    pub fn offline(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Kind::Offline, code, detail)
    }

    pub fn permanent(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Kind::Permanent, code, detail)
    }

    pub fn auth(detail: impl Into<String>) -> Self {
        Self::new(Kind::Auth, "sync.auth_refused", detail)
    }

    #[must_use]
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// Retrying cannot fix it: the item waits for the user.
    pub fn is_permanent(&self) -> bool {
        self.kind == Kind::Permanent
    }
}

/// The codes a failure can carry (the UI has a sentence for each; a test checks).
pub const CODES: &[&str] = &[
    "sync.offline",
    "sync.dns",
    "sync.not_found",
    "sync.timeout",
    "sync.connection_lost",
    "sync.tls",
    "sync.captive_portal",
    "sync.redirected",
    "sync.auth_refused",
    "sync.rate_limited",
    "sync.unavailable",
    "sync.server_error",
    "sync.server_full",
    "sync.too_large",
    "sync.name_rejected",
    "sync.conflict",
    "sync.protocol",
    "sync.local_missing",
    "sync.folder_unwritable",
    "sync.credentials_missing",
    // Not a failure of a delivery: the DMS disowned its receipt (`eingang outbox redeliver`).
    "sync.receipt_void",
];

#[cfg(test)]
mod tests {
    /// The UI words every failure code in German and English (the reason the user sees).
    #[test]
    fn every_code_has_a_sentence_in_both_languages() {
        for lang in ["de", "en"] {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/i18n/");
            let text = std::fs::read_to_string(format!("{path}{lang}.ts")).unwrap_or_default();
            for code in super::CODES {
                assert!(
                    text.contains(&format!("'error.{code}':")),
                    "{lang}.ts has no sentence for {code}"
                );
            }
        }
    }
}
