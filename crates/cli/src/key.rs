//! `eingang key status|rotate`: where the data key is, and a new one; `eingang backup`.

use crate::out::{finish, usage, Exit};
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

/// Every failure here is about the data folder or the input (exit 2).
fn setup(e: &eingang_store::Error) -> Exit {
    usage(e.code(), e)
}

/// `eingang key status`.
pub fn status(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let dir = data_dir.path.display();
        match keys::mode(&data_dir.path).map_err(|e| setup(&e))? {
            Some(m) => println!("{dir}: encrypted; the key is {}", describe(m)),
            None => println!(
                "{dir}: no key yet (made on the first start; a plain database is encrypted then)"
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Re-encrypts under a new key: kept in the OS key store, or with `--passphrase` wrapped
/// under a new passphrase read from standard input. The app must be closed.
pub fn rotate(data_dir: &DataDir, passphrase: bool) -> ExitCode {
    finish(|| {
        refuse_while_running(data_dir)?;
        let new = if passphrase {
            Unlock::Passphrase(new_passphrase()?)
        } else {
            Unlock::Auto
        };
        let store = Store::open(&data_dir.path).map_err(|e| setup(&e))?;
        let m = store.rotate_key(&new).map_err(|e| setup(&e))?;
        println!("{}: re-encrypted, {}", data_dir.path.display(), describe(m));
        print_resealed(rotate_blobs(data_dir, new)?);
        Ok(ExitCode::SUCCESS)
    })
}

/// The blob key too: a new key, every stored file re-sealed under it (resumable: the app
/// finishes an interrupted run at its next start).
fn rotate_blobs(data_dir: &DataDir, unlock: Unlock) -> Result<Option<(usize, usize)>, Exit> {
    let opts = eingang_store::OpenOptions {
        unlock,
        ..eingang_store::OpenOptions::default()
    };
    Store::open_with(&data_dir.path, &opts)
        .and_then(|s| s.rotate_blob_key())
        .map_err(|e| setup(&e))?;
    let store = Store::open_with(&data_dir.path, &opts).map_err(|e| setup(&e))?;
    let stop = std::sync::atomic::AtomicBool::new(false);
    Ok(store.reseal_blobs(&stop)?)
}

fn print_resealed(done: Option<(usize, usize)>) {
    if let Some((resealed, current)) = done {
        println!("files: {resealed} re-sealed under a new blob key ({current} were already)");
    }
}

/// The app holds `instance.lock` while it runs: a new key now would pull the database from
/// under it.
fn refuse_while_running(data_dir: &DataDir) -> Result<(), Exit> {
    let lock = data_dir.path.join("instance.lock");
    let Ok(f) = std::fs::OpenOptions::new().write(true).open(&lock) else {
        return Ok(());
    };
    if fs4::FileExt::try_lock(&f).is_err() {
        let dir = data_dir.path.display();
        return Err(usage(
            "store.in_use",
            format!("Eingang is running on {dir}; close it first"),
        ));
    }
    Ok(())
}

fn new_passphrase() -> Result<zeroize::Zeroizing<String>, Exit> {
    let mut line = zeroize::Zeroizing::new(String::new());
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return Err(usage(
            "input",
            "the new passphrase is read from standard input",
        ));
    }
    let p = zeroize::Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned());
    keys::check_passphrase(&p).map_err(|e| setup(&e))?;
    Ok(p)
}

/// A consistent copy of the data folder into `dest` (empty or new).
pub fn backup(data_dir: &DataDir, dest: &std::path::Path) -> ExitCode {
    finish(|| {
        let store = Store::open(&data_dir.path).map_err(|e| setup(&e))?;
        let n = store.backup_to(dest).map_err(|e| setup(&e))?;
        println!(
            "{}: database, key.json and {n} blob file(s) copied (encrypted as they are; in key-store mode the key stays in the key store)",
            dest.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}
