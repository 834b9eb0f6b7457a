//! The data key: 32 random bytes that encrypt the database (SQLCipher: AES-256, HMAC per
//! page). Made on first start, never written to disk in the clear.
//!
//! Where it lives — `<data>/key.json` says which, and holds no secret:
//! - `keyring`: in the OS key store (Secret Service, Windows Credential Manager, macOS
//!   Keychain), service `eingang`, account `data-key@<data folder>`;
//! - `passphrase`: wrapped (XChaCha20-Poly1305) under a key derived from a passphrase with
//!   Argon2id; where no key store exists (headless machines, `EINGANG_KEYRING=off`). The
//!   passphrase is typed at start (the app asks) or given as `EINGANG_PASSPHRASE`.
//!
//! `key.json` also holds a check value (a constant sealed under the data key), so a wrong
//! passphrase or a key store entry from elsewhere is named as such, never as a damaged
//! database.

use crate::error::{Error, Result};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const KEY_FILE: &str = "key.json";
const SERVICE: &str = "eingang";
const CHECK_PLAINTEXT: &[u8] = b"eingang data key v1";
/// Argon2id cost for new passphrases: 19 MiB, 2 passes, 1 lane — OWASP's recommended
/// minimum (Password Storage Cheat Sheet), ≈ 50 ms here; stored per key file, so a later
/// default can be higher without breaking existing folders.
const M_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;

/// The data key, wiped from memory when dropped.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// SQLCipher keeps process-wide state that keying a connection changes without its own lock
/// (its private heap's counters and random generator; sqlcipher/sqlcipher#598): two
/// connections keyed at the same instant can fail with "An error occurred with PRAGMA key",
/// as a fresh store did in CI when two tests opened stores at once under load. Keying is
/// therefore one at a time in this process (it takes microseconds with a raw key).
pub(crate) fn one_keying_at_a_time<T>(f: impl FnOnce() -> T) -> T {
    static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = KEYING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f()
}

impl DataKey {
    fn random() -> Result<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *k).map_err(|e| Error::Internal {
            detail: format!("no randomness from the OS: {e}"),
        })?;
        Ok(Self(k))
    }

    fn from_slice(raw: &[u8]) -> Option<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        if raw.len() != 32 {
            return None;
        }
        k.copy_from_slice(raw);
        Some(Self(k))
    }

    /// Keys a fresh connection (the first statement on it).
    pub(crate) fn apply(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        let keyed = Zeroizing::new(format!("PRAGMA key = \"{}\";", self.pragma().as_str()));
        one_keying_at_a_time(|| conn.execute_batch(&keyed))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value for `PRAGMA key` (a raw key: SQLCipher skips its own KDF).
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(*self.0)))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Keyring,
    Passphrase,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kdf {
    alg: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    mode: Mode,
    /// `passphrase`: how the wrapping key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
    /// `passphrase`: the data key sealed under the derived key (hex: nonce ‖ ciphertext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped: Option<String>,
    /// A constant sealed under the data key (hex: nonce ‖ ciphertext).
    check: String,
}

/// How a store is unlocked.
#[derive(Debug, Clone, Default)]
pub enum Unlock {
    /// The key store, else `EINGANG_PASSPHRASE`.
    #[default]
    Auto,
    /// A passphrase the user typed.
    Passphrase(Zeroizing<String>),
}

impl Unlock {
    fn passphrase(&self) -> Option<Zeroizing<String>> {
        match self {
            Self::Passphrase(p) => Some(p.clone()),
            Self::Auto => std::env::var("EINGANG_PASSPHRASE")
                .ok()
                .filter(|p| !p.is_empty())
                .map(Zeroizing::new),
        }
    }
}

fn keyring_enabled() -> bool {
    !matches!(
        std::env::var("EINGANG_KEYRING").as_deref(),
        Ok("off" | "0" | "false")
    )
}

fn entry(dir: &Path) -> Option<keyring::Entry> {
    entry_named(dir, "data-key")
}

fn entry_named(dir: &Path, name: &str) -> Option<keyring::Entry> {
    if !keyring_enabled() {
        return None;
    }
    keyring::Entry::new(SERVICE, &format!("{name}@{}", dir.display())).ok()
}

fn seal(cipher: &XChaCha20Poly1305, plain: &[u8]) -> Result<String> {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| Error::Internal {
        detail: format!("no randomness from the OS: {e}"),
    })?;
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), plain)
        .map_err(|_| Error::Internal {
            detail: "sealing failed".into(),
        })?;
    Ok(hex::encode([nonce.as_slice(), &ct].concat()))
}

fn open_sealed(cipher: &XChaCha20Poly1305, sealed: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(24);
    cipher
        .decrypt(XNonce::from_slice(nonce), ct)
        .ok()
        .map(Zeroizing::new)
}

