//! `eingang drafts …`

use eingang_store::paths::DataDir;
use eingang_store::{tables, Store};
use std::process::ExitCode;

pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    let result = Store::open(&data_dir.path)
        .and_then(|s| s.with_conn(|c| Ok((tables::drafts::list(c)?, tables::forms::list(c)?))));
    let (drafts, forms) = match result {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            eprintln!("Run `eingang doctor` for a full check.");
            return ExitCode::FAILURE;
        }
    };
    if json {
        match serde_json::to_string_pretty(&drafts) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    if drafts.is_empty() {
        println!("No drafts in {}", data_dir.path.display());
        return ExitCode::SUCCESS;
    }
    println!("{:<36}  {:<24}  {:>8}  CAPTION", "ID", "FORM", "REVISION");
    for d in &drafts {
        let form = forms
            .iter()
            .find(|f| f.id == d.form_id && f.version == d.form_version)
            .and_then(|f| f.title.get("de").cloned())
            .unwrap_or_else(|| d.form_id.clone());
        println!(
            "{:<36}  {:<24}  {:>8}  {}",
            d.id,
            truncate(&form, 24),
            d.revision,
            if d.caption.is_empty() {
                "-"
            } else {
                &d.caption
            }
        );
    }
    println!("{} draft(s)", drafts.len());
    ExitCode::SUCCESS
}

pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
