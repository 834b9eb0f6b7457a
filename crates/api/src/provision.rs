//! What the administrator provides centrally, taken into the station's store at start:
//! master data (`[masterdata] source`) and scan profiles (`[scan] profiles`). A file is
//! imported only when its content changed since the last import (its SHA-256 is kept in
//! the preferences); a broken file changes nothing and is named with every error.

use crate::error::Error;
use eingang_capture::profile;
use eingang_capture::profile::ScanProfile;
use eingang_store::tables::preferences;
use eingang_store::Store;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What happened to one central file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Imported: what it held.
    Imported(String),
    /// Same content as at the last import.
    Unchanged,
    /// Not imported, with every reason (the data in use stay as they were).
    Refused(Vec<String>),
}

const MASTERDATA_KEY: &str = "provision.masterdata.sha256";
const PROFILES_KEY: &str = "provision.profiles.sha256";

fn read(file: &Path) -> Result<(Vec<u8>, String), Outcome> {
    let bytes = std::fs::read(file).map_err(|e| {
        Outcome::Refused(vec![format!(
            "{}: cannot be read: {e} (the administrator's file; the data in use stay)",
            file.display()
        )])
    })?;
    let hash = hex::encode(Sha256::digest(&bytes));
    Ok((bytes, hash))
}

fn unchanged(store: &Store, key: &str, hash: &str) -> bool {
    store
        .with_conn(|c| preferences::get(c, key))
        .ok()
        .flatten()
        .is_some_and(|h| h == hash)
}

/// Imports the master data file when it changed.
pub fn masterdata(store: &Store, file: &Path) -> Outcome {
    let (bytes, hash) = match read(file) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if unchanged(store, MASTERDATA_KEY, &hash) {
        return Outcome::Unchanged;
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let record = |c: &eingang_store::Connection| preferences::set(c, MASTERDATA_KEY, &hash);
    match crate::station::import_masterdata(store, &name, &bytes, record) {
        Ok(i) => Outcome::Imported(match i.entries {
            1 => "1 entry".to_owned(),
            n => format!("{n} entries"),
        }),
        Err(Error::MasterDataInvalid { errors, .. }) => Outcome::Refused(
            errors
                .iter()
                .map(|e| format!("{}: {e}", file.display()))
                .collect(),
        ),
        Err(e) => Outcome::Refused(vec![format!("{}: {e}", file.display())]),
    }
}

/// Saves the profiles in a JSON file (a list of profiles) when it changed; one bad profile
/// refuses the whole file.
pub fn profiles(store: &Store, file: &Path) -> Outcome {
    let (bytes, hash) = match read(file) {
        Ok(r) => r,
        Err(o) => return o,
    };
    if unchanged(store, PROFILES_KEY, &hash) {
        return Outcome::Unchanged;
    }
    let list: Vec<ScanProfile> = match serde_json::from_slice(&bytes) {
        Ok(l) => l,
        Err(e) => {
            return Outcome::Refused(vec![format!(
                "{}: line {}, column {}: {e} (a JSON list of profiles as `eingang profiles list --json` prints them)",
                file.display(),
                e.line(),
                e.column()
            )])
        }
    };
    let errors: Vec<String> = list
        .iter()
        .filter_map(|p| {
            p.check()
                .err()
                .map(|e| format!("{}: profile {:?}: {e}", file.display(), p.id))
        })
        .collect();
    if !errors.is_empty() {
        return Outcome::Refused(errors);
    }
    for p in &list {
        if let Err(e) = profile::save_profile(store, p) {
            return Outcome::Refused(vec![format!("{}: profile {:?}: {e}", file.display(), p.id)]);
        }
    }
    if let Err(e) = store.with_tx(|c| preferences::set(c, PROFILES_KEY, &hash)) {
        return Outcome::Refused(vec![format!("{}: {e}", file.display())]);
    }
    Outcome::Imported(format!("{} profile(s)", list.len()))
}

/// Both central files of the configuration (master data, scan profiles), each imported
/// when it changed: `(what, Some((file, outcome)))`, or `None` where no file is configured.
pub fn central<'c>(
    store: &Store,
    cfg: &'c eingang_config::Config,
) -> [(&'static str, Option<(&'c Path, Outcome)>); 2] {
    let masterdata_file = cfg.masterdata.source.as_deref();
    let profiles_file = cfg.scan.profiles.as_deref();
    [
        (
            "master data",
            masterdata_file.map(|f| (f, masterdata(store, f))),
        ),
        (
            "scan profiles",
            profiles_file.map(|f| (f, profiles(store, f))),
        ),
    ]
}
