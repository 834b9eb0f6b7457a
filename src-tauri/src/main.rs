// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // Installed under a second name, `eingang` (a link to this program), it is the command
    // line: one binary in the package instead of two.
    let name = std::env::args_os()
        .next()
        .map(std::path::PathBuf::from)
        .and_then(|p| p.file_stem().map(std::ffi::OsStr::to_os_string));
    if name.as_deref() == Some(std::ffi::OsStr::new("eingang")) {
        return eingang_cli::main();
    }
    eingang_app_lib::run();
    std::process::ExitCode::SUCCESS
}
