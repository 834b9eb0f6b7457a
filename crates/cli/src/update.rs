//! `eingang update check|install`: the app's update path, for administrators and scripts.

use crate::out::{finish, Coded, Exit};
use eingang_store::paths::DataDir;
use eingang_update::{self as update, Updater};
use std::process::ExitCode;

impl Coded for update::UpdateError {
    fn code(&self) -> &str {
        self.code
    }
    /// An unreachable source is worth a later try (1); everything else needs a person (2).
    fn exit(&self) -> u8 {
        if self.code == "update.unreachable" {
            1
        } else {
            2
        }
    }
}

/// `eingang update check|install`.
pub fn run(data_dir: &DataDir, install: bool) -> ExitCode {
    finish(|| {
        let Some(updater) = updater(data_dir)? else {
            println!("updates are off: the machine's configuration has no [update] source");
            return Ok(ExitCode::SUCCESS);
        };
        let (current, rt) = (env!("CARGO_PKG_VERSION"), crate::sync::runtime());
        match rt.block_on(updater.check(current))? {
            None => println!("{current} is up to date"),
            Some(found) => offer(&rt, &updater, &found, install, &data_dir.path)?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Where the privileged step keeps the package it checks and installs (root only).
const CACHE: &str = "/var/cache/eingang/updates";

/// `eingang update apply PACKAGE` (root): the package checked again from a root-owned
/// copy against the key of the machine's own configuration, then installed.
pub fn apply(package: &std::path::Path) -> ExitCode {
    finish(|| {
        if !update::is_root() {
            let why =
                "update apply runs as root (the app and `update install` call it through pkexec)";
            return Err(update::UpdateError::new("update.install", why).into());
        }
        let cache = std::path::Path::new(CACHE);
        let version = update::apply(package, &machine_key()?, env!("CARGO_PKG_VERSION"), cache)?;
        println!("version {version} installed (checked again from {CACHE})");
        Ok(ExitCode::SUCCESS)
    })
}

/// The update key of the machine's own configuration (its place only, never a user's).
fn machine_key() -> Result<update::PublicKey, Exit> {
    let machine = eingang_config::central::machine_file();
    let cfg = eingang_config::load_files(Some(&machine), None)?;
    let text = cfg
        .update
        .pubkey
        .ok_or_else(|| crate::out::usage("config.invalid", "[update] has no pubkey"))?;
    update::public_key(&text)
        .map_err(|e| crate::out::usage("config.invalid", format!("[update] pubkey: {e}")))
}

/// The configured update source, if there is one.
fn updater(data_dir: &DataDir) -> Result<Option<Updater>, Exit> {
    let cfg = eingang_sync::load_config(&data_dir.path)?;
    Updater::new(&cfg.update)
        .map_err(|e| crate::out::usage("config.invalid", format!("[update]: {e}")))
}

/// A newer version: said, and with `install` downloaded, its signature checked, installed.
fn offer(
    rt: &tokio::runtime::Runtime,
    updater: &Updater,
    found: &update::Available,
    install: bool,
    data: &std::path::Path,
) -> Result<(), Exit> {
    println!(
        "version {} is available (this is {})",
        found.version,
        env!("CARGO_PKG_VERSION")
    );
    if install {
        let package = rt.block_on(updater.download(found, &data.join("updates")))?;
        println!("{}: signature ok", package.display());
        update::install(&package)?;
        println!("version {} installed", found.version);
    }
    Ok(())
}
