//! `eingang submissions …`

use crate::drafts::{or_dash, truncate};
use crate::out::{finish, open};
use crate::paging::{self, PageArgs};
use eingang_store::paths::DataDir;
use std::process::ExitCode;

/// `eingang submissions list [--json] [--limit N | --all] [--after POSITION]`.
pub fn list(data_dir: &DataDir, page: &PageArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        if !page.json {
            print_header();
        }
        let shown = paging::each(
            page,
            "submissions list",
            |after, limit| eingang_api::submissions::list(&store, after, limit),
            print_submissions,
        )?;
        if !page.json {
            println!("{shown} submission(s)");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_header() {
    println!(
        "{:<36}  {:<11}  {:<24}  {:<9}  {:>5}  CAPTION",
        "ID", "REFERENCE", "FORM", "DELIVERY", "FILES"
    );
}

fn print_submissions(list: &[eingang_model::SubmissionSummary]) {
    for s in list {
        let form = truncate(&format!("{} {}", s.form_id, s.form_version), 24);
        let caption = or_dash(&s.caption);
        println!(
            "{:<36}  {:<11}  {form:<24}  {:<9}  {:>5}  {caption}",
            s.id, s.reference, s.delivery, s.attachments
        );
    }
}
