//! The sample forms that ship with Eingang and are put into a new store's catalogue.

/// `(file name, JSON)` of every shipped sample form.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "ortstermin.json",
        include_str!("../samples/ortstermin.json"),
    ),
    (
        "sondernutzung-infostand.json",
        include_str!("../samples/sondernutzung-infostand.json"),
    ),
    (
        "veranstaltungsanzeige.json",
        include_str!("../samples/veranstaltungsanzeige.json"),
    ),
    (
        "hitzetelefon.json",
        include_str!("../samples/hitzetelefon.json"),
    ),
];

use crate::definition::Text;
use serde::Serialize;
use ts_rs::TS;

/// One entry of a catalogue listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FormSummary {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub description: Option<Text>,
    /// Where it came from: `builtin:…`, a file path, a sync target.
    pub origin: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub imported_at: i64,
}

/// The Ortstermin-Protokoll, the field workers' sample form (used in tests and examples).
pub const SAMPLE_FORM_ID: &str = "ortstermin";
pub const SAMPLE_FORM_VERSION: &str = "1.0";
