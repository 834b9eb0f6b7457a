//! Tokens of the expression language.

use super::error::ParseError;
use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(Decimal),
    Str(String),
    Ident(String),
    LParen,
    RParen,
    Comma,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Amp,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A token and the character offset where it starts.
pub type Spanned = (Tok, usize);

pub fn lex(src: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '%' => Some(Tok::Percent),
            '&' => Some(Tok::Amp),
            '=' => Some(Tok::Eq),
            _ => None,
        };
        if let Some(t) = simple {
            out.push((t, start));
            i += 1;
            continue;
        }
        match c {
            c if c.is_whitespace() => i += 1,
            '!' | '<' | '>' => {
                let next_is_eq = chars.get(i + 1) == Some(&'=');
                let tok = match (c, next_is_eq) {
                    ('!', true) => Tok::Ne,
                    ('<', true) => Tok::Le,
                    ('>', true) => Tok::Ge,
                    ('<', false) => Tok::Lt,
                    ('>', false) => Tok::Gt,
                    _ => {
                        return Err(ParseError::new(
                            start,
                            "'!' must be followed by '=' (use 'not' for negation)",
                        ))
                    }
                };
                out.push((tok, start));
                i += if next_is_eq { 2 } else { 1 };
            }
            '\'' | '"' => {
                let (text, next) = lex_text(&chars, i)?;
                out.push((Tok::Str(text), start));
                i = next;
            }
            '0'..='9' => {
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = Decimal::from_str(&text)
                    .map_err(|_| ParseError::new(start, format!("'{text}' is not a number")))?;
                out.push((Tok::Num(n), start));
            }
            '.' => {
                out.push((Tok::Dot, start));
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((Tok::Ident(chars[start..i].iter().collect()), start));
            }
            other => {
                return Err(ParseError::new(
                    start,
                    format!("unexpected character '{other}'"),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads quoted text starting at the quote at `start`; returns it and the index after it.
fn lex_text(chars: &[char], start: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(ParseError::new(start, "text is not closed with a quote")),
            Some('\\') => {
                match chars.get(i + 1) {
                    Some(&e @ ('\\' | '\'' | '"')) => s.push(e),
                    Some('n') => s.push('\n'),
                    _ => {
                        return Err(ParseError::new(
                            i,
                            "unknown escape; use \\\\, \\', \\\" or \\n",
                        ))
                    }
                }
                i += 2;
            }
            Some(&q) if q == quote => return Ok((s, i + 1)),
            Some(&ch) => {
                s.push(ch);
                i += 1;
            }
        }
    }
}
