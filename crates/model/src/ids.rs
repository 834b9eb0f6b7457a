//! Typed ids. Every id is made once, when its item is created, and never changes:
//! later issues use it as the idempotency key for delivery.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A malformed id that came from outside (UI, CLI, file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub kind: &'static str,
    pub input_len: usize,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a valid {} id ({} characters; expected a UUID like 0190d7a2-…)",
            self.kind, self.input_len
        )
    }
}

impl std::error::Error for IdError {}

/// Id of a [`crate::Draft`]: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(try_from = "String", into = "String")]
#[ts(export, type = "string")]
pub struct DraftId(uuid::Uuid);

impl DraftId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl Default for DraftId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for DraftId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl std::str::FromStr for DraftId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::try_parse(s).map(Self).map_err(|_| IdError {
            kind: "draft",
            input_len: s.chars().count(),
        })
    }
}

impl TryFrom<String> for DraftId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DraftId> for String {
    fn from(id: DraftId) -> Self {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_ids_round_trip_through_their_text_form() {
        let id = DraftId::new();
        let parsed: DraftId = id.to_string().parse().expect("own output must parse");
        assert_eq!(parsed, id);
    }

    #[test]
    fn draft_ids_are_time_ordered_so_lists_sort_by_creation() {
        let a = DraftId::new();
        let b = DraftId::new();
        assert!(a < b, "UUIDv7 made later must sort later");
    }

    #[test]
    fn a_malformed_id_is_refused_with_its_length_not_its_content() {
        let err = "../../etc/passwd".parse::<DraftId>().unwrap_err();
        assert_eq!(err.kind, "draft");
        assert_eq!(err.input_len, 16);
        assert!(!err.to_string().contains("passwd"));
    }
}
