//! `eingang drafts …`

use crate::out::{finish, open};
use eingang_store::paths::DataDir;
use eingang_store::tables;
use std::process::ExitCode;

/// `eingang drafts list [--json]`: the drafts, most recently changed first.
pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    finish(|| {
        let (drafts, forms) = open(data_dir)?
            .with_conn(|c| Ok((tables::drafts::list(c)?, tables::forms::list(c)?)))?;
        if json {
            return crate::out::json(&drafts);
        }
        if drafts.is_empty() {
            println!("No drafts in {}", data_dir.path.display());
        } else {
            print_drafts(&drafts, &forms);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The drafts as a table, each with its form's German title.
fn print_drafts(drafts: &[eingang_model::DraftSummary], forms: &[eingang_forms::FormSummary]) {
    println!("{:<36}  {:<24}  {:>8}  CAPTION", "ID", "FORM", "REVISION");
    for d in drafts {
        let form = forms
            .iter()
            .find(|f| f.id == d.form_id && f.version == d.form_version);
        let title = form
            .and_then(|f| f.title.get("de").cloned())
            .unwrap_or_else(|| d.form_id.clone());
        let (form, caption) = (truncate(&title, 24), or_dash(&d.caption));
        println!("{:<36}  {form:<24}  {:>8}  {caption}", d.id, d.revision);
    }
    println!("{} draft(s)", drafts.len());
}

/// `s`, or "-" when it is empty.
pub fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
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
