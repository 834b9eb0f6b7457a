//! `eingang update check|install`: the app's update path, for administrators and scripts.

use crate::out::{finish, Coded};
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

pub fn run(data_dir: &DataDir, install: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_sync::load_config(&data_dir.path)?;
        let updater = Updater::new(&cfg.update)
            .map_err(|e| crate::out::usage("config.invalid", format!("[update]: {e}")))?;
        let Some(updater) = updater else {
            println!("updates are off: the machine's configuration has no [update] source");
            return Ok(ExitCode::SUCCESS);
        };
        let current = env!("CARGO_PKG_VERSION");
        let rt = crate::sync::runtime();
        let Some(found) = rt.block_on(updater.check(current))? else {
            println!("{current} is up to date");
            return Ok(ExitCode::SUCCESS);
        };
        println!("version {} is available (this is {current})", found.version);
        if install {
            let package = rt.block_on(updater.download(&found, &data_dir.path.join("updates")))?;
            println!("{}: signature ok", package.display());
            update::install(&package)?;
            println!("version {} installed", found.version);
        }
        Ok(ExitCode::SUCCESS)
    })
}
