//! Drafts: forms being filled in. A draft holds whatever the user typed so far —
//! incomplete and even invalid values are kept (nothing typed may be lost); only
//! what cannot belong to the form at all is refused.

use crate::ids::DraftId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Field key → value as typed: objects for groups, arrays of objects for repeat groups
/// (see `docs/forms.md`). Checked against the form by `eingang_forms::Form::check_draft`.
pub type DraftValues = serde_json::Map<String, serde_json::Value>;

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
    /// Problems left before it can be finalised; `None` until first evaluated.
    pub open_issues: Option<u32>,
    #[ts(type = "number")]
    pub revision: i64,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// What a draft's attachment field stores per file; the bytes are in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentRef {
    /// SHA-256 of the content (the blob's name).
    pub blob: String,
    /// The file name as the user chose it (without folders).
    pub name: String,
    /// Determined from the content, never from the name.
    pub media_type: String,
    #[ts(type = "number")]
    pub size: i64,
}

/// One finalised submission, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubmissionSummary {
    /// UUIDv7 made at finalisation; the reference the DMS sees.
    pub id: String,
    /// The short code a citizen reads from the receipt ([`reference_code`] of the id).
    pub reference: String,
    pub form_id: String,
    pub form_version: String,
    pub caption: String,
    pub attachments: u32,
    /// SHA-256 of the submission's data as stored.
    pub sha256: String,
    /// The outbox state: `pending`, `in_flight`, `delivered`, `failed`, `paused`.
    pub delivery: String,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// What importing one file into the form catalogue did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    /// The file's name (or path).
    pub file: String,
    /// `added`, `unchanged`, `code_list` (a genericode list used for FIM schemas), `failed`.
    pub result: String,
    pub form_id: Option<String>,
    pub version: Option<String>,
    /// Why it failed (with the stable error code in brackets).
    pub error: Option<String>,
    /// For FIM schemas: what could not be mapped exactly, element by element.
    pub report: Vec<ImportNote>,
}

/// One thing a FIM import could not carry over exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportNote {
    /// The FIM element, e.g. `F60000227 (Familienname)`.
    pub element: String,
    /// `rule_note`, `used_twice`, `empty_group`, `hidden_field`, `locked_field`,
    /// `unknown_feldart`, `repeated_field`, `binary_object`, `unknown_datentyp`,
    /// `praezisierung_json`, `bound_type`, `pattern`, `praezisierung_unsupported`,
    /// `not_whole_number`, `no_fields`, `no_version`: the app's text for it, filled with `params`.
    pub code: String,
    pub params: Vec<(String, String)>,
    /// The note in English (the CLI).
    pub text: String,
}

impl std::fmt::Display for ImportNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.element, self.text)
    }
}

/// The short reference code of a submission, for people: ten characters of Crockford's
/// base 32 (no I, L, O, U; read aloud without confusion) from the random end of the
/// submission's UUIDv7, as `XXXXX-XXXXX` — 50 random bits, so two submissions share a code
/// with a chance of one in 10^15. Staff find a submission by it (`eingang submissions list`).
pub fn reference_code(id: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let hex: String = id.chars().filter(char::is_ascii_hexdigit).collect();
    let tail = hex.get(hex.len().saturating_sub(13)..).unwrap_or("");
    let bits = u64::from_str_radix(tail, 16).unwrap_or(0) & ((1 << 50) - 1);
    let mut out = String::with_capacity(11);
    for i in (0..10).rev() {
        // Each index is < 32 by the mask.
        #[allow(clippy::cast_possible_truncation)]
        let c = ALPHABET[((bits >> (i * 5)) & 31) as usize];
        out.push(char::from(c));
        if i == 5 {
            out.push('-');
        }
    }
    out
}

#[cfg(test)]
mod reference_tests {
    use super::reference_code;

    #[test]
    fn the_reference_code_comes_from_the_ids_random_end_and_is_readable() {
        let a = reference_code("019a7c1e-5b2f-7d31-9f4e-8c2b1a0d3e47");
        assert_eq!(a.len(), 11);
        assert_eq!(&a[5..6], "-");
        assert!(
            a.chars()
                .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)),
            "{a}"
        );
        assert_eq!(
            a,
            reference_code("019a7c1e-5b2f-7d31-9f4e-8c2b1a0d3e47"),
            "stable"
        );
        assert_ne!(a, reference_code("019a7c1e-5b2f-7d31-9f4e-8c2b1a0d3e48"));
        // By hand: the last 10 bits of 0x…e47 are 10010 00111 = 18, 7 = "J", "7".
        assert!(a.ends_with("J7"), "{a}");
    }
}
