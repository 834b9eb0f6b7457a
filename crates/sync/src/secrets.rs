//! Target passwords: never in configuration files or logs.
//!
//! First choice: the OS key store (`keyring`: Secret Service on Linux, Windows Credential
//! Manager, macOS Keychain), service `eingang`, account `<target>@<data folder>` so that two
//! data folders on one machine keep their own. Where there is none (a headless Linux machine
//! has no Secret Service) or `EINGANG_KEYRING=off`, the store's `credentials` table — inside
//! the database that the security issue encrypts with SQLCipher — is the fallback.

use eingang_store::tables::credentials;
use eingang_store::Store;

/// Where a password was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The operating system's key store.
    Os,
    /// The store's credentials table.
    Store,
}

const SERVICE: &str = "eingang";

fn os_enabled() -> bool {
    !matches!(
        std::env::var("EINGANG_KEYRING").as_deref(),
        Ok("off" | "0" | "false")
    )
}

fn entry(store: &Store, target: &str) -> Option<keyring::Entry> {
    if !os_enabled() {
        return None;
    }
    let account = format!("{target}@{}", store.data_dir().display());
    keyring::Entry::new(SERVICE, &account).ok()
}

pub fn password(store: &Store, target: &str) -> eingang_store::Result<Option<String>> {
    if let Some(e) = entry(store, target) {
        match e.get_password() {
            Ok(pw) => return Ok(Some(pw)),
            Err(keyring::Error::NoEntry) => {}
            Err(err) => tracing::debug!(error = %err, "OS key store not usable; using the store"),
        }
    }
    store.with_conn(|c| credentials::get(c, target))
}

/// Stores `secret` for `target` (the OS key store if it works, else the store) and lifts the
/// target's pause.
pub fn set_password(store: &Store, target: &str, secret: &str) -> eingang_store::Result<Backend> {
    let in_os = entry(store, target).is_some_and(|e| match e.set_password(secret) {
        Ok(()) => true,
        Err(err) => {
            tracing::info!(error = %err, "OS key store not usable; the password goes into the store");
            false
        }
    });
    store.with_tx(|tx| {
        if in_os {
            // One place only: an old copy in the store would outlive a change.
            credentials::delete(tx, target)?;
        } else {
            credentials::set(tx, target, secret)?;
        }
        // New credentials lift a pause caused by refused ones.
        eingang_store::tables::sync_status::resume(tx, target)
    })?;
    Ok(if in_os { Backend::Os } else { Backend::Store })
}

pub fn forget_password(store: &Store, target: &str) -> eingang_store::Result<()> {
    if let Some(e) = entry(store, target) {
        let _ = e.delete_credential();
    }
    store.with_conn(|c| credentials::delete(c, target))
}
