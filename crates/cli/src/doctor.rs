//! `eingang doctor [--json]`: the checks of `eingang_api::doctor`, printed.

use eingang_api::doctor::{self, Level};
use eingang_store::paths::DataDir;
use std::process::ExitCode;

/// `eingang doctor [--json]`: exit 1 when a check failed.
pub fn run(data_dir: &DataDir, json: bool) -> ExitCode {
    let checks = doctor::checks(data_dir);
    if json {
        let items: Vec<_> = checks
            .iter()
            .map(|c| serde_json::json!({"check": c.name, "level": word(c.level).0, "fact": c.fact, "todo": c.todo}))
            .collect();
        println!("{}", serde_json::Value::Array(items));
    } else {
        print_checks(&checks);
    }
    crate::out::status(checks.iter().all(|c| c.level != Level::Error))
}

/// A level's word for scripts and for people.
fn word(l: Level) -> (&'static str, &'static str) {
    match l {
        Level::Ok => ("ok", "ok  "),
        Level::Warn => ("warn", "WARN"),
        Level::Error => ("error", "FAIL"),
    }
}

fn print_checks(checks: &[doctor::Check]) {
    println!("Eingang {} — doctor", env!("CARGO_PKG_VERSION"));
    for c in checks {
        println!("[{}] {:<12} {}", word(c.level).1, c.name, c.fact);
        if let Some(todo) = &c.todo {
            println!("       {:<12} → {todo}", "");
        }
    }
}
