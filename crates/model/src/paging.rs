//! Long lists (batches, drafts, submissions, the outbox) come a page at a time, read along
//! an index from where the last page ended — never the whole table.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One page of a list and where the next one begins (`None`: the list ends here). `next`
/// is opaque: hand it back as `after` to get the following page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Rows on a page when the caller names no number.
pub const PAGE_DEFAULT: u32 = 50;
/// The most rows one page holds; a larger request is cut to it.
pub const PAGE_MAX: u32 = 1000;

/// The page size asked for, within `1..=PAGE_MAX` (`None`: [`PAGE_DEFAULT`]).
pub fn page_size(limit: Option<u32>) -> u32 {
    limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}
