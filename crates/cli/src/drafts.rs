//! `eingang drafts …`

use crate::out::{finish, open};
use crate::paging::{self, PageArgs};
use eingang_store::paths::DataDir;
use eingang_store::tables;
use std::process::ExitCode;

/// `eingang drafts list [--json] [--limit N | --all] [--after POSITION]`: the drafts,
/// most recently changed first.
pub fn list(data_dir: &DataDir, page: &PageArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let forms = store.with_conn(tables::forms::list)?;
        let mut header = !page.json;
        let shown = paging::each(
            page,
            "drafts list",
            |after, limit| eingang_api::drafts::list(&store, after, limit),
            |drafts| print_drafts(drafts, &forms, &mut header),
        )?;
        match (page.json, shown) {
            (true, _) => {}
            (false, 0) => println!("No drafts in {}", data_dir.path.display()),
            (false, n) => println!("{n} draft(s)"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Drafts as table rows, each with its form's German title (the header first, once).
fn print_drafts(
    drafts: &[eingang_model::DraftSummary],
    forms: &[eingang_forms::FormSummary],
    header: &mut bool,
) {
    if !drafts.is_empty() && std::mem::take(header) {
        println!("{:<36}  {:<24}  {:>8}  CAPTION", "ID", "FORM", "REVISION");
    }
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
