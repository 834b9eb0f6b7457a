//! Eingang's form engine (no I/O, no Tauri).
//!
//! - [`expr`]: the small, safe expression language used for cross-field rules, relevance
//!   (show/hide) and calculated values. Parsed once, evaluated with a step budget, no
//!   `eval`, no I/O. See `docs/expressions.md`.

pub mod expr;
