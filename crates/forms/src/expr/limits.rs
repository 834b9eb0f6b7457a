//! What an expression may cost: its length, its nesting, its evaluation steps.

/// Longest accepted expression source, in characters.
pub const MAX_SOURCE_LEN: usize = 4096;
/// Deepest accepted nesting of sub-expressions.
pub const MAX_DEPTH: usize = 64;
/// Most evaluation steps (nodes visited, list items touched) per evaluation.
pub const MAX_STEPS: usize = 100_000;