fn derive(passphrase: &str, kdf: &Kdf) -> Result<DataKey> {
    let salt = hex::decode(&kdf.salt).map_err(|_| Error::KeyFile {
        detail: "the salt is not hex".into(),
    })?;
    let params =
        argon2::Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32)).map_err(|e| Error::KeyFile {
            detail: format!("Argon2id parameters: {e}"),
        })?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.as_bytes(), &salt, &mut *out)
        .map_err(|e| Error::KeyFile {
            detail: format!("Argon2id: {e}"),
        })?;
    Ok(DataKey(out))
}

fn key_file(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

fn read_key_file(dir: &Path) -> Result<Option<KeyFile>> {
    let path = key_file(dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::KeyFile {
                detail: format!("{}: {e}", path.display()),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path)(e)),
    }
}

fn write_key_file(dir: &Path, kf: &KeyFile) -> Result<()> {
    let path = key_file(dir);
    let tmp = dir.join(format!("{KEY_FILE}.tmp"));
    let text = serde_json::to_string_pretty(kf).map_err(|e| Error::Internal {
        detail: e.to_string(),
    })?;
    std::fs::write(&tmp, text).map_err(Error::io(&tmp))?;
    crate::durable::sync_file(&tmp).map_err(Error::io(&tmp))?;
    crate::durable::replace(&tmp, &path).map_err(Error::io(&path))?;
    crate::durable::sync_dir(dir).map_err(Error::io(dir))?;
    Ok(())
}

/// The key of an existing key file, unlocked.
fn unlock_existing(dir: &Path, kf: &KeyFile, unlock: &Unlock) -> Result<DataKey> {
    unlock_with(dir, kf, unlock, "data-key")
}

fn unlock_with(dir: &Path, kf: &KeyFile, unlock: &Unlock, account: &str) -> Result<DataKey> {
    let key = match kf.mode {
        Mode::Keyring => {
            let e = entry_named(dir, account).ok_or_else(|| Error::KeyUnavailable {
                dir: dir.to_path_buf(),
                detail:
                    "its key is in the OS key store, which is switched off (EINGANG_KEYRING=off)"
                        .into(),
            })?;
            let hexkey = Zeroizing::new(e.get_password().map_err(|err| Error::KeyUnavailable {
                dir: dir.to_path_buf(),
                detail: format!("the OS key store has no key for it ({err})"),
            })?);
            let raw = Zeroizing::new(hex::decode(hexkey.as_str()).unwrap_or_default());
            DataKey::from_slice(&raw).ok_or_else(|| Error::KeyWrong {
                dir: dir.to_path_buf(),
            })?
        }
        Mode::Passphrase => {
            let passphrase = unlock.passphrase().ok_or_else(|| Error::PassphraseNeeded {
                dir: dir.to_path_buf(),
            })?;
            let kdf = kf.kdf.as_ref().ok_or_else(|| Error::KeyFile {
                detail: "passphrase mode without kdf".into(),
            })?;
            let kek = derive(&passphrase, kdf)?;
            let wrapped = kf.wrapped.as_deref().unwrap_or_default();
            open_sealed(&kek.cipher(), wrapped)
                .and_then(|raw| DataKey::from_slice(&raw))
                .ok_or_else(|| Error::KeyWrong {
                    dir: dir.to_path_buf(),
                })?
        }
    };
    match open_sealed(&key.cipher(), &kf.check) {
        Some(p) if p.as_slice() == CHECK_PLAINTEXT => Ok(key),
        _ => Err(Error::KeyWrong {
            dir: dir.to_path_buf(),
        }),
    }
}

/// Puts `key` where `unlock` allows (the key store first) and writes `key.json`.
fn store_new(dir: &Path, key: &DataKey, unlock: &Unlock) -> Result<Mode> {
    store_new_at(dir, dir, key, unlock, "data-key")
}

/// [`store_new`], the key file written into `file_dir`, the key store entry `account`.
fn store_new_at(
    dir: &Path,
    file_dir: &Path,
    key: &DataKey,
    unlock: &Unlock,
    account: &str,
) -> Result<Mode> {
    let check = seal(&key.cipher(), CHECK_PLAINTEXT)?;
    let typed = matches!(unlock, Unlock::Passphrase(_));
    if !typed {
        if let Some(e) = entry_named(dir, account) {
            match e.set_password(&hex::encode(*key.0)) {
                Ok(()) => {
                    write_key_file(
                        file_dir,
                        &KeyFile {
                            version: 1,
                            mode: Mode::Keyring,
                            kdf: None,
                            wrapped: None,
                            check,
                        },
                    )?;
                    return Ok(Mode::Keyring);
                }
                Err(err) => {
                    tracing::info!(error = %err, "no OS key store; the data key needs a passphrase");
                }
            }
        }
    }
    let passphrase = unlock.passphrase().ok_or_else(|| Error::PassphraseNeeded {
        dir: dir.to_path_buf(),
    })?;
    check_passphrase(&passphrase)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal {
        detail: format!("no randomness from the OS: {e}"),
    })?;
    let kdf = Kdf {
        alg: "argon2id".into(),
        m_kib: M_KIB,
        t: T_COST,
        p: 1,
        salt: hex::encode(salt),
    };
    let kek = derive(&passphrase, &kdf)?;
    let wrapped = seal(&kek.cipher(), &*key.0)?;
    write_key_file(
        file_dir,
        &KeyFile {
            version: 1,
            mode: Mode::Passphrase,
            kdf: Some(kdf),
            wrapped: Some(wrapped),
            check,
        },
    )?;
    Ok(Mode::Passphrase)
}

