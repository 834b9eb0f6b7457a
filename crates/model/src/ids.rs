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

/// Ids of the scan office's items and of submissions: UUIDv7s made by the store when the
/// item is created, typed so that a page's id cannot stand where a batch's is meant, and
/// checked once where they come in from outside (UI, command line).
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::try_parse(s).map(Self).map_err(|_| IdError {
                    kind: $kind,
                    input_len: s.chars().count(),
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.to_string()
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.to_string()))
            }
        }

        #[cfg(feature = "sql")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                v.as_str()?
                    .parse()
                    .map_err(|e: IdError| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

uuid_id!(
    /// Id of a scan batch.
    BatchId,
    "batch"
);
uuid_id!(
    /// Id of a page of a batch.
    PageId,
    "page"
);
uuid_id!(
    /// Id of a document released from a batch.
    DocumentId,
    "document"
);
uuid_id!(
    /// Id of a submission (a finalised draft).
    SubmissionId,
    "submission"
);

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
    fn each_kind_of_id_parses_its_own_text_and_names_its_kind_when_malformed() {
        let b = BatchId::new();
        assert_eq!(b.to_string().parse::<BatchId>().ok(), Some(b));
        let p: PageId = b.to_string().parse().expect("the same UUID form");
        assert_eq!(p.to_string(), b.to_string());
        assert_eq!("x".parse::<PageId>().unwrap_err().kind, "page");
        assert_eq!("".parse::<DocumentId>().unwrap_err().kind, "document");
        assert_eq!(
            "1-2".parse::<SubmissionId>().unwrap_err().kind,
            "submission"
        );
    }

    #[test]
    fn a_malformed_id_is_refused_with_its_length_not_its_content() {
        let err = "../../etc/passwd".parse::<DraftId>().unwrap_err();
        assert_eq!(err.kind, "draft");
        assert_eq!(err.input_len, 16);
        assert!(!err.to_string().contains("passwd"));
    }
}
