//! Parser: tokens → [`Expr`]. Recursive descent with a depth limit.

use super::error::ParseError;
use super::lexer::{lex, Spanned, Tok};
use super::limits::{MAX_DEPTH, MAX_SOURCE_LEN};
use regex::Regex;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
}

/// Built-in functions; the set is closed (no user-defined functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    If,
    Empty,
    Len,
    Count,
    Sum,
    Min,
    Max,
    Round,
    Today,
    DaysBetween,
    YearsBetween,
    Matches,
    Contains,
    Number,
    Text,
    Lower,
    Upper,
}

impl Func {
    fn lookup(name: &str) -> Option<(Self, usize, Option<usize>)> {
        // (function, minimum arguments, maximum arguments; None = any)
        Some(match name {
            "if" => (Self::If, 3, Some(3)),
            "empty" => (Self::Empty, 1, Some(1)),
            "len" => (Self::Len, 1, Some(1)),
            "count" => (Self::Count, 1, Some(1)),
            "sum" => (Self::Sum, 1, Some(1)),
            "min" => (Self::Min, 1, None),
            "max" => (Self::Max, 1, None),
            "round" => (Self::Round, 1, Some(2)),
            "today" => (Self::Today, 0, Some(0)),
            "days_between" => (Self::DaysBetween, 2, Some(2)),
            "years_between" => (Self::YearsBetween, 2, Some(2)),
            "matches" => (Self::Matches, 2, Some(2)),
            "contains" => (Self::Contains, 2, Some(2)),
            "number" => (Self::Number, 1, Some(1)),
            "text" => (Self::Text, 1, Some(1)),
            "lower" => (Self::Lower, 1, Some(1)),
            "upper" => (Self::Upper, 1, Some(1)),
            _ => return None,
        })
    }
}

/// A parsed expression. Build it with [`Expr::parse`]; evaluate with [`Expr::eval`].
#[derive(Debug, Clone)]
pub enum Expr {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(String),
    /// A field reference as path segments (`a.b` → `["a", "b"]`).
    Ref(Vec<String>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    /// `matches(x, 'literal')`: the pattern compiled once, here.
    Matches(Box<Expr>, Box<Regex>),
}

impl Expr {
    /// Parses `src`; every error names the character where it happened.
    pub fn parse(src: &str) -> Result<Self, ParseError> {
        let len = src.chars().count();
        if len > MAX_SOURCE_LEN {
            return Err(ParseError::new(
                0,
                format!(
                    "the expression has {len} characters; at most {MAX_SOURCE_LEN} are allowed"
                ),
            ));
        }
        let toks = lex(src)?;
        let mut p = Parser {
            toks,
            i: 0,
            depth: 0,
            end: len,
        };
        let e = p.expr()?;
        if let Some((t, pos)) = p.toks.get(p.i) {
            return Err(ParseError::new(
                *pos,
                format!("unexpected {} after the end of the expression", describe(t)),
            ));
        }
        Ok(e)
    }

    /// Every field path the expression reads (for dependency tracking and checks).
    pub fn references(&self) -> Vec<&[String]> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Ref(p) = e {
                out.push(p.as_slice());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Not(e) | Expr::Neg(e) | Expr::Matches(e, _) => e.walk(f),
            Expr::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            Expr::Null | Expr::Bool(_) | Expr::Num(_) | Expr::Str(_) | Expr::Ref(_) => {}
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(_) => "text".into(),
        Tok::Ident(s) => format!("'{s}'"),
        other => format!("'{}'", symbol(other)),
    }
}

fn symbol(t: &Tok) -> &'static str {
    match t {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Percent => "%",
        Tok::Amp => "&",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Num(_) | Tok::Str(_) | Tok::Ident(_) => "?",
    }
}

