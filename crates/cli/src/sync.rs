//! `eingang sync`: deliver what waits in the outbox (for headless machines and scripts).

use eingang_store::paths::DataDir;
use eingang_store::Store;
use eingang_sync::hotfolder::HotFolder;
use std::process::ExitCode;

pub fn run(data_dir: &DataDir) -> ExitCode {
    let store = match Store::open(&data_dir.path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    let folder = HotFolder::new(data_dir.path.join("ausgang"));
    match eingang_sync::sync_once(
        &store,
        eingang_store::tables::submissions::DEFAULT_TARGET,
        &folder,
    ) {
        Ok(r) => {
            println!(
                "{} delivered to {}, {} failed (retried later), {} waiting",
                r.delivered,
                folder.root().display(),
                r.failed,
                r.waiting
            );
            if r.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