/// A passphrase must resist guessing even with the file in hand: at least 12 characters.
pub fn check_passphrase(p: &str) -> Result<()> {
    if p.chars().count() < 12 {
        return Err(Error::PassphraseWeak);
    }
    Ok(())
}

/// What the store needs to open `dir`: the key, and whether the database must first be
/// encrypted (a plaintext database from before encryption).
#[derive(Debug)]
pub(crate) struct Opening {
    pub key: DataKey,
    pub mode: Mode,
}

/// The key for `dir`: unlocked from `key.json`, or made now (first start, or a plaintext
/// database about to be encrypted).
pub(crate) fn for_store(dir: &Path, unlock: &Unlock) -> Result<Opening> {
    if let Some(kf) = read_key_file(dir)? {
        let key = unlock_existing(dir, &kf, unlock)?;
        return Ok(Opening { key, mode: kf.mode });
    }
    let key = DataKey::random()?;
    let mode = store_new(dir, &key, unlock)?;
    Ok(Opening { key, mode })
}

/// The key for `dir` if it has one and it can be unlocked without asking (for `doctor`).
pub fn existing(dir: &Path, unlock: &Unlock) -> Result<Option<(DataKey, Mode)>> {
    match read_key_file(dir)? {
        Some(kf) => unlock_existing(dir, &kf, unlock).map(|k| Some((k, kf.mode))),
        None => Ok(None),
    }
}

/// Where the key of `dir` is kept, if it has one.
pub fn mode(dir: &Path) -> Result<Option<Mode>> {
    Ok(read_key_file(dir)?.map(|k| k.mode))
}

const NEXT_FILE: &str = "key.json.next";

/// Stages `new` as the next key (`key.json.next`, and in the key store under
/// `data-key-next@…`) before the database is re-encrypted with it.
pub(crate) fn stage_next(dir: &Path, new: &DataKey, unlock: &Unlock) -> Result<Mode> {
    let staging = dir.join(".next");
    std::fs::create_dir_all(&staging).map_err(Error::io(&staging))?;
    let mode = store_new_at(dir, &staging, new, unlock, "data-key-next")?;
    let from = staging.join(KEY_FILE);
    let to = dir.join(NEXT_FILE);
    std::fs::rename(&from, &to).map_err(Error::io(&to))?;
    let _ = std::fs::remove_dir(&staging);
    Ok(mode)
}

/// The staged next key, if a rotation was under way.
pub(crate) fn next(dir: &Path, unlock: &Unlock) -> Result<Option<DataKey>> {
    let path = dir.join(NEXT_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let kf: KeyFile = serde_json::from_str(&text).map_err(|e| Error::KeyFile {
        detail: format!("{}: {e}", path.display()),
    })?;
    unlock_with(dir, &kf, unlock, "data-key-next").map(Some)
}

/// The database now uses the next key: it becomes the key.
pub(crate) fn promote_next(dir: &Path) -> Result<()> {
    let next = dir.join(NEXT_FILE);
    let text = std::fs::read_to_string(&next).map_err(Error::io(&next))?;
    let kf: KeyFile = serde_json::from_str(&text).map_err(|e| Error::KeyFile {
        detail: e.to_string(),
    })?;
    if kf.mode == Mode::Keyring {
        let (Some(from), Some(to)) = (entry_named(dir, "data-key-next"), entry(dir)) else {
            return Err(Error::KeyUnavailable {
                dir: dir.to_path_buf(),
                detail: "the OS key store is switched off".into(),
            });
        };
        let secret = Zeroizing::new(from.get_password().map_err(|e| Error::KeyUnavailable {
            dir: dir.to_path_buf(),
            detail: e.to_string(),
        })?);
        to.set_password(&secret)
            .map_err(|e| Error::KeyUnavailable {
                dir: dir.to_path_buf(),
                detail: e.to_string(),
            })?;
        let _ = from.delete_credential();
    } else if let Some(e) = entry(dir) {
        // The old key's entry, if it lived in the key store, goes.
        let _ = e.delete_credential();
    }
    crate::durable::replace(&next, &key_file(dir)).map_err(Error::io(&next))?;
    Ok(())
}

/// A rotation that never reached the database: its staged key goes.
pub(crate) fn drop_next(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(NEXT_FILE));
    if let Some(e) = entry_named(dir, "data-key-next") {
        let _ = e.delete_credential();
    }
}

pub(crate) fn random() -> Result<DataKey> {
    DataKey::random()
}
