//! Where a page of a list ended: the sort key and id of its last row, handed out as an
//! opaque `next` and taken back as `after`. The next page reads on from there along the
//! list's index (keyset paging), so page 1,000 costs what page 1 costs.

use crate::error::{Error, Result};

/// The last row of a page: its sort key (a time in ms) and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: String,
}

impl Cursor {
    /// `after` as a list handed it out; anything else is refused, naming it.
    pub fn parse(after: Option<&str>) -> Result<Option<Self>> {
        let Some(text) = after else { return Ok(None) };
        let bad = || Error::BadCursor(text.chars().take(80).collect());
        let (key, id) = text.split_once('~').ok_or_else(bad)?;
        let key = key.parse().map_err(|_| bad())?;
        if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
            return Err(bad());
        }
        Ok(Some(Self {
            key,
            id: id.to_owned(),
        }))
    }

    /// The cursor of a page whose last row is (`key`, `id`), or `None` when the page was
    /// not full (the list ends with it).
    pub fn next(full: bool, last: Option<(i64, String)>) -> Option<String> {
        last.filter(|_| full).map(|(key, id)| format!("{key}~{id}"))
    }

    /// The bounds for `WHERE (key, id) < (?, ?)`: after nothing, everything.
    pub fn bounds(c: Option<&Self>) -> (i64, String) {
        c.map_or((i64::MAX, String::from("\u{10FFFF}")), |c| {
            (c.key, c.id.clone())
        })
    }
}
