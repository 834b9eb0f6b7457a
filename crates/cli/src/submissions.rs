//! `eingang submissions …`

use crate::drafts::{or_dash, truncate};
use crate::out::{finish, open};
use eingang_store::paths::DataDir;
use eingang_store::tables::submissions;
use std::process::ExitCode;

/// `eingang submissions list [--json]`.
pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    finish(|| {
        let list = open(data_dir)?.with_conn(submissions::list)?;
        if json {
            return crate::out::json(&list);
        }
        print_submissions(&list);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_submissions(list: &[eingang_model::SubmissionSummary]) {
    println!(
        "{:<36}  {:<11}  {:<24}  {:<9}  {:>5}  CAPTION",
        "ID", "REFERENCE", "FORM", "DELIVERY", "FILES"
    );
    for s in list {
        let form = truncate(&format!("{} {}", s.form_id, s.form_version), 24);
        let caption = or_dash(&s.caption);
        println!(
            "{:<36}  {:<11}  {form:<24}  {:<9}  {:>5}  {caption}",
            s.id, s.reference, s.delivery, s.attachments
        );
    }
    println!("{} submission(s)", list.len());
}
