//! `eingang submissions …`

use crate::drafts::truncate;
use eingang_store::paths::DataDir;
use eingang_store::tables::submissions;
use eingang_store::Store;
use std::process::ExitCode;

pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    let result = Store::open(&data_dir.path).and_then(|s| s.with_conn(submissions::list));
    let list = match result {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            eprintln!("Run `eingang doctor` for a full check.");
            return ExitCode::FAILURE;
        }
    };
    if json {
        match serde_json::to_string_pretty(&list) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<36}  {:<11}  {:<24}  {:<9}  {:>5}  CAPTION",
        "ID", "REFERENCE", "FORM", "DELIVERY", "FILES"
    );
    for s in &list {
        println!(
            "{:<36}  {:<11}  {:<24}  {:<9}  {:>5}  {}",
            s.id,
            s.reference,
            truncate(&format!("{} {}", s.form_id, s.form_version), 24),
            s.delivery,
            s.attachments,
            if s.caption.is_empty() {
                "-"
            } else {
                &s.caption
            }
        );
    }
    println!("{} submission(s)", list.len());
    ExitCode::SUCCESS
}
