//! Drafts: forms being filled in. A draft holds whatever the user typed so far —
//! incomplete and even invalid values are kept (nothing typed may be lost); only
//! what cannot belong to the form at all is refused.

use crate::form::FormDefinition;
use crate::ids::DraftId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use ts_rs::TS;

/// Field key → value as typed. Values are JSON so later field types (numbers,
/// repeat groups, attachments) need no schema change.
pub type DraftValues = BTreeMap<String, serde_json::Value>;

/// Upper bound for one draft's serialised values (defends the store against a
/// runaway or hostile caller; a real form stays far below).
pub const MAX_DRAFT_VALUES_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Draft {
    pub id: DraftId,
    pub form_id: String,
    pub form_version: String,
    pub values: DraftValues,
    /// Increases by one on every saved change.
    #[ts(type = "number")]
    pub revision: i64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// One row of the draft list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftSummary {
    pub id: DraftId,
    pub form_id: String,
    pub form_version: String,
    /// A short text the user recognises the draft by (the first filled text field).
    pub caption: String,
    #[ts(type = "number")]
    pub revision: i64,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// Why values cannot be stored in a draft of a given form. Names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftValueError {
    UnknownField { field: String },
    NotText { field: String },
    TooLong { field: String, max: u32, len: usize },
    TooLarge { bytes: usize },
}

impl fmt::Display for DraftValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField { field } => {
                write!(f, "field '{field}' does not exist in this form")
            }
            Self::NotText { field } => write!(f, "field '{field}' expects text"),
            Self::TooLong { field, max, len } => write!(
                f,
                "field '{field}' holds {len} characters; at most {max} are allowed — shorten it"
            ),
            Self::TooLarge { bytes } => write!(
                f,
                "the draft's values take {bytes} bytes; at most {MAX_DRAFT_VALUES_BYTES} are allowed"
            ),
        }
    }
}

impl std::error::Error for DraftValueError {}

impl DraftValueError {
    /// The field the error is about, for tying the message to it in the UI.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::UnknownField { field }
            | Self::NotText { field }
            | Self::TooLong { field, .. } => Some(field),
            Self::TooLarge { .. } => None,
        }
    }
}

impl FormDefinition {
    /// Checks that `values` can be kept in a draft of this form.
    pub fn check_draft_values(&self, values: &DraftValues) -> Result<(), DraftValueError> {
        for (key, value) in values {
            let def = self
                .field(key)
                .ok_or_else(|| DraftValueError::UnknownField { field: key.clone() })?;
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => continue,
                _ => return Err(DraftValueError::NotText { field: key.clone() }),
            };
            let len = text.chars().count();
            if len > def.max_len as usize {
                return Err(DraftValueError::TooLong {
                    field: key.clone(),
                    max: def.max_len,
                    len,
                });
            }
        }
        let bytes = serde_json::to_vec(values).map_or(usize::MAX, |v| v.len());
        if bytes > MAX_DRAFT_VALUES_BYTES {
            return Err(DraftValueError::TooLarge { bytes });
        }
        Ok(())
    }

    /// The caption for a draft list: the first non-empty single-line text value.
    pub fn caption(&self, values: &DraftValues) -> String {
        self.fields
            .iter()
            .filter_map(|f| values.get(&f.key).and_then(serde_json::Value::as_str))
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(|s| {
                s.lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(80)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::sample_form;
    use serde_json::json;

    fn values(pairs: &[(&str, serde_json::Value)]) -> DraftValues {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn incomplete_drafts_are_accepted_because_nothing_typed_may_be_lost() {
        let form = sample_form();
        // Required fields missing and an e-mail that is not one yet: still a valid draft.
        let v = values(&[("kontakt_email", json!("halb@"))]);
        assert_eq!(form.check_draft_values(&v), Ok(()));
    }

    #[test]
    fn unknown_fields_and_overlong_values_are_refused_naming_the_field() {
        let form = sample_form();
        let err = form
            .check_draft_values(&values(&[("gibtsnicht", json!("x"))]))
            .unwrap_err();
        assert_eq!(err.field(), Some("gibtsnicht"));

        let long = "ä".repeat(61);
        let err = form
            .check_draft_values(&values(&[("aktenzeichen", json!(long))]))
            .unwrap_err();
        assert_eq!(
            err,
            DraftValueError::TooLong {
                field: "aktenzeichen".into(),
                max: 60,
                len: 61
            },
            "length counts characters, not bytes"
        );
        let err = form
            .check_draft_values(&values(&[("befund", json!(42))]))
            .unwrap_err();
        assert_eq!(err.field(), Some("befund"));
    }

    #[test]
    fn caption_is_the_first_filled_field_in_form_order() {
        let form = sample_form();
        let v = values(&[
            ("befund", json!("Feuchtigkeit im Keller\nzweite Zeile")),
            ("aktenzeichen", json!("   ")),
        ]);
        assert_eq!(form.caption(&v), "Feuchtigkeit im Keller");
    }
}
