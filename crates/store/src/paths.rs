//! Where the data folder is: `--data-dir`, else `EINGANG_DATA_DIR`, else the platform's
//! data directory (`~/.local/share/eingang` on Linux, `%APPDATA%\Eingang\Eingang\data` on
//! Windows, `~/Library/Application Support/de.Eingang.Eingang` on macOS).

use crate::error::{Error, Result};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// The environment variable that names the data folder.
pub const ENV_DATA_DIR: &str = "EINGANG_DATA_DIR";

/// How the data folder was chosen (doctor prints it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDirSource {
    Flag,
    Env,
    Platform,
}

impl DataDirSource {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Flag => "--data-dir",
            Self::Env => ENV_DATA_DIR,
            Self::Platform => "platform default",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    pub path: PathBuf,
    pub source: DataDirSource,
}

/// Resolves the data folder from a command-line value and the process environment.
pub fn resolve_data_dir(flag: Option<PathBuf>) -> Result<DataDir> {
    resolve_with(flag, std::env::var_os(ENV_DATA_DIR), platform_data_dir)
}

/// The platform's place for the data folder: `~/.local/share/eingang` (XDG) on Linux;
/// `%LOCALAPPDATA%\Eingang` on Windows — local, never the roaming profile, which would copy
/// the database and the scans to the profile server at every sign-out.
fn platform_data_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        return directories::BaseDirs::new().map(|d| d.data_local_dir().join("Eingang"));
    }
    directories::ProjectDirs::from("de", "Eingang", "Eingang").map(|d| d.data_dir().to_path_buf())
}

/// The pure resolution rule, for tests: flag beats environment beats platform default.
/// Empty values count as unset; relative paths are made absolute.
pub fn resolve_with(
    flag: Option<PathBuf>,
    env: Option<OsString>,
    platform: impl FnOnce() -> Option<PathBuf>,
) -> Result<DataDir> {
    let (path, source) = if let Some(p) = flag.filter(|p| !p.as_os_str().is_empty()) {
        (p, DataDirSource::Flag)
    } else if let Some(p) = env.filter(|p| !p.is_empty()) {
        (PathBuf::from(p), DataDirSource::Env)
    } else {
        (platform().ok_or(Error::NoDataDir)?, DataDirSource::Platform)
    };
    let path = std::path::absolute(&path).map_err(Error::io(&path))?;
    Ok(DataDir { path, source })
}

/// Creates the folder if needed and proves it writable by creating and removing a file.
pub fn ensure_writable(dir: &Path) -> Result<()> {
    let not_writable = |e: std::io::Error| Error::DataDirNotWritable {
        path: dir.to_path_buf(),
        reason: e.kind().to_string(),
    };
    fs::create_dir_all(dir).map_err(not_writable)?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    fs::write(&probe, b"ok").map_err(not_writable)?;
    fs::remove_file(&probe).map_err(not_writable)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_env_beats_platform() {
        // Absolute on every platform (a bare "/flag" is not, on Windows).
        let root = std::env::temp_dir();
        let platform = || Some(root.join("platform"));
        let r = resolve_with(
            Some(root.join("flag")),
            Some(root.join("env").into()),
            platform,
        )
        .unwrap();
        assert_eq!((r.path, r.source), (root.join("flag"), DataDirSource::Flag));
        let r = resolve_with(None, Some(root.join("env").into()), platform).unwrap();
        assert_eq!((r.path, r.source), (root.join("env"), DataDirSource::Env));
        let r = resolve_with(None, Some(OsString::new()), platform).unwrap();
        assert_eq!(
            r.source,
            DataDirSource::Platform,
            "an empty variable counts as unset"
        );
    }

    #[test]
    fn relative_paths_become_absolute_and_no_home_is_an_error() {
        let r = resolve_with(Some("rel/dir".into()), None, || None).unwrap();
        assert!(r.path.is_absolute());
        assert!(r.path.ends_with("rel/dir"));
        assert!(matches!(
            resolve_with(None, None, || None),
            Err(Error::NoDataDir)
        ));
    }
}
