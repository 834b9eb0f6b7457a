//! The sections an administrator deploys centrally: what the machine is for (`[station]`),
//! the self-service terminal (`[terminal]`), updates (`[update]`), where master data and scan
//! profiles come from (`[masterdata]`, `[scan] profiles`), and which sections a user's own
//! file may change (`[policy]`).
//!
//! ```toml
//! [station]
//! role = "scan"              # all | scan | field | terminal (default all)
//! name = "Scanstelle Rathaus 2"
//!
//! [terminal]
//! idle_secs = 120            # no touch or key this long: the warning appears …
//! warn_secs = 30             # … and the citizen has this long to continue (≥ 20)
//! forms = ["wohngeld", "anmeldung"]   # the forms offered (default: all imported)
//! languages = ["de", "en"]   # the languages offered (default: all the app has)
//! print_receipt = false
//!
//! [update]
//! source = "https://intranet.stadt.example/eingang/latest.json"  # or a path on a share
//! pubkey = "dW50cnVzdGVkIGNvbW1lbnQ6…"  # `tauri signer generate` prints it
//! check_hours = 24
//!
//! [masterdata]
//! source = "/etc/eingang/stammdaten.csv"  # imported at start when it changed
//!
//! [policy]
//! locked = ["target", "sync"]  # a user's config.toml may not change these
//! ```

use crate::{err, ConfigError};
use eingang_model::Role;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `[station]`: the machine's role and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationSection {
    pub role: Option<Role>,
    /// The station's name in the Transfervermerk and the audit log (default: host name).
    pub name: Option<String>,
    /// Where people report accessibility barriers (an e-mail address, phone number or
    /// office), shown in the accessibility statement; default: the staff on site.
    pub accessibility_contact: Option<String>,
}

/// The languages the terminal's own texts exist in.
pub const TERMINAL_LANGUAGES: &[&str] = &["de", "en", "tr", "ar", "uk"];

/// `[terminal]`: the self-service terminal's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalSection {
    /// Seconds without input before the warning (default 120).
    pub idle_secs: Option<u64>,
    /// Seconds the warning waits for the citizen (default 30, at least 20: WCAG 2.2.1).
    pub warn_secs: Option<u64>,
    /// Form ids offered; empty: every imported form.
    #[serde(default)]
    pub forms: Vec<String>,
    /// Languages offered; empty: all of [`TERMINAL_LANGUAGES`].
    #[serde(default)]
    pub languages: Vec<String>,
    /// Print the receipt (default false: shown, with its QR code).
    pub print_receipt: Option<bool>,
    /// The CUPS queue the receipt goes to (default: the system's default printer).
    pub printer: Option<String>,
    /// The scanner citizens use (`eingang scan devices` lists the names); none: no scanning.
    pub scanner: Option<String>,
    /// The staff PIN that ends terminal mode, as an Argon2 hash (`eingang terminal pin`
    /// prints one); none: terminal mode cannot be left from the screen.
    pub staff_pin: Option<String>,
}

impl TerminalSection {
    pub fn idle_secs(&self) -> u64 {
        self.idle_secs.unwrap_or(120)
    }
    pub fn warn_secs(&self) -> u64 {
        self.warn_secs.unwrap_or(30)
    }
    /// The languages offered, in the order of [`TERMINAL_LANGUAGES`] when none are set.
    pub fn languages(&self) -> Vec<String> {
        if self.languages.is_empty() {
            TERMINAL_LANGUAGES.iter().map(|l| (*l).to_owned()).collect()
        } else {
            self.languages.clone()
        }
    }
}

/// `[update]`: where signed updates come from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSection {
    /// The manifest (`latest.json`): an `https://` URL on a server the city runs, or a
    /// path (or `file://` URL) on a share. Unset: no update checks at all.
    pub source: Option<String>,
    /// The minisign public key updates must be signed with.
    pub pubkey: Option<String>,
    /// How often to look (default 24 hours).
    pub check_hours: Option<u64>,
}

