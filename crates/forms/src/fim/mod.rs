//! Import of FIM XDatenfelder 2.0 and 3.0 (the federal XML format for form fields) into
//! Eingang's form definition format.
//!
//! Mapping: the Stammdatenschema (or a single Datenfeldgruppe/Datenfeld message) becomes a
//! form; Datenfeldgruppe → group, Datenfeld → field (by `feldart` and `datentyp`);
//! `anzahl` `0:1` → optional, `1:1` → required, a maximum above 1 → repeat group (a
//! repeated field is wrapped in a one-field repeat group); `praezisierung` (2.0: JSON text,
//! 3.0: attributes) → length, range and pattern; `werte` and genericode code lists →
//! choices; `bezeichnungEingabe`/`hilfetextEingabe` → label/help. FIM rules (`regel`) are
//! mostly free text: they are kept as notes on the form (hand-written expressions can be
//! added to the imported form as rules). Everything that could not be mapped is listed in
//! the [`ImportReport`], element by element.
//!
//! Hostile input: the XML parser refuses DTDs (so no entity expansion, no external
//! entities), the nesting depth and the number of elements are limited, and every error
//! names the element (by its FIM id where it has one) and what is wrong.

mod genericode;
mod xdf;

pub use genericode::{parse_genericode, GenericodeList};
pub use xdf::import_xdf;

use std::fmt;

/// What the import could not carry over exactly, element by element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub entries: Vec<ReportEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEntry {
    /// The FIM element, e.g. `F60000227 (Familienname)` or `R60000037`.
    pub element: String,
    /// What kind of note (`repeated_field`, `hidden_field`, …) and its values: what the app
    /// says in the user's language.
    pub code: &'static str,
    pub params: Vec<(String, String)>,
    /// The note in English (the CLI, the log).
    pub message: String,
}

impl fmt::Display for ReportEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.element, self.message)
    }
}

/// Why a file could not be imported at all (nothing is imported then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FimError {
    /// The element (FIM id or XML path) or `line N` for XML syntax errors.
    pub element: String,
    pub message: String,
}

impl fmt::Display for FimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.element, self.message)
    }
}

impl std::error::Error for FimError {}

/// Largest XML document accepted (FIM schemas are far smaller).
pub const MAX_XML_BYTES: usize = 20 * 1024 * 1024;
/// Most elements in one document.
pub const MAX_NODES: u32 = 500_000;
/// Deepest group nesting followed.
pub const MAX_GROUP_DEPTH: usize = 32;

pub(crate) fn parse_xml(xml: &str) -> Result<roxmltree::Document<'_>, FimError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(FimError {
            element: "document".into(),
            message: format!("{} bytes; at most {MAX_XML_BYTES} are accepted", xml.len()),
        });
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(xml, opts).map_err(|e| {
        let pos = e.pos();
        let message = match e {
            roxmltree::Error::DtdDetected => {
                "the file contains a DTD (<!DOCTYPE …>); FIM files have none, and DTDs are refused \
                 because they allow entity expansion attacks"
                    .to_owned()
            }
            other => other.to_string(),
        };
        FimError {
            element: format!("line {}, column {}", pos.row, pos.col),
            message,
        }
    })
}
