//! Eingang's form engine (no I/O, no Tauri).
//!
//! - [`expr`]: the small, safe expression language used for cross-field rules, relevance
//!   (show/hide) and calculated values. Parsed once, evaluated with a step budget, no
//!   `eval`, no I/O. See `docs/expressions.md`.
//! - [`definition`]: the form definition format authors write (JSON; JSON Schema in `docs/`).
//! - [`Form::compile`]: checks a definition once (keys, expressions, references, patterns,
//!   code lists) and reports every problem with its location.
//! - [`Form::calculate`] / [`Form::validate`]: calculated values, relevance, and validation
//!   issues with stable codes tied to field paths.

pub mod expr;

mod compile;
pub mod definition;
mod draft;
pub mod fim;
mod finalise;
pub mod objects;
pub mod samples;
mod validate;
pub mod versions;

pub use compile::{DefinitionError, Form};
pub use draft::{DraftValueError, MAX_DRAFT_BYTES};
pub use finalise::FinalData;
pub use samples::FormSummary;
pub use validate::{is_date, FormState, Issue, Today};
