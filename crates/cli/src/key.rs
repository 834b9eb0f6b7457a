//! `eingang key status|rotate`: where the data key is, and a new one; `eingang backup`.

use eingang_store::keys::{self, Mode, Unlock};
use eingang_store::paths::DataDir;
use eingang_store::Store;
use std::io::BufRead as _;
use std::process::ExitCode;

fn describe(mode: Mode) -> &'static str {
    match mode {
        Mode::Keyring => "in the OS key store",
        Mode::Passphrase => "wrapped under a passphrase (Argon2id)",
    }
}

pub fn status(data_dir: &DataDir) -> ExitCode {
    match keys::mode(&data_dir.path) {
        Ok(Some(m)) => {
            println!(
                "{}: encrypted; the key is {}",
                data_dir.path.display(),
                describe(m)
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!(
                "{}: no key yet (made on the first start; a plain database is encrypted then)",
                data_dir.path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

/// Re-encrypts under a new key: kept in the OS key store, or with `--passphrase` wrapped
/// under a new passphrase read from standard input. The app must be closed.
pub fn rotate(data_dir: &DataDir, passphrase: bool) -> ExitCode {
    let lock = data_dir.path.join("instance.lock");
    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&lock) {
        if fs4::FileExt::try_lock(&f).is_err() {
            eprintln!(
                "error [store.in_use]: Eingang is running on {}; close it first",
                data_dir.path.display()
            );
            return ExitCode::from(2);
        }
    }
    let new = if passphrase {
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            eprintln!("error [input]: the new passphrase is read from standard input");
            return ExitCode::from(2);
        }
        let p = zeroize::Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned());
        if let Err(e) = keys::check_passphrase(&p) {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::from(2);
        }
        Unlock::Passphrase(p)
    } else {
        Unlock::Auto
    };
    let store = match Store::open(&data_dir.path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    match store.rotate_key(&new) {
        Ok(m) => {
            println!(
                "{}: re-encrypted under a new key, {}",
                data_dir.path.display(),
                describe(m)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

/// A consistent copy of the data folder into `dest` (empty or new).
pub fn backup(data_dir: &DataDir, dest: &std::path::Path) -> ExitCode {
    let store = match Store::open(&data_dir.path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    match store.backup_to(dest) {
        Ok(n) => {
            println!(
                "{}: database, key.json and {n} blob file(s) copied (encrypted as they are; in key-store mode the key stays in the key store)",
                dest.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}
