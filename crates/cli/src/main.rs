//! The `eingang` command (see the library for the commands).

fn main() -> std::process::ExitCode {
    eingang_cli::main()
}
