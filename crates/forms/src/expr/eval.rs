//! Evaluation of parsed expressions against the values of a form.

use super::limits::MAX_STEPS;
use super::parser::{BinOp, Expr, Func};
use eingang_model::time::days_from_civil;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;
use std::fmt;

/// A value in the expression language.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(Decimal),
    Text(String),
    /// A repeat group's column, or the choices of a multiple-choice field.
    List(Vec<Value>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "yes/no",
            Value::Num(_) => "number",
            Value::Text(_) => "text",
            Value::List(_) => "list",
        }
    }

    /// Text as entered, numbers in plain notation, yes/no as `true`/`false`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.normalize().to_string(),
            Value::Text(s) => s.clone(),
            Value::List(items) => items
                .iter()
                .map(Value::to_text)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Converts a stored JSON value (field values are JSON) into an expression value.
    /// Numbers stored as text (the UI keeps what was typed) count as numbers when they parse.
    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null | serde_json::Value::Object(_) => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .to_string()
                .parse::<Decimal>()
                .map_or(Value::Null, Value::Num),
            serde_json::Value::String(s) if s.is_empty() => Value::Null,
            serde_json::Value::String(s) => Value::Text(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
        }
    }
}

/// What an expression may see: the form's values and today's date.
pub trait Env {
    /// The value at `path`, resolved from the current scope outwards (inside a repeat
    /// group, its own instance first); `Value::Null` when the path names nothing.
    fn lookup(&self, path: &[String]) -> Value;
    /// Today's date as (year, month, day); given by the caller so results are reproducible.
    fn today(&self) -> (i32, u32, u32);
}

/// An evaluation that could not finish; the form's author must fix the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

fn err<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
    })
}

impl Expr {
    /// Evaluates the expression. Stops with an error after [`MAX_STEPS`] steps.
    pub fn eval(&self, env: &dyn Env) -> Result<Value, EvalError> {
        let mut steps = 0;
        Eval {
            env,
            steps: &mut steps,
        }
        .eval(self)
    }

    /// Evaluates a condition: true only for `true` (null and false are false).
    pub fn eval_bool(&self, env: &dyn Env) -> Result<bool, EvalError> {
        truthy(&self.eval(env)?)
    }
}

fn truthy(v: &Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => err(format!("expected yes/no, got {}", other.type_name())),
    }
}

struct Eval<'a> {
    env: &'a dyn Env,
    steps: &'a mut usize,
}

impl Eval<'_> {
    fn step(&mut self, n: usize) -> Result<(), EvalError> {
        *self.steps += n;
        if *self.steps > MAX_STEPS {
            return err(format!("the expression needs more than {MAX_STEPS} steps"));
        }
        Ok(())
    }

    fn eval(&mut self, e: &Expr) -> Result<Value, EvalError> {
        self.step(1)?;
        Ok(match e {
            Expr::Null => Value::Null,
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Num(n) => Value::Num(*n),
            Expr::Str(s) => Value::Text(s.clone()),
            Expr::Ref(path) => {
                let v = self.env.lookup(path);
                if let Value::List(items) = &v {
                    self.step(items.len())?;
                }
                v
            }
            Expr::Not(e) => Value::Bool(!truthy(&self.eval(e)?)?),
            Expr::Neg(e) => match self.eval(e)? {
                Value::Null => Value::Null,
                Value::Num(n) => Value::Num(-n),
                other => return err(format!("cannot negate {}", other.type_name())),
            },
            Expr::Bin(BinOp::And, a, b) => {
                Value::Bool(truthy(&self.eval(a)?)? && truthy(&self.eval(b)?)?)
            }
            Expr::Bin(BinOp::Or, a, b) => {
                Value::Bool(truthy(&self.eval(a)?)? || truthy(&self.eval(b)?)?)
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                binary(*op, &a, &b)?
            }
            Expr::Matches(subject, re) => match self.eval(subject)? {
                Value::Null => Value::Bool(false),
                v => Value::Bool(re.is_match(&v.to_text())),
            },
            Expr::Call(f, args) => self.call(*f, args)?,
        })
    }

    fn call(&mut self, f: Func, args: &[Expr]) -> Result<Value, EvalError> {
        if f == Func::If {
            let c = truthy(&self.eval(&args[0])?)?;
            return self.eval(&args[if c { 1 } else { 2 }]);
        }
        let vals = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let arg = |i: usize| vals.get(i).cloned().unwrap_or(Value::Null);
        Ok(match f {
            // Evaluated lazily above / compiled into `Expr::Matches` by the parser.
            Func::If | Func::Matches => Value::Null,
            Func::Empty => Value::Bool(match arg(0) {
                Value::Null => true,
                Value::Text(s) => s.trim().is_empty(),
                Value::List(l) => l.is_empty(),
                _ => false,
            }),
            Func::Len => match arg(0) {
                Value::Null => Value::Num(Decimal::ZERO),
                Value::Text(s) => Value::Num(Decimal::from(s.chars().count())),
                Value::List(l) => Value::Num(Decimal::from(l.len())),
                other => return err(format!("len() of {}", other.type_name())),
            },
            Func::Count => match arg(0) {
                Value::Null => Value::Num(Decimal::ZERO),
                Value::List(l) => Value::Num(Decimal::from(
                    l.iter().filter(|v| **v != Value::Null).count(),
                )),
                _ => Value::Num(Decimal::ONE),
            },
            Func::Sum => {
                let mut total = Decimal::ZERO;
                for v in list_of(arg(0)) {
                    if let Some(n) = number(&v)? {
                        total = total.checked_add(n).ok_or_else(|| EvalError {
                            message: "sum overflows".into(),
                        })?;
                    }
                }
                Value::Num(total)
            }
            Func::Min | Func::Max => {
                let mut best: Option<Decimal> = None;
                for v in vals.into_iter().flat_map(list_of) {
                    if let Some(n) = number(&v)? {
                        best = Some(match best {
                            None => n,
                            Some(b) if (f == Func::Min) == (n < b) => n,
                            Some(b) => b,
                        });
                    }
                }
                best.map_or(Value::Null, Value::Num)
            }
            Func::Round => {
                let places = match arg(1) {
                    Value::Null => 0,
                    v => number(&v)?.and_then(|d| d.to_u32()).unwrap_or(0).min(12),
                };
                match number(&arg(0))? {
                    Some(n) => Value::Num(
                        n.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero),
                    ),
                    None => Value::Null,
                }
            }
            Func::Today => {
                let (y, m, d) = self.env.today();
                Value::Text(format!("{y:04}-{m:02}-{d:02}"))
            }
            Func::DaysBetween => match (date(&arg(0))?, date(&arg(1))?) {
                (Some(a), Some(b)) => {
                    Value::Num(Decimal::from(days_from_civil(b) - days_from_civil(a)))
                }
                _ => Value::Null,
            },
            Func::YearsBetween => match (date(&arg(0))?, date(&arg(1))?) {
                (Some(a), Some(b)) => Value::Num(Decimal::from(whole_years(a, b))),
                _ => Value::Null,
            },
            Func::Contains => match (arg(0), arg(1)) {
                (Value::Null, _) => Value::Bool(false),
                (Value::List(l), needle) => Value::Bool(l.contains(&needle)),
                (Value::Text(s), needle) => Value::Bool(s.contains(&needle.to_text())),
                (other, _) => return err(format!("contains() in {}", other.type_name())),
            },
            Func::Number => number(&arg(0))?.map_or(Value::Null, Value::Num),
            Func::Text => Value::Text(arg(0).to_text()),
            Func::Lower => Value::Text(arg(0).to_text().to_lowercase()),
            Func::Upper => Value::Text(arg(0).to_text().to_uppercase()),
        })
    }
}

