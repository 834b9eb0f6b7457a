//! Why the team store cannot do something — each with a stable code and what to do.

/// A team-store failure.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("the team database {server} cannot be reached: {reason} — the station works on with what needs no server; it tries again by itself")]
    Unreachable { server: String, reason: String },
    #[error("the team database {server} is not trusted: {reason} — IT names the server's CA in the configuration")]
    Tls { server: String, reason: String },
    #[error("the team database {server} refused the sign-in: {reason} — check the database user and its password in the key store")]
    Login { server: String, reason: String },
    #[error("the team database is at schema version {found}; this station knows up to {known} — update Eingang on this station before it works with the team")]
    NewerSchema { found: u32, known: u32 },
    #[error("the team database {server} failed: {reason}")]
    Database { server: String, reason: String },
    #[error("this desk no longer holds the work on {item}: its claim ran out and another desk took it, or it is done — take the next piece of work")]
    NotHeld { item: String },
    #[error("page {page} was changed at another desk since this one read it — take the document again to see the change")]
    Changed { page: String },
    #[error("four-eyes: {person} scanned this batch and cannot check it — another person checks it at their desk")]
    FourEyes { person: String },
    #[error("batch {batch} was handed over to the team (or is scanned at another station): its pages change only through the queue now")]
    HandedOver { batch: String },
    #[error("the team store holds no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("the blob {hash} in the team store does not match its SHA-256 — restore the database from its backup (docs/operations.md)")]
    BlobCorrupt { hash: String },
}

impl TeamError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "team.unreachable",
            Self::Tls { .. } => "team.tls",
            Self::Login { .. } => "team.login",
            Self::NewerSchema { .. } => "team.newer_schema",
            Self::Database { .. } => "team.database",
            Self::NotHeld { .. } => "team.not_held",
            Self::Changed { .. } => "team.changed",
            Self::FourEyes { .. } => "team.four_eyes",
            Self::HandedOver { .. } => "team.handed_over",
            Self::NotFound { .. } => "team.not_found",
            Self::BlobCorrupt { .. } => "team.blob_corrupt",
        }
    }

    /// Whether it goes away by itself (the server or the network is back).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// A failed connection, named by what went wrong: the network, TLS, or the sign-in.
    pub(crate) fn from_connect(server: &str, e: &postgres::Error) -> Self {
        let reason = full(e);
        let server = server.to_owned();
        if let Some(db) = e.as_db_error() {
            // 28P01 invalid_password, 28000 invalid_authorization_specification.
            if db.code().code().starts_with("28") {
                return Self::Login { server, reason };
            }
            if passing(db.code().code()) {
                return Self::Unreachable { server, reason };
            }
            return Self::Database { server, reason };
        }
        let lower = reason.to_ascii_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            Self::Tls { server, reason }
        } else {
            Self::Unreachable { server, reason }
        }
    }

    /// A failure of a statement: a broken connection is `Unreachable`, the rest the
    /// database's answer.
    pub(crate) fn from_query(server: &str, e: &postgres::Error) -> Self {
        let reason = full(e);
        let server = server.to_owned();
        if e.is_closed()
            || (e.as_db_error().is_none() && e.code().is_none())
            || e.code().is_some_and(|c| passing(c.code()))
        {
            Self::Unreachable { server, reason }
        } else if let Some(db) = e.as_db_error().filter(|d| d.code().code() == "EG001") {
            Self::FourEyes {
                person: db
                    .message()
                    .strip_prefix("four-eyes: ")
                    .and_then(|m| m.split(" scanned").next())
                    .unwrap_or_default()
                    .to_owned(),
            }
        } else {
            Self::Database { server, reason }
        }
    }
}

/// Whether a server's answer goes away by itself: it is starting, shutting down or
/// recovering (57P01–57P03), has no connection left (53300), or let a transaction lose
/// a race it may simply repeat (40001, 40P01).
fn passing(code: &str) -> bool {
    matches!(
        code,
        "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
    )
}

/// An error with its causes, one sentence.
fn full(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s
}

/// The codes, for the texts in German and English.
pub const CODES: &[&str] = &[
    "team.unreachable",
    "team.tls",
    "team.login",
    "team.newer_schema",
    "team.database",
    "team.not_held",
    "team.changed",
    "team.four_eyes",
    "team.handed_over",
    "team.not_found",
    "team.blob_corrupt",
];