struct Parser {
    toks: Vec<Spanned>,
    i: usize,
    depth: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |(_, p)| *p)
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(s)) if s == w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &Tok) -> Result<(), ParseError> {
        if self.eat(t) {
            Ok(())
        } else {
            let found = self.peek().map_or_else(|| "the end".to_owned(), describe);
            Err(ParseError::new(
                self.pos(),
                format!("expected '{}', found {found}", symbol(t)),
            ))
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                self.pos(),
                format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.nested(Self::or)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.and()?;
        while self.eat_word("or") {
            let r = self.and()?;
            e = Expr::Bin(BinOp::Or, Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.not()?;
        while self.eat_word("and") {
            let r = self.not()?;
            e = Expr::Bin(BinOp::And, Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.eat_word("not") {
            return self.nested(|p| Ok(Expr::Not(Box::new(p.not()?))));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        let l = self.sum()?;
        let op = match self.peek() {
            Some(Tok::Eq) => BinOp::Eq,
            Some(Tok::Ne) => BinOp::Ne,
            Some(Tok::Lt) => BinOp::Lt,
            Some(Tok::Le) => BinOp::Le,
            Some(Tok::Gt) => BinOp::Gt,
            Some(Tok::Ge) => BinOp::Ge,
            _ => return Ok(l),
        };
        self.i += 1;
        let r = self.sum()?;
        Ok(Expr::Bin(op, Box::new(l), Box::new(r)))
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => BinOp::Add,
                Some(Tok::Minus) => BinOp::Sub,
                Some(Tok::Amp) => BinOp::Concat,
                _ => return Ok(e),
            };
            self.i += 1;
            let r = self.product()?;
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => BinOp::Mul,
                Some(Tok::Slash) => BinOp::Div,
                Some(Tok::Percent) => BinOp::Rem,
                _ => return Ok(e),
            };
            self.i += 1;
            let r = self.unary()?;
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat(&Tok::Minus) {
            return self.nested(|p| Ok(Expr::Neg(Box::new(p.unary()?))));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let pos = self.pos();
        let Some((tok, _)) = self.toks.get(self.i).cloned() else {
            return Err(ParseError::new(pos, "the expression ends too early"));
        };
        self.i += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(&Tok::RParen)?;
                Ok(e)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "null" => Ok(Expr::Null),
                "and" | "or" | "not" => Err(ParseError::new(
                    pos,
                    format!("'{name}' needs a value before it"),
                )),
                _ if self.peek() == Some(&Tok::LParen) => self.call(&name, pos),
                _ => {
                    let mut path = vec![name];
                    while self.eat(&Tok::Dot) {
                        match self.toks.get(self.i).cloned() {
                            Some((Tok::Ident(seg), _)) => {
                                self.i += 1;
                                path.push(seg);
                            }
                            _ => {
                                return Err(ParseError::new(
                                    self.pos(),
                                    "a field name must follow '.'",
                                ))
                            }
                        }
                    }
                    Ok(Expr::Ref(path))
                }
            },
            other => Err(ParseError::new(
                pos,
                format!("unexpected {}", describe(&other)),
            )),
        }
    }

    fn call(&mut self, name: &str, pos: usize) -> Result<Expr, ParseError> {
        let (func, min, max) = Func::lookup(name)
            .ok_or_else(|| ParseError::new(pos, format!("unknown function '{name}'")))?;
        self.expect(&Tok::LParen)?;
        let mut args = Vec::new();
        if !self.eat(&Tok::RParen) {
            loop {
                args.push(self.expr()?);
                if self.eat(&Tok::RParen) {
                    break;
                }
                self.expect(&Tok::Comma)?;
            }
        }
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let want = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Err(ParseError::new(
                pos,
                format!("{name}() takes {want} argument(s), not {}", args.len()),
            ));
        }
        if func == Func::Matches {
            let mut it = args.into_iter();
            let subject = it.next().unwrap_or(Expr::Null);
            let Some(Expr::Str(pattern)) = it.next() else {
                return Err(ParseError::new(
                    pos,
                    "matches() needs the pattern as literal text",
                ));
            };
            let re = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
                .size_limit(1 << 20)
                .dfa_size_limit(1 << 20)
                .build()
                .map_err(|e| ParseError::new(pos, format!("invalid pattern: {e}")))?;
            return Ok(Expr::Matches(Box::new(subject), Box::new(re)));
        }
        Ok(Expr::Call(func, args))
    }
}
