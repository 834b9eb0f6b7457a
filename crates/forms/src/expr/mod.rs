//! The expression language of form definitions.
//!
//! ```text
//! expr     := or
//! or       := and ("or" and)*
//! and      := not ("and" not)*
//! not      := "not" not | cmp
//! cmp      := sum (("=" | "!=" | "<" | "<=" | ">" | ">=") sum)?
//! sum      := product (("+" | "-" | "&") product)*
//! product  := unary (("*" | "/" | "%") unary)*
//! unary    := "-" unary | atom
//! atom     := number | string | "true" | "false" | "null"
//!           | name "(" (expr ("," expr)*)? ")"      -- function call
//!           | path                                  -- field reference: a.b.c
//!           | "(" expr ")"
//! ```
//! Values are null, booleans, exact decimals, text, and lists (a repeat group's column or
//! a multiple choice). `&` joins text. Null propagates through arithmetic; comparisons with
//! null are false except `x = null` / `x != null`.
//!
//! Safety: an expression is at most [`MAX_SOURCE_LEN`] characters and [`MAX_DEPTH`] levels
//! deep; regular expressions must be literals and are compiled once at parse time with a
//! size limit (the `regex` crate matches in linear time); evaluation stops after
//! [`MAX_STEPS`] steps. There is no loop, no assignment and no access to anything but the
//! form's values and the date of today given by the caller.

mod error;
mod eval;
mod lexer;
mod limits;
mod parser;

pub use error::ParseError;
pub use eval::{parse_number, Env, EvalError, Value};
pub use limits::{MAX_DEPTH, MAX_SOURCE_LEN, MAX_STEPS};
pub use parser::Expr;

#[cfg(test)]
mod tests;
