//! The list commands (`batch list`, `drafts list`, `submissions list`, `outbox list`) show a
//! page — 50 rows unless `--limit` says otherwise — and name the `--after` position of the
//! next; `--all` prints every row page by page, so memory stays flat however long the list.

use crate::out::Exit;
use eingang_model::{Paged, PAGE_MAX};
use serde::Serialize;
use std::io::Write as _;

#[derive(Debug, Clone, clap::Args)]
pub struct PageArgs {
    /// Rows to show (default 50; at most 1000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(PAGE_MAX)))]
    pub limit: Option<u32>,
    /// Go on after the position a previous listing printed.
    #[arg(long, value_name = "POSITION")]
    pub after: Option<String>,
    /// Every row, page by page.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Print JSON (an array of the rows) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Fetches the pages `args` asks for and hands each to `show` (or prints its rows as one
/// JSON array); returns how many rows were shown. `command` names the listing in the hint
/// for the next page.
pub(crate) fn each<T: Serialize, E: Into<Exit>>(
    args: &PageArgs,
    command: &str,
    mut fetch: impl FnMut(Option<&str>, Option<u32>) -> Result<Paged<T>, E>,
    mut show: impl FnMut(&[T]),
) -> Result<usize, Exit> {
    let mut after = args.after.clone();
    let limit = if args.all { Some(PAGE_MAX) } else { args.limit };
    let mut shown = 0usize;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let _ = out.write_all(b"[");
    }
    loop {
        let page = fetch(after.as_deref(), limit).map_err(Into::into)?;
        if args.json {
            for item in &page.items {
                let sep: &[u8] = if shown == 0 { b"\n" } else { b",\n" };
                let _ = out.write_all(sep);
                let _ = serde_json::to_writer_pretty(&mut out, item);
                shown += 1;
            }
        } else {
            let _ = out.flush();
            show(&page.items);
            shown += page.items.len();
        }
        match page.next {
            Some(next) if args.all => after = Some(next),
            Some(next) => {
                eprintln!("more rows follow: eingang {command} --after {next} (or --all)");
                break;
            }
            None => break,
        }
    }
    if args.json {
        let _ = out.write_all(b"\n]\n");
    }
    let _ = out.flush();
    Ok(shown)
}
