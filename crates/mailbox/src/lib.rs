//! Mailbox intake: the city's central postbox read over IMAP into the scan office. Every
//! message in the configured folder becomes an e-mail document of the day's mail batch (as
//! an `.eml` dropped into the app does), **exactly once**:
//!
//! 1. the message's bytes are stored as a blob and its row — account, UIDVALIDITY, UID,
//!    Message-ID, SHA-256 — written in one transaction (`state = received`);
//! 2. its pages are made from the stored bytes; the row becomes `imported`
//!    (a crash in between: the next pass removes the pages half made and makes them again);
//! 3. the message is moved to the processed folder (or flagged) on the server, then the row
//!    is `settled` (a crash in between: the next pass finds the UID known and only moves it).
//!
//! A changed UIDVALIDITY makes every UID new: a message whose Message-ID and bytes were
//! taken before is recorded as `duplicate` and moved, never imported twice. A message
//! larger than `max_message_mb` is refused unread and moved to the failed folder, named in
//! the row with the reason; a message the e-mail reader refuses goes there too. Messages
//! are handled one at a time in UID order, so memory stays bounded by the largest message,
//! and a pass that stops (network, server) resumes at the first message not recorded.

mod error;
pub mod imap;
mod pass;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{is_transient_code, MailError, CODES};
pub use imap::Connection;
pub use pass::{pass, Pass, Refusal};

use eingang_config::mailbox::{MailboxSection, Security};
use std::path::PathBuf;
use std::time::Duration;

/// A mailbox as configured, ready to connect (the password comes from the key store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `user@host:port/folder`: the name under which its messages are recorded.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub folder: String,
    /// Flag taken messages (`\Seen $Eingang`) instead of moving them.
    pub flag_only: bool,
    pub processed: String,
    pub failed: String,
    pub max_message_bytes: u64,
    pub ca_bundle: Option<PathBuf>,
    /// The limit for one step with the server.
    pub timeout: Duration,
    /// How long to wait for news between passes.
    pub interval: Duration,
}

impl Account {
    /// The account of a `[mailbox]` section, if one is configured.
    pub fn from_config(m: &MailboxSection) -> Option<Self> {
        Some(Self {
            name: m.account(),
            host: m.host.clone()?,
            port: m.port(),
            security: m.security(),
            user: m.user.clone().unwrap_or_default(),
            folder: m.folder().to_owned(),
            flag_only: m.flag_only(),
            processed: m.processed().to_owned(),
            failed: m.failed().to_owned(),
            max_message_bytes: m.max_message_bytes(),
            ca_bundle: m.ca_bundle.clone(),
            timeout: Duration::from_secs(60),
            interval: Duration::from_secs(m.interval_secs()),
        })
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The key-store name of the mailbox's password.
    pub fn secret_name(&self) -> String {
        format!("mailbox:{}", self.name)
    }
}
