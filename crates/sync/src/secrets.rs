//! Target passwords: never in configuration files or logs.
//!
//! Stored in the store's `credentials` table, inside the database that issue "Security"
//! encrypts with SQLCipher. (The OS key store — Secret Service, Windows Credential
//! Manager, Keychain — is the planned first choice; a headless Linux machine has none.)

use eingang_store::tables::credentials;
use eingang_store::Store;

pub fn password(store: &Store, target: &str) -> eingang_store::Result<Option<String>> {
    store.with_conn(|c| credentials::get(c, target))
}

pub fn set_password(store: &Store, target: &str, secret: &str) -> eingang_store::Result<()> {
    store.with_tx(|tx| {
        credentials::set(tx, target, secret)?;
        // New credentials lift a pause caused by refused ones.
        eingang_store::tables::sync_status::resume(tx, target)
    })
}

pub fn forget_password(store: &Store, target: &str) -> eingang_store::Result<()> {
    store.with_conn(|c| credentials::delete(c, target))
}
