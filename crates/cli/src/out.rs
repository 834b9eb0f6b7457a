//! How a subcommand ends: every error below prints as `error [CODE]: message` on standard
//! error and becomes an exit code (1: the work failed; 2: the input or the configuration is
//! wrong). A subcommand is argument checks, one call and the printing of its result; it
//! returns [`Run`] from the body it hands to [`finish`] and uses `?` on the call.

use std::fmt::Display;
use std::process::ExitCode;

/// A subcommand's failure, already printed.
pub(crate) struct Exit(pub(crate) ExitCode);

/// What a subcommand returns before [`finish`] turns it into the process's exit code.
pub(crate) type Run = Result<ExitCode, Exit>;

/// An error with a stable code (printed in brackets, as the app's UI translates it).
pub(crate) trait Coded: Display {
    fn code(&self) -> &str;
    /// 2 where the input or the configuration is at fault, else 1.
    fn exit(&self) -> u8 {
        if is_input(self.code()) {
            2
        } else {
            1
        }
    }
}

/// The codes that mean "what was asked is wrong", exit 2.
fn is_input(code: &str) -> bool {
    code.starts_with("input.")
        || code.starts_with("config.")
        || matches!(
            code,
            "scan.profile_unknown"
                | "scan.profile"
                | "scan.pdfa"
                | "scan.nothing_read"
                | "store.bad_cursor"
                | "sync.not_delivered"
                | "sync.no_item"
                | "sync.already_delivered"
                | "sync.already_queued"
                | "sync.unknown_target"
        )
}

impl<E: Coded> From<E> for Exit {
    fn from(e: E) -> Self {
        eprintln!("error [{}]: {e}", e.code());
        Self(ExitCode::from(e.exit()))
    }
}

/// The lower crates' errors, each with its own `code()`.
macro_rules! coded_by_own_code {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn code(&self) -> &str {
                Self::code(self)
            }
        }
    )*};
}

coded_by_own_code!(
    eingang_api::Error,
    eingang_store::Error,
    eingang_capture::CaptureError,
    eingang_capture::BatchError
);

impl Coded for eingang_config::ConfigError {
    fn code(&self) -> &'static str {
        "config.invalid"
    }
}

/// A wrong argument: printed, exit 2.
pub(crate) fn usage(code: &str, message: impl Display) -> Exit {
    eprintln!("error [{code}]: {message}");
    Exit(ExitCode::from(2))
}

/// The work failed: printed, exit 1.
pub(crate) fn failed(code: &str, message: impl Display) -> Exit {
    eprintln!("error [{code}]: {message}");
    Exit(ExitCode::FAILURE)
}

/// Success, or 1 when something was reported along the way.
pub(crate) fn status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A table row's optional part: `" (…)"`-style text when there is something to say.
pub(crate) fn unless_empty(s: &str, f: impl FnOnce(&str) -> String) -> String {
    if s.is_empty() {
        String::new()
    } else {
        f(s)
    }
}

/// The data folder's store (a store that cannot be opened is named with its code, exit 1).
pub(crate) fn open(data_dir: &eingang_store::paths::DataDir) -> Result<eingang_store::Store, Exit> {
    Ok(eingang_store::Store::open(&data_dir.path)?)
}

/// `--json`: the value, pretty-printed, on standard output.
pub(crate) fn json(value: &impl serde::Serialize) -> Run {
    let text = serde_json::to_string_pretty(value).map_err(|e| failed("app.internal", e))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// What reading files into a PDF or a batch reports along the way, on standard error.
pub(crate) fn print_notice(n: eingang_api::files::Notice) {
    use eingang_api::files::Notice;
    match n {
        Notice::Skipped { code, message } => eprintln!("error [{code}]: {message}"),
        Notice::DpiAssumed { what } => {
            eprintln!("note: {what}: no resolution in the file; 300 dpi assumed");
        }
        Notice::Blank { what, ink_percent } => {
            eprintln!("note: {what}: looks blank ({ink_percent:.3} % ink) — kept");
        }
    }
}

/// Runs a subcommand's body and returns the process's exit code.
pub(crate) fn finish(body: impl FnOnce() -> Run) -> ExitCode {
    body().unwrap_or_else(|e| e.0)
}
