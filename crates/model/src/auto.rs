//! Automatic indexing as the Scanstelle and the CLI see it: the turn and the document start
//! suggested for each page, the type, unit and index values suggested for each document —
//! each with its confidence and, for values read on a page, where they stand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A place on a page as shares of its width and height (0–1), as the page is shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Region {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// One page: the turn it has (and whether the orientation reading or a person gave it),
/// blank or not, whether a document starts here and how sure that is.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageSuggestion {
    pub page_id: String,
    /// The file (and the page in it) it came from.
    pub source: String,
    pub source_page: u32,
    /// 0, 90, 180, 270: clockwise, as applied.
    pub turn_degrees: u16,
    /// `auto` (the orientation reading), `ocr` (read as noise the way it stood, right when
    /// turned: the OCR's second opinion), `user`, or `none`.
    pub turned_by: String,
    /// The orientation reading's confidence, when the page was read.
    pub turn_confidence: Option<f32>,
    pub blank: bool,
    /// Suggested: a new document starts at this page.
    pub starts_document: bool,
    /// 0–1, how sure the suggestion is (that it starts, or that it does not).
    pub start_confidence: f32,
    /// What the page says today (as cut by hand, the rules or an applied suggestion).
    pub starts_now: bool,
    /// Why: the signs seen (`address_block`, `salutation`, `page_1_of_n`, `page_n`,
    /// `closing_before`, `enclosure`, `blank`, `first_page`, `separator`…).
    pub signs: Vec<String>,
}

/// A suggested index value: the field, the value, how sure, and where it was read (the
/// document's page, 0-based, and the place on it) — none for values that come from the
/// document as a whole (type and unit from the model, keywords or the address block).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldSuggestion {
    pub field: String,
    pub value: String,
    pub confidence: f32,
    /// `text` (read on a page; also the unit whose pattern the Aktenzeichen read follows),
    /// `model` (learned), `keywords` (master data), `address` (the unit named in the
    /// address block).
    pub source: String,
    pub page: Option<u32>,
    pub region: Option<Region>,
}

/// One document (as suggested, or as cut): its pages and its suggested values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentSuggestion {
    pub first_page: String,
    pub page_ids: Vec<String>,
    pub fields: Vec<FieldSuggestion>,
}

/// What automatic indexing suggests for a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchSuggestions {
    pub batch_id: String,
    pub pages: Vec<PageSuggestion>,
    pub documents: Vec<DocumentSuggestion>,
    /// Pages whose OCR is not done yet: their suggestions come when it is.
    pub ocr_pending: u32,
    /// The learned model's state (`ready`, `empty`, `damaged`, `newer`).
    pub model: String,
}

/// The learned model: how many released documents taught it, per type and per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModelStatus {
    /// `ready`, `empty`, `damaged` (the stored model cannot be read: suggestions from it are
    /// off until `model reset`), `newer` (made by a newer Eingang).
    pub state: String,
    pub examples: u32,
    pub per_type: Vec<(String, u32)>,
    pub per_unit: Vec<(String, u32)>,
    #[ts(type = "number | null")]
    pub updated_at: Option<i64>,
    pub format: u32,
}
