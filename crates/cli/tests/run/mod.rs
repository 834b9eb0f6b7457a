//! What several CLI test files share: running `eingang` on a data folder, the way a user or
//! a script on a headless machine does.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `eingang --data-dir DATA ARGS…` with `input` on standard input (then closed). The
/// environment names no other data folder or user file and no key store; the machine's
/// file is `DATA/machine.toml` (none there: none at all).
pub fn eingang(data: &Path, args: &[&str], input: Option<&str>) -> Output {
    eingang_with(data, args, input, &[])
}

/// [`eingang`] with more environment (`env`: name, value).
#[allow(dead_code)] // not every test file that shares this module needs it
pub fn eingang_with(
    data: &Path,
    args: &[&str],
    input: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .env_remove("EINGANG_CONFIG")
        .env("EINGANG_MACHINE_CONFIG", data.join("machine.toml"))
        // Never the developer's own key store.
        .env("EINGANG_KEYRING", "off")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the eingang binary runs");
    let mut stdin = child.stdin.take().expect("its standard input");
    if let Some(text) = input {
        stdin
            .write_all(text.as_bytes())
            .expect("the input is written");
    }
    drop(stdin);
    child.wait_with_output().expect("eingang ends")
}

/// What a command printed, standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
