//! `eingang update check|install`: the app's update path, for administrators and scripts.

use eingang_store::paths::DataDir;
use eingang_update::{self as update, Updater};
use std::process::ExitCode;

pub fn run(data_dir: &DataDir, install: bool) -> ExitCode {
    let cfg = match eingang_sync::load_config(&data_dir.path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error [config.invalid]: {e}");
            return ExitCode::from(2);
        }
    };
    let updater = match Updater::new(&cfg.update) {
        Ok(Some(u)) => u,
        Ok(None) => {
            println!("updates are off: the machine's configuration has no [update] source");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error [config.invalid]: [update]: {e}");
            return ExitCode::from(2);
        }
    };
    let current = env!("CARGO_PKG_VERSION");
    let rt = crate::sync::runtime();
    let found = match rt.block_on(updater.check(current)) {
        Ok(Some(f)) => f,
        Ok(None) => {
            println!("{current} is up to date");
            return ExitCode::SUCCESS;
        }
        Err(e) => return refused(&e),
    };
    println!("version {} is available (this is {current})", found.version);
    if !install {
        return ExitCode::SUCCESS;
    }
    let dir = data_dir.path.join("updates");
    let package = match rt.block_on(updater.download(&found, &dir)) {
        Ok(p) => p,
        Err(e) => return refused(&e),
    };
    println!("{}: signature ok", package.display());
    match update::install(&package) {
        Ok(()) => {
            println!("version {} installed", found.version);
            ExitCode::SUCCESS
        }
        Err(e) => refused(&e),
    }
}

fn refused(e: &update::UpdateError) -> ExitCode {
    eprintln!("error [{}]: {e}", e.code);
    if e.code == "update.unreachable" {
        ExitCode::FAILURE
    } else {
        ExitCode::from(2)
    }
}