/// `[masterdata]`: organisation units and document types from a central file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterDataSection {
    /// A CSV or JSON file (the format of `eingang masterdata import`), imported at start
    /// whenever its content changed.
    pub source: Option<PathBuf>,
}

/// `[policy]`: what a user's own file may not change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    /// Sections of the user's `config.toml` that are ignored (with a warning).
    #[serde(default)]
    pub locked: Vec<String>,
}

/// Sections only the machine's file may set: a user must not change what the machine is
/// for, where its updates come from, or the policy itself.
pub const MACHINE_ONLY: &[&str] = &[
    "station",
    "update",
    "policy",
    "seal",
    "timestamp",
    "directory",
    "retention",
    "team",
];
/// Sections the policy may lock.
pub const LOCKABLE: &[&str] = &["sync", "target", "scan", "terminal", "masterdata"];

pub(crate) fn check(file: &Path, cfg: &crate::ConfigFile) -> Result<(), ConfigError> {
    if let Some(name) = &cfg.station.name {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err(err(file, "[station] name: 1–100 characters"));
        }
    }
    if let Some(c) = &cfg.station.accessibility_contact {
        if c.trim().is_empty() || c.chars().count() > 200 || c.chars().any(char::is_control) {
            return Err(err(
                file,
                "[station] accessibility_contact: 1–200 characters on one line",
            ));
        }
    }
    check_terminal(file, &cfg.terminal)?;
    let u = &cfg.update;
    match (&u.source, &u.pubkey) {
        (Some(_), None) => {
            return Err(err(
                file,
                "[update] source needs pubkey = \"…\" (updates are only taken signed)",
            ))
        }
        (None, Some(_)) => return Err(err(file, "[update] pubkey needs source = \"…\"")),
        (Some(source), Some(key)) => {
            crate::update::Source::parse(source)
                .map_err(|m| err(file, format!("[update] source: {m}")))?;
            crate::update::public_key(key)
                .map_err(|m| err(file, format!("[update] pubkey: {m}")))?;
        }
        (None, None) => {}
    }
    if u.check_hours == Some(0) {
        return Err(err(file, "[update] check_hours: at least 1"));
    }
    if let Some(s) = &cfg.masterdata.source {
        if !s.is_absolute() {
            return Err(err(
                file,
                format!("[masterdata] source {}: give an absolute path", s.display()),
            ));
        }
    }
    if let Some(l) = cfg
        .policy
        .locked
        .iter()
        .find(|l| !LOCKABLE.contains(&l.as_str()))
    {
        return Err(err(
            file,
            format!(
                "[policy] locked: {l:?} cannot be locked; choose from {} ({} are always the machine's)",
                LOCKABLE.join(", "),
                MACHINE_ONLY.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Removes from a user's file what it may not set, saying what was ignored.
pub(crate) fn restrict(
    file: &Path,
    table: &mut toml::Table,
    locked: &[String],
    warnings: &mut Vec<String>,
) {
    for key in MACHINE_ONLY {
        if table.remove(*key).is_some() {
            warnings.push(format!(
                "{}: [{key}] is ignored here; only the machine's configuration sets it",
                file.display()
            ));
        }
    }
    for key in locked {
        if table.remove(key).is_some() {
            warnings.push(format!(
                "{}: [{key}] is ignored; the administrator locked it ([policy] locked)",
                file.display()
            ));
        }
    }
}

fn check_terminal(file: &Path, t: &TerminalSection) -> Result<(), ConfigError> {
    if let Some(i) = t.idle_secs {
        if !(30..=3600).contains(&i) {
            return Err(err(
                file,
                format!("[terminal] idle_secs = {i}: between 30 and 3600 seconds"),
            ));
        }
    }
    if let Some(w) = t.warn_secs {
        if !(20..=600).contains(&w) {
            return Err(err(file, format!(
                "[terminal] warn_secs = {w}: between 20 and 600 seconds (WCAG 2.2.1 needs at least 20 to respond)"
            )));
        }
    }
    if let Some(f) = t.forms.iter().find(|f| f.trim().is_empty()) {
        return Err(err(
            file,
            format!("[terminal] forms: {f:?} is not a form id"),
        ));
    }
    if let Some(l) = t
        .languages
        .iter()
        .find(|l| !TERMINAL_LANGUAGES.contains(&l.as_str()))
    {
        return Err(err(
            file,
            format!(
                "[terminal] languages: {l:?} is not available; choose from {}",
                TERMINAL_LANGUAGES.join(", ")
            ),
        ));
    }
    if let Some(pin) = &t.staff_pin {
        argon2::PasswordHash::new(pin).map_err(|e| {
            err(
                file,
                format!("[terminal] staff_pin: not an Argon2 hash ({e}); make one with `eingang terminal pin`"),
            )
        })?;
    }
    for (key, value) in [("printer", &t.printer), ("scanner", &t.scanner)] {
        if let Some(v) = value {
            if v.trim().is_empty()
                || v.len() > 200
                || v.starts_with('-')
                || v.chars().any(char::is_control)
            {
                return Err(err(
                    file,
                    format!("[terminal] {key}: {v:?} is not a {key} name"),
                ));
            }
        }
    }
    Ok(())
}

/// Whether the environment may name other configuration files (`EINGANG_MACHINE_CONFIG`,
/// `EINGANG_CONFIG`): in debug builds (development, the tests) only. A release build takes
/// the machine's configuration from the machine's place alone — otherwise any local user
/// could replace the role, the policy, the seal or the update source and its key.
pub const ENV_OVERRIDES: bool = cfg!(debug_assertions);

/// Where the machine's file is: the platform's place (in debug builds
/// `EINGANG_MACHINE_CONFIG` may name another).
pub fn machine_file() -> PathBuf {
    if let Some(f) =
        std::env::var_os("EINGANG_MACHINE_CONFIG").filter(|f| ENV_OVERRIDES && !f.is_empty())
    {
        return PathBuf::from(f);
    }
    platform_machine_file()
}

/// Windows: `%ProgramData%\Eingang\config.toml`, the folder as the machine's registry says
/// (the Known Folders API), never from the environment: a user could point the variable at
/// a file of their own.
#[cfg(windows)]
fn platform_machine_file() -> PathBuf {
    known_folders::get_known_folder_path(known_folders::KnownFolder::ProgramData)
        .unwrap_or_else(|| PathBuf::from("C:\\ProgramData"))
        .join("Eingang")
        .join("config.toml")
}

#[cfg(not(windows))]
fn platform_machine_file() -> PathBuf {
    if cfg!(target_os = "macos") {
        return PathBuf::from("/Library/Application Support/Eingang/config.toml");
    }
    PathBuf::from(crate::MACHINE_CONFIG)
}

/// The Argon2id hash of a staff PIN, for `[terminal] staff_pin` (at least 6 digits or
/// characters; a fresh random salt each time).
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    if pin.chars().count() < 6 || pin.chars().count() > 128 {
        return Err(PinError("a staff PIN has 6 to 128 characters".into()));
    }
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| PinError(format!("salt: {e}")))?;
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError(format!("hashing: {e}")))
}

/// A staff PIN that cannot be used (or hashed), in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PinError(pub String);

/// Whether `pin` matches the configured hash (a malformed hash matches nothing).
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod pin_tests {
    use super::{hash_pin, verify_pin};

    #[test]
    fn a_staff_pin_verifies_only_itself() {
        let h = hash_pin("472913").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_pin(&h, "472913"));
        assert!(!verify_pin(&h, "472914"));
        assert!(!verify_pin("not a hash", "472913"));
        assert_ne!(h, hash_pin("472913").unwrap(), "a fresh salt each time");
        assert!(hash_pin("12345").is_err(), "too short");
    }
}
