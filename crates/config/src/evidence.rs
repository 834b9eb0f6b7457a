//! `[seal]` and `[timestamp]`: the electronic seal on released scan products and the
//! timestamp service (TR-RESISCAN A.IS.1). Machine-only sections: a user cannot change who
//! seals. The PIN and the service's password are never here: they live in the key store
//! (`eingang seal pin`, `eingang seal tsa-password`).
//!
//! ```toml
//! [seal]
//! module = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"  # the token's PKCS#11 module
//! token = "Siegel Scanstelle"       # the token's label
//! key = "siegel"                    # the private key's label (certificate: same label or id)
//! # or, without a token: pkcs12 = "/etc/eingang/siegel.p12"  (its password is the seal PIN)
//! name = "Stadt Musterstadt, Scanstelle"   # who seals, in every signature
//! location = "Musterstadt"
//! chain = ["/etc/eingang/siegel-ca.der"]   # issuer certificates not on the token (DER or PEM)
//! trust = ["/etc/eingang/wurzel.der"]      # trust anchors for `eingang verify`
//! justification = "…"               # protection need normal without a seal: the written reason
//!
//! [timestamp]
//! url = "https://tsa.stadt.example/tsa"    # RFC 3161
//! user = "svc-eingang"              # optional HTTP Basic user (password in the key store)
//! timeout_secs = 20
//!
//! [directory]                       # sign-in at the station with the directory password
//! url = "ldaps://dc.stadt.example"  # or ldap://… (StartTLS is then required)
//! user_dn = "uid={user},ou=people,dc=stadt,dc=example"   # AD: "{user}@stadt.example"
//! name_attribute = "cn"             # AD: "displayName"
//! ca = ["/etc/eingang/verzeichnis-ca.pem"]
//! max_failures = 5                  # then locked out for lockout_minutes
//! lockout_minutes = 15
//! ```

use crate::{err, ConfigError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `[seal]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealSection {
    pub module: Option<PathBuf>,
    /// The seal key in a PKCS#12 file instead of a token (its password: the seal PIN).
    pub pkcs12: Option<PathBuf>,
    pub token: Option<String>,
    pub key: Option<String>,
    pub name: Option<String>,
    pub location: Option<String>,
    #[serde(default)]
    pub chain: Vec<PathBuf>,
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    /// Why a profile of protection need *normal* is used without a seal (A.IS.1); shown in
    /// the Transfervermerk. A profile's own justification goes over it.
    pub justification: Option<String>,
}

impl SealSection {
    /// A seal is configured (module, token and key named, or a PKCS#12 file).
    pub fn configured(&self) -> bool {
        (self.module.is_some() && self.token.is_some() && self.key.is_some())
            || self.pkcs12.is_some()
    }
}

/// `[timestamp]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampSection {
    pub url: Option<String>,
    pub user: Option<String>,
    pub timeout_secs: Option<u64>,
}

/// `[directory]`: people sign in at the station with their directory account; typed
/// names are no longer accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorySection {
    pub url: Option<String>,
    pub user_dn: Option<String>,
    pub name_attribute: Option<String>,
    #[serde(default)]
    pub ca: Vec<PathBuf>,
    pub max_failures: Option<u32>,
    pub lockout_minutes: Option<u64>,
    pub timeout_secs: Option<u64>,
}

impl DirectorySection {
    pub fn configured(&self) -> bool {
        self.url.is_some()
    }
}

pub(crate) fn check_directory(file: &Path, d: &DirectorySection) -> Result<(), ConfigError> {
    let Some(url) = &d.url else {
        if d.user_dn.is_some() {
            return Err(err(file, "[directory] user_dn needs url"));
        }
        return Ok(());
    };
    if !url.starts_with("ldaps://") && !url.starts_with("ldap://") {
        return Err(err(
            file,
            format!("[directory] url {url:?}: ldaps://… or ldap://… (then with StartTLS)"),
        ));
    }
    if !d.user_dn.as_deref().is_some_and(|t| t.contains("{user}")) {
        return Err(err(
            file,
            "[directory] user_dn: the person's DN with {user}, e.g. \"uid={user},ou=people,dc=stadt,dc=example\" or \"{user}@stadt.example\"",
        ));
    }
    if let Some(p) = d.ca.iter().find(|p| !p.is_absolute()) {
        return Err(err(
            file,
            format!("[directory] ca {}: give an absolute path", p.display()),
        ));
    }
    if d.max_failures == Some(0) || d.lockout_minutes == Some(0) || d.timeout_secs == Some(0) {
        return Err(err(
            file,
            "[directory] max_failures, lockout_minutes and timeout_secs: at least 1",
        ));
    }
    Ok(())
}

/// The key-store names of the seal's PIN and the timestamp service's password (not valid
/// target ids, so they never collide with one).
pub const SEAL_PIN_SECRET: &str = "@seal-pin";
pub const TSA_PASSWORD_SECRET: &str = "@timestamp";

pub(crate) fn check(
    file: &Path,
    seal: &SealSection,
    ts: &TimestampSection,
) -> Result<(), ConfigError> {
    let named = [
        &seal.module.is_some(),
        &seal.token.is_some(),
        &seal.key.is_some(),
    ];
    if named.iter().any(|b| **b) && !named.iter().all(|b| **b) {
        return Err(err(
            file,
            "[seal] needs module, token and key together (the PKCS#11 module, the token's label, the key's label)",
        ));
    }
    if seal.pkcs12.is_some() && seal.module.is_some() {
        return Err(err(
            file,
            "[seal]: either a token (module, token, key) or pkcs12, not both",
        ));
    }
    if let Some(p) = seal.pkcs12.as_ref().filter(|p| !p.is_absolute()) {
        return Err(err(
            file,
            format!("[seal] pkcs12 {}: give an absolute path", p.display()),
        ));
    }
    for (what, paths) in [("chain", &seal.chain), ("trust", &seal.trust)] {
        if let Some(p) = paths.iter().find(|p| !p.is_absolute()) {
            return Err(err(
                file,
                format!("[seal] {what}: {}: give an absolute path", p.display()),
            ));
        }
    }
    if let Some(m) = seal.module.as_ref().filter(|m| !m.is_absolute()) {
        return Err(err(
            file,
            format!("[seal] module {}: give an absolute path", m.display()),
        ));
    }
    for (k, v) in [
        ("token", &seal.token),
        ("key", &seal.key),
        ("name", &seal.name),
        ("location", &seal.location),
    ] {
        if v.as_ref()
            .is_some_and(|v| v.trim().is_empty() || v.chars().count() > 200)
        {
            return Err(err(file, format!("[seal] {k}: 1–200 characters")));
        }
    }
    if seal
        .justification
        .as_ref()
        .is_some_and(|j| j.trim().chars().count() < 20)
    {
        return Err(err(
            file,
            "[seal] justification: write the reason out (at least 20 characters) — it goes into every Transfervermerk",
        ));
    }
    if let Some(url) = &ts.url {
        let u =
            url::Url::parse(url).map_err(|e| err(file, format!("[timestamp] url {url:?}: {e}")))?;
        if !matches!(u.scheme(), "http" | "https") || u.password().is_some() {
            return Err(err(
                file,
                format!("[timestamp] url {url:?}: an http(s) URL without a password (store it with `eingang seal tsa-password`)"),
            ));
        }
    } else if ts.user.is_some() {
        return Err(err(file, "[timestamp] user needs url"));
    }
    if ts.timeout_secs == Some(0) {
        return Err(err(file, "[timestamp] timeout_secs: at least 1"));
    }
    Ok(())
}
