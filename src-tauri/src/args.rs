//! The app's own command line: `eingang-app [--data-dir DIR]`. Unknown arguments (a
//! desktop environment or WebDriver may add some) are ignored.

use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub data_dir: Option<PathBuf>,
}

impl Args {
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Self {
        let mut out = Self::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if arg == "--data-dir" {
                out.data_dir = it.next().map(PathBuf::from);
            } else if let Some(v) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
                out.data_dir = Some(PathBuf::from(v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(a: &[&str]) -> Args {
        Args::parse(a.iter().map(OsString::from))
    }

    #[test]
    fn data_dir_in_both_spellings_and_unknown_arguments_ignored() {
        assert_eq!(parse(&["--data-dir", "/d"]).data_dir, Some("/d".into()));
        assert_eq!(parse(&["--x", "--data-dir=/e"]).data_dir, Some("/e".into()));
        assert_eq!(parse(&["--automation"]), Args::default());
    }
}