fn list_of(v: Value) -> Vec<Value> {
    match v {
        Value::List(l) => l,
        other => vec![other],
    }
}

/// A number from a number or from text as typed ("1.234,50" and "1234.5" both count).
fn number(v: &Value) -> Result<Option<Decimal>, EvalError> {
    match v {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        Value::Text(s) => Ok(parse_number(s)),
        other => err(format!("expected a number, got {}", other.type_name())),
    }
}

/// Parses a number as people type it in Germany or elsewhere: `1.234,5`, `1234,5`, `1234.5`.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let t = s.trim().replace(['\u{a0}', ' '], "");
    if t.is_empty() {
        return None;
    }
    let normalized = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    normalized.parse().ok()
}

fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, EvalError> {
    use BinOp::{Add, Concat, Div, Eq, Ge, Gt, Le, Lt, Mul, Ne, Rem, Sub};
    match op {
        Concat => Ok(Value::Text(a.to_text() + &b.to_text())),
        Eq => Ok(Value::Bool(equal(a, b))),
        Ne => Ok(Value::Bool(!equal(a, b))),
        Lt | Le | Gt | Ge => {
            let Some(ord) = compare(a, b)? else {
                return Ok(Value::Bool(false));
            };
            Ok(Value::Bool(match op {
                Lt => ord == Ordering::Less,
                Le => ord != Ordering::Greater,
                Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }))
        }
        Add | Sub | Mul | Div | Rem => {
            let (Some(x), Some(y)) = (number(a)?, number(b)?) else {
                return Ok(Value::Null);
            };
            if y.is_zero() && matches!(op, Div | Rem) {
                // Division by zero gives no value (like an empty field), not a crash.
                return Ok(Value::Null);
            }
            let r = match op {
                Add => x.checked_add(y),
                Sub => x.checked_sub(y),
                Mul => x.checked_mul(y),
                Div => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            r.map(Value::Num).ok_or_else(|| EvalError {
                message: "the number is too large".into(),
            })
        }
        BinOp::And | BinOp::Or => err("internal: logical operator"),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), other) | (other, Value::Num(x)) if !matches!(other, Value::Num(_)) => {
            number(other).ok().flatten() == Some(*x)
        }
        _ => a == b,
    }
}

/// Orders numbers numerically and text (including ISO dates) lexically; null is unordered.
fn compare(a: &Value, b: &Value) -> Result<Option<Ordering>, EvalError> {
    Ok(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Num(_), _) | (_, Value::Num(_)) => match (number(a)?, number(b)?) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        (x, y) => {
            return err(format!(
                "cannot compare {} with {}",
                x.type_name(),
                y.type_name()
            ))
        }
    })
}

/// A date from ISO text `YYYY-MM-DD` (a date-time's date part counts).
fn date(v: &Value) -> Result<Option<(i64, u32, u32)>, EvalError> {
    let Value::Text(s) = v else {
        return match v {
            Value::Null => Ok(None),
            other => err(format!("expected a date, got {}", other.type_name())),
        };
    };
    let d = s.get(..10).unwrap_or(s);
    let mut it = d.split('-');
    let parsed = (|| {
        let y: i64 = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let day: u32 = it.next()?.parse().ok()?;
        ((1..=12).contains(&m) && (1..=31).contains(&day)).then_some((y, m, day))
    })();
    match parsed {
        Some(x) => Ok(Some(x)),
        None => err(format!("'{s}' is not a date (YYYY-MM-DD)")),
    }
}

/// Completed years from `a` to `b` (an age on a date).
fn whole_years(a: (i64, u32, u32), b: (i64, u32, u32)) -> i64 {
    let mut years = b.0 - a.0;
    if (b.1, b.2) < (a.1, a.2) {
        years -= 1;
    }
    years
}
