//! `[team]`: this station as part of the scan office's team, sharing its work through the
//! city's PostgreSQL (machine file only — IT decides which station does what). The
//! password is never here: `eingang team password` puts it into the key store.
//!
//! ```toml
//! [team]
//! host = "db.stadt.example"
//! port = 5432                         # default 5432
//! database = "scanstelle"
//! user = "eingang_scan1"              # one database role per station
//! ca_bundle = "/etc/eingang/db-ca.pem" # the CA of the server's certificate (TLS is required)
//! roles = ["capture", "index"]        # capture, index, check, release, deliver
//! claim_secs = 900                    # how long a desk holds work it took (default 15 min)
//! ```

use crate::{err, ConfigError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The roles a station may have in the team.
pub const ROLES: &[&str] = &["capture", "index", "check", "release", "deliver"];

/// `[team]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSection {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub user: Option<String>,
    pub ca_bundle: Option<PathBuf>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// How long a desk holds work it took before another desk may take it (seconds,
    /// 10–86,400; default 900).
    pub claim_secs: Option<u64>,
}

impl TeamSection {
    /// Whether this station is part of a team.
    pub fn configured(&self) -> bool {
        self.host.is_some()
    }
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(5432)
    }
    /// How long a desk holds work it took.
    pub fn claim_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.claim_secs.unwrap_or(900))
    }
    /// Whether the station has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// Checks `[team]`, naming the key to change.
pub fn check(file: &Path, t: &TeamSection) -> Result<(), ConfigError> {
    if *t == TeamSection::default() {
        return Ok(());
    }
    let at = |msg: String| Err(err(file, format!("[team] {msg}")));
    match t.host.as_deref() {
        None => return at("host: the database server's name is missing".into()),
        Some(h) if h.is_empty() || h.contains(['/', ' ', ':', '@']) => {
            return at(format!(
                "host {h:?}: give the server's name only, e.g. \"db.stadt.example\""
            ));
        }
        _ => {}
    }
    for (key, v) in [("database", &t.database), ("user", &t.user)] {
        match v.as_deref() {
            None | Some("") => return at(format!("{key}: missing")),
            Some(v)
                if !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                return at(format!("{key} {v:?}: letters, digits, '_' and '-' only"));
            }
            _ => {}
        }
    }
    if t.port == Some(0) {
        return at("port: 1–65535".into());
    }
    if t.roles.is_empty() {
        return at(format!(
            "roles: name what this station does, some of {}",
            ROLES.join(", ")
        ));
    }
    if let Some(r) = t.roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        return at(format!("roles: {r:?} is none of {}", ROLES.join(", ")));
    }
    if let Some(n) = t.claim_secs.filter(|n| !(10..=86_400).contains(n)) {
        return at(format!("claim_secs {n}: 10 to 86400 seconds"));
    }
    if let Some(p) = t.ca_bundle.as_ref().filter(|p| !p.is_absolute()) {
        return at(format!("ca_bundle {}: give an absolute path", p.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TeamSection, ConfigError> {
        let t: TeamSection =
            toml::from_str(text).map_err(|e| err(Path::new("x"), e.to_string()))?;
        check(Path::new("x.toml"), &t).map(|()| t)
    }

    #[test]
    fn a_team_station_and_the_keys_that_are_refused() {
        let t = parse(
            "host = \"db.stadt.example\"\ndatabase = \"scanstelle\"\nuser = \"scan1\"\nroles = [\"capture\", \"index\"]",
        )
        .unwrap();
        assert_eq!(t.port(), 5432);
        assert!(t.has_role("index") && !t.has_role("check"));
        let ok = "host = \"h\"\ndatabase = \"d\"\nuser = \"u\"\nroles = [\"check\"]\n";
        for (text, key) in [
            (
                "database = \"d\"\nuser = \"u\"\nroles = [\"check\"]",
                "host",
            ),
            (
                "host = \"h\"\nuser = \"u\"\nroles = [\"check\"]",
                "database",
            ),
            (
                "host = \"h\"\ndatabase = \"d\"\nroles = [\"check\"]",
                "user",
            ),
            ("host = \"h\"\ndatabase = \"d\"\nuser = \"u\"", "roles"),
            (&format!("{ok}port = 0"), "port"),
            (&format!("{ok}claim_secs = 5"), "claim_secs"),
            (
                "host = \"h\"\ndatabase = \"d\"\nuser = \"u\"\nroles = [\"chef\"]",
                "roles",
            ),
            (
                "host = \"postgres://h\"\ndatabase = \"d\"\nuser = \"u\"\nroles = [\"check\"]",
                "host",
            ),
            (
                "host = \"h\"\ndatabase = \"d; DROP\"\nuser = \"u\"\nroles = [\"check\"]",
                "database",
            ),
            (&format!("{ok}ca_bundle = \"ca.pem\""), "ca_bundle"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(&format!("[team] {key}")), "{text}: {e}");
        }
    }
}
