//! `[mailbox]`: the city's central e-mail postbox read by IMAP into the scan office (the
//! day's mail batch). The password is never here: `eingang mail password` puts it into the
//! key store. Machine-wide like `[scan]`; a user's file may set it too (a one-desk office).
//!
//! ```toml
//! [mailbox]
//! host = "imap.stadt.example"
//! port = 993                        # default: 993 with security "tls", 143 with "starttls"
//! security = "tls"                  # "tls" (IMAPS) or "starttls"; never plain
//! user = "posteingang@stadt.example"
//! folder = "INBOX"                  # the folder read
//! after = "move"                    # "move" into `processed`, or "flag" (\Seen and $Eingang)
//! processed = "Eingang/Verarbeitet" # where taken messages go (made if missing)
//! failed = "Eingang/Abgelehnt"      # where refused messages go (made if missing)
//! profile = "standard"              # the scan profile for the messages' pages
//! interval_secs = 60                # how often to look when the server has no IDLE
//! max_message_mb = 100              # larger messages are refused unread
//! ca_bundle = "/etc/eingang/stadt-ca.pem"   # a CA beside the system's, for the server
//! smime_trust = ["/etc/eingang/smime-wurzeln.pem"]  # authorities for S/MIME signers
//! ```
//!
//! `smime_trust` applies to every e-mail the scan office takes in (from the mailbox, a
//! folder or a drop): a signed message's signer must lead to one of these authorities.
//! Without it, the operating system's trusted authorities are used. It may stand alone,
//! without a mailbox.

use crate::{err, ConfigError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `[mailbox]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxSection {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub user: Option<String>,
    pub folder: Option<String>,
    pub after: Option<String>,
    pub processed: Option<String>,
    pub failed: Option<String>,
    pub profile: Option<String>,
    pub interval_secs: Option<u64>,
    pub max_message_mb: Option<u64>,
    pub ca_bundle: Option<PathBuf>,
    #[serde(default)]
    pub smime_trust: Vec<PathBuf>,
}

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// IMAPS: TLS from the first byte.
    Tls,
    /// Plain IMAP upgraded by STARTTLS before anything else is said.
    StartTls,
}

impl MailboxSection {
    /// Whether a mailbox is configured at all.
    pub fn configured(&self) -> bool {
        self.host.is_some()
    }
    pub fn security(&self) -> Security {
        match self.security.as_deref() {
            Some("starttls") => Security::StartTls,
            _ => Security::Tls,
        }
    }
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security() {
            Security::Tls => 993,
            Security::StartTls => 143,
        })
    }
    pub fn folder(&self) -> &str {
        self.folder.as_deref().unwrap_or("INBOX")
    }
    /// Whether taken messages are flagged rather than moved.
    pub fn flag_only(&self) -> bool {
        self.after.as_deref() == Some("flag")
    }
    pub fn processed(&self) -> &str {
        self.processed.as_deref().unwrap_or("Eingang/Verarbeitet")
    }
    pub fn failed(&self) -> &str {
        self.failed.as_deref().unwrap_or("Eingang/Abgelehnt")
    }
    pub fn profile(&self) -> &str {
        self.profile.as_deref().unwrap_or("standard")
    }
    pub fn interval_secs(&self) -> u64 {
        self.interval_secs.unwrap_or(60)
    }
    pub fn max_message_bytes(&self) -> u64 {
        self.max_message_mb.unwrap_or(100) << 20
    }
    /// The account's name in the store and the key store: `user@host:port/folder`.
    pub fn account(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.user.as_deref().unwrap_or_default(),
            self.host.as_deref().unwrap_or_default(),
            self.port(),
            self.folder()
        )
    }
}

/// Checks `[mailbox]`, naming the key to change.
pub fn check(file: &Path, m: &MailboxSection) -> Result<(), ConfigError> {
    let at = |msg: String| Err(err(file, format!("[mailbox] {msg}")));
    for p in &m.smime_trust {
        if !p.is_absolute() {
            return at(format!(
                "smime_trust {}: give an absolute path",
                p.display()
            ));
        }
    }
    let without_trust = MailboxSection {
        smime_trust: Vec::new(),
        ..m.clone()
    };
    if without_trust == MailboxSection::default() {
        return Ok(());
    }
    match m.host.as_deref() {
        None => return at("host: the IMAP server's name is missing".into()),
        Some(h) if h.is_empty() || h.contains(['/', ' ', ':']) => {
            return at(format!(
                "host {h:?}: give the server's name only, e.g. \"imap.stadt.example\""
            ));
        }
        _ => {}
    }
    if m.user.as_deref().is_none_or(str::is_empty) {
        return at("user: the mailbox's login name is missing".into());
    }
    if let Some(s) = m
        .security
        .as_deref()
        .filter(|s| !matches!(*s, "tls" | "starttls"))
    {
        return at(format!(
            "security {s:?}: \"tls\" (IMAPS, port 993) or \"starttls\" (port 143); plain IMAP would send the password readable"
        ));
    }
    if let Some(a) = m
        .after
        .as_deref()
        .filter(|a| !matches!(*a, "move" | "flag"))
    {
        return at(format!("after {a:?}: \"move\" or \"flag\""));
    }
    if m.port == Some(0) {
        return at("port: 1–65535".into());
    }
    for (key, v) in [
        ("folder", m.folder()),
        ("processed", m.processed()),
        ("failed", m.failed()),
    ] {
        if v.is_empty() || v.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
            return at(format!(
                "{key} {v:?}: a folder name without quotes, backslashes or control characters"
            ));
        }
    }
    if !m.flag_only() && m.processed() == m.folder() {
        return at("processed: must differ from folder (messages would be read again)".into());
    }
    if m.interval_secs == Some(0) {
        return at("interval_secs: at least 1".into());
    }
    if matches!(m.max_message_mb, Some(0)) || m.max_message_mb.is_some_and(|mb| mb > 2048) {
        return at("max_message_mb: 1–2048".into());
    }
    if let Some(p) = m.ca_bundle.as_ref().filter(|p| !p.is_absolute()) {
        return at(format!("ca_bundle {}: give an absolute path", p.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MailboxSection, ConfigError> {
        let m: MailboxSection =
            toml::from_str(text).map_err(|e| err(Path::new("x"), e.to_string()))?;
        check(Path::new("x.toml"), &m).map(|()| m)
    }

    #[test]
    fn defaults_and_the_keys_that_are_refused() {
        let m = parse("host = \"imap.stadt.example\"\nuser = \"post\"").unwrap();
        assert_eq!((m.port(), m.folder(), m.flag_only()), (993, "INBOX", false));
        assert_eq!(m.account(), "post@imap.stadt.example:993/INBOX");
        let m = parse("host = \"h\"\nuser = \"u\"\nsecurity = \"starttls\"").unwrap();
        assert_eq!(m.port(), 143);
        for (text, key) in [
            ("user = \"u\"", "host"),
            ("host = \"h\"", "user"),
            (
                "host = \"h\"\nuser = \"u\"\nsecurity = \"plain\"",
                "security",
            ),
            ("host = \"h\"\nuser = \"u\"\nafter = \"delete\"", "after"),
            (
                "host = \"h\"\nuser = \"u\"\nprocessed = \"INBOX\"",
                "processed",
            ),
            (
                "host = \"h\"\nuser = \"u\"\nmax_message_mb = 0",
                "max_message_mb",
            ),
            ("host = \"imaps://h\"\nuser = \"u\"", "host"),
            (
                "host = \"h\"\nuser = \"u\"\nca_bundle = \"ca.pem\"",
                "ca_bundle",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(key), "{text}: {e}");
        }
    }
}
