//! What a draft may hold. A draft keeps whatever the user typed — incomplete and invalid
//! values included (nothing typed may be lost); only what cannot belong to the form at all
//! is refused: unknown keys, the wrong shape for a group, text beyond the field's limit.

use crate::compile::{CItem, Form};
use serde_json::{Map, Value as Json};
use std::fmt;

/// Upper bound for one draft's serialised values.
pub const MAX_DRAFT_BYTES: usize = 1024 * 1024;
/// Longest text any field may hold in a draft when the form sets no `max_length`.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// Why values cannot be kept in a draft of a form. Names the field; never echoes the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftValueError {
    UnknownField {
        field: String,
    },
    WrongShape {
        field: String,
    },
    TooLong {
        field: String,
        max: usize,
        len: usize,
    },
    TooLarge {
        bytes: usize,
    },
}

impl fmt::Display for DraftValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownField { field } => {
                write!(f, "field '{field}' does not exist in this form")
            }
            Self::WrongShape { field } => {
                write!(f, "field '{field}' holds a value of the wrong kind")
            }
            Self::TooLong { field, max, len } => write!(
                f,
                "field '{field}' holds {len} characters; at most {max} are allowed — shorten it"
            ),
            Self::TooLarge { bytes } => write!(
                f,
                "the draft's values take {bytes} bytes; at most {MAX_DRAFT_BYTES} are allowed"
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
            | Self::WrongShape { field }
            | Self::TooLong { field, .. } => Some(field),
            Self::TooLarge { .. } => None,
        }
    }
}

impl Form {
    /// Checks that `values` can be kept in a draft of this form (see the module doc).
    pub fn check_draft(&self, values: &Map<String, Json>) -> Result<(), DraftValueError> {
        let bytes = serde_json::to_vec(values).map_or(usize::MAX, |v| v.len());
        if bytes > MAX_DRAFT_BYTES {
            return Err(DraftValueError::TooLarge { bytes });
        }
        check_object(&self.items, values, "")
    }

    /// A short text the user recognises a draft by: the first filled text field in form
    /// order (looking into plain groups, not into repeat groups or calculated fields).
    pub fn caption(&self, values: &Map<String, Json>) -> String {
        fn first(items: &[CItem], values: &Map<String, Json>) -> Option<String> {
            items.iter().find_map(|i| match i {
                CItem::Field(f)
                    if f.calculate.is_none()
                        && matches!(
                            f.def.kind,
                            crate::definition::FieldKind::Text
                                | crate::definition::FieldKind::MultilineText
                        ) =>
                {
                    values
                        .get(&f.def.key)
                        .and_then(Json::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            s.lines()
                                .next()
                                .unwrap_or_default()
                                .chars()
                                .take(80)
                                .collect()
                        })
                }
                CItem::Group(g) if g.repeat.is_none() => values
                    .get(&g.def_key)
                    .and_then(Json::as_object)
                    .and_then(|m| first(&g.items, m)),
                _ => None,
            })
        }
        first(&self.items, values).unwrap_or_default()
    }
}

fn check_object(
    items: &[CItem],
    values: &Map<String, Json>,
    prefix: &str,
) -> Result<(), DraftValueError> {
    for (key, value) in values {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let item = items.iter().find(|i| match i {
            CItem::Field(f) => &f.def.key == key,
            CItem::Group(g) => &g.def_key == key,
            CItem::Info { .. } => false,
        });
        match (item, value) {
            (None, _) => return Err(DraftValueError::UnknownField { field: path }),
            (Some(_), Json::Null) => {}
            (Some(CItem::Field(f)), v) => check_field_value(f.def.max_length, v, &path)?,
            (Some(CItem::Group(g)), Json::Object(m)) if g.repeat.is_none() => {
                check_object(&g.items, m, &path)?;
            }
            (Some(CItem::Group(g)), Json::Array(rows)) if g.repeat.is_some() => {
                for (i, row) in rows.iter().enumerate() {
                    let row_path = format!("{path}[{i}]");
                    match row {
                        Json::Object(m) => check_object(&g.items, m, &row_path)?,
                        _ => return Err(DraftValueError::WrongShape { field: row_path }),
                    }
                }
            }
            (Some(_), _) => return Err(DraftValueError::WrongShape { field: path }),
        }
    }
    Ok(())
}

fn check_field_value(max_length: Option<u32>, v: &Json, path: &str) -> Result<(), DraftValueError> {
    let max = max_length.map_or(MAX_TEXT_CHARS, |m| m as usize);
    // Yes/no, numbers, choice lists, attachment and signature references pass; their
    // size is bounded by MAX_DRAFT_BYTES.
    if let Json::String(s) = v {
        let len = s.chars().count();
        if len > max {
            return Err(DraftValueError::TooLong {
                field: path.to_owned(),
                max,
                len,
            });
        }
    }
    Ok(())
}
