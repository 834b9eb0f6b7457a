//! Calculating and validating a form's values.
//!
//! Values are JSON: an object per form or group, an array of objects per repeat group,
//! and per field what the user entered (text as typed, `true`/`false`, a list of codes for
//! multiple choice, a list of attachment references). Fields that are not relevant are
//! neither validated nor required. Issues carry a stable `code` and parameters the UI
//! translates, and the path of the field (`stände[1].fläche`).

use crate::compile::{CField, CGroup, CItem, Form, Required};
use crate::definition::{Bound, FieldKind, Text};
use crate::expr::{parse_number, Env, Expr, Value};
pub use eingang_model::time::is_date;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, HashSet};

/// One problem with the values, tied to a field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Issue {
    /// The field (or group) concerned: `antragsteller.name`, `stände[0].fläche`.
    pub path: String,
    /// Stable code, translated by the UI: `required`, `too_long`, `invalid_iban`, `rule`, …
    #[ts(type = "string")]
    pub code: &'static str,
    /// Values for the message (`max`, `min`, `decimals`, …).
    #[ts(type = "Record<string, string>")]
    pub params: BTreeMap<&'static str, String>,
    /// For `rule`: the form's own message.
    pub message: Option<Text>,
}

impl Issue {
    fn new(path: &str, code: &'static str) -> Self {
        Self {
            path: path.to_owned(),
            code,
            params: BTreeMap::new(),
            message: None,
        }
    }

    fn with(mut self, k: &'static str, v: &impl ToString) -> Self {
        self.params.insert(k, v.to_string());
        self
    }
}

/// The date of today as (year, month, day), supplied by the caller.
pub type Today = (i32, u32, u32);

/// Everything the UI needs after a change: calculated values, issues, hidden items.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FormState {
    /// The values with every calculated field filled in.
    pub values: Map<String, Json>,
    /// Problems as if the form were finalised now (the UI decides which to show when).
    pub issues: Vec<Issue>,
    /// Paths of fields, groups and info texts that are not relevant now (not shown).
    pub hidden: Vec<String>,
}

/// Scopes for expressions: the keys each scope declares and its values, innermost last.
struct Scopes<'a> {
    frames: Vec<(&'a HashSet<String>, &'a Map<String, Json>)>,
    today: Today,
}

static EMPTY: std::sync::LazyLock<Map<String, Json>> = std::sync::LazyLock::new(Map::new);

impl Env for Scopes<'_> {
    fn lookup(&self, path: &[String]) -> Value {
        let Some((first, rest)) = path.split_first() else {
            return Value::Null;
        };
        let Some((_, values)) = self
            .frames
            .iter()
            .rev()
            .find(|(keys, _)| keys.contains(first))
        else {
            return Value::Null;
        };
        let mut cur = values.get(first).cloned().unwrap_or(Json::Null);
        for seg in rest {
            cur = match cur {
                Json::Object(m) => m.get(seg).cloned().unwrap_or(Json::Null),
                // Through a repeat group: the column of all its rows.
                Json::Array(rows) => Json::Array(
                    rows.iter()
                        .map(|r| r.get(seg).cloned().unwrap_or(Json::Null))
                        .collect(),
                ),
                _ => Json::Null,
            };
        }
        Value::from_json(&cur)
    }

    fn today(&self) -> (i32, u32, u32) {
        self.today
    }
}

fn is_relevant(e: Option<&Expr>, env: &Scopes<'_>) -> bool {
    // An expression that fails to evaluate shows the item: hiding a field by mistake
    // could drop what the user must enter.
    e.is_none_or(|e| e.eval_bool(env).unwrap_or(true))
}

fn is_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.trim().is_empty(),
        Some(Json::Array(a)) => a.is_empty(),
        Some(Json::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Form {
    /// Checks `values` as for finalising: every relevant field, group and rule.
    pub fn validate(&self, values: &Map<String, Json>, today: Today) -> Vec<Issue> {
        self.check(values, today).0
    }

    /// Calculates, then validates: the state of the form for these values.
    pub fn evaluate(&self, values: &Map<String, Json>, today: Today) -> FormState {
        let mut values = values.clone();
        self.calculate(&mut values, today);
        let (issues, hidden) = self.check(&values, today);
        FormState {
            values,
            issues,
            hidden,
        }
    }

    fn check(&self, values: &Map<String, Json>, today: Today) -> (Vec<Issue>, Vec<String>) {
        let mut scopes = Scopes {
            frames: vec![(&self.root_keys, values)],
            today,
        };
        let mut issues = Vec::new();
        let mut hidden = Vec::new();
        validate_items(
            &self.items,
            values,
            "",
            &mut scopes,
            &mut issues,
            &mut hidden,
        );
        for r in &self.rules {
            if !is_relevant(r.relevant.as_ref(), &scopes) {
                continue;
            }
            let holds = match r.assert.eval_bool(&scopes) {
                Ok(b) => b,
                Err(e) => {
                    issues.push(
                        Issue::new(r.fields.first().map_or("", String::as_str), "rule_error")
                            .with("rule", &r.id)
                            .with("detail", &e),
                    );
                    continue;
                }
            };
            if !holds {
                let targets = if r.fields.is_empty() {
                    vec![String::new()]
                } else {
                    r.fields.clone()
                };
                for path in targets {
                    // A field that already has a problem (e.g. still empty) shows that first.
                    if !path.is_empty() && issues.iter().any(|i| i.path == path) {
                        continue;
                    }
                    let mut i = Issue::new(&path, "rule").with("rule", &r.id);
                    i.message = Some(r.message.clone());
                    issues.push(i);
                }
            }
        }
        (issues, hidden)
    }

    /// Fills in every calculated field (in rows of repeat groups too). Calculations may
    /// build on each other in any order: this repeats until nothing changes (bounded).
    pub fn calculate(&self, values: &mut Map<String, Json>, today: Today) {
        let passes = count_calculations(&self.items) + 1;
        for _ in 0..passes {
            let snapshot = values.clone();
            let mut scopes = Scopes {
                frames: vec![(&self.root_keys, &snapshot)],
                today,
            };
            if !calculate_items(&self.items, &snapshot, values, &mut scopes) {
                break;
            }
        }
    }
}

fn count_calculations(items: &[CItem]) -> usize {
    items
        .iter()
        .map(|i| match i {
            CItem::Field(f) => usize::from(f.calculate.is_some()),
            CItem::Group(g) => count_calculations(&g.items),
            CItem::Info { .. } => 0,
        })
        .sum()
}

/// Returns whether any value changed.
fn calculate_items<'a>(
    items: &'a [CItem],
    snapshot: &'a Map<String, Json>,
    out: &mut Map<String, Json>,
    scopes: &mut Scopes<'a>,
) -> bool {
    let mut changed = false;
    for item in items {
        match item {
            CItem::Field(f) => {
                let Some(calc) = &f.calculate else { continue };
                let new = match calc.eval(scopes) {
                    Ok(Value::Null) | Err(_) => Json::Null,
                    Ok(Value::Bool(b)) => Json::Bool(b),
                    Ok(v) => Json::String(v.to_text()),
                };
                if out.get(&f.def.key) != Some(&new) {
                    out.insert(f.def.key.clone(), new);
                    changed = true;
                }
            }
            CItem::Group(g) => {
                let key = &g.def_key;
                match (snapshot.get(key), g.repeat.is_some()) {
                    (Some(Json::Array(rows)), true) => {
                        for (i, row) in rows.iter().enumerate() {
                            let (Some(row_in), Some(Json::Object(row_out))) =
                                (row.as_object(), out.get_mut(key).and_then(|a| a.get_mut(i)))
                            else {
                                continue;
                            };
                            scopes.frames.push((&g.keys, row_in));
                            changed |= calculate_items(&g.items, row_in, row_out, scopes);
                            scopes.frames.pop();
                        }
                    }
                    (group_in, false) => {
                        let group_in = group_in.and_then(Json::as_object).unwrap_or(&EMPTY);
                        let Json::Object(group_out) = out
                            .entry(key.clone())
                            .or_insert_with(|| Json::Object(Map::new()))
                        else {
                            continue;
                        };
                        scopes.frames.push((&g.keys, group_in));
                        changed |= calculate_items(&g.items, group_in, group_out, scopes);
                        scopes.frames.pop();
                    }
                    _ => {}
                }
            }
            CItem::Info { .. } => {}
        }
    }
    changed
}

fn validate_items<'a>(
    items: &'a [CItem],
    values: &'a Map<String, Json>,
    prefix: &str,
    scopes: &mut Scopes<'a>,
    issues: &mut Vec<Issue>,
    hidden: &mut Vec<String>,
) {
    for item in items {
        match item {
            CItem::Field(f) => {
                let path = join(prefix, &f.def.key);
                if is_relevant(f.relevant.as_ref(), scopes) {
                    validate_field(f, values.get(&f.def.key), &path, scopes, issues);
                } else {
                    hidden.push(path);
                }
            }
            CItem::Group(g) => {
                let path = join(prefix, &g.def_key);
                if is_relevant(g.relevant.as_ref(), scopes) {
                    validate_group(g, values.get(&g.def_key), &path, scopes, issues, hidden);
                } else {
                    hidden.push(path);
                }
            }
            CItem::Info { key, relevant } => {
                if !is_relevant(relevant.as_ref(), scopes) {
                    hidden.push(join(prefix, key));
                }
            }
        }
    }
}

fn validate_group<'a>(
    g: &'a CGroup,
    value: Option<&'a Json>,
    path: &str,
    scopes: &mut Scopes<'a>,
    issues: &mut Vec<Issue>,
    hidden: &mut Vec<String>,
) {
    let Some(repeat) = g.repeat else {
        let values = value.and_then(Json::as_object).unwrap_or(&EMPTY);
        scopes.frames.push((&g.keys, values));
        validate_items(&g.items, values, path, scopes, issues, hidden);
        scopes.frames.pop();
        return;
    };
    let rows: &[Json] = match value {
        Some(Json::Array(rows)) => rows,
        None | Some(Json::Null) => &[],
        Some(_) => {
            issues.push(Issue::new(path, "not_rows"));
            return;
        }
    };
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    if n < repeat.min {
        issues.push(Issue::new(path, "too_few_rows").with("min", &repeat.min));
    }
    if let Some(max) = repeat.max.filter(|m| n > *m) {
        issues.push(Issue::new(path, "too_many_rows").with("max", &max));
    }
    for (i, row) in rows.iter().enumerate() {
        let values = row.as_object().unwrap_or(&EMPTY);
        scopes.frames.push((&g.keys, values));
        validate_items(
            &g.items,
            values,
            &format!("{path}[{i}]"),
            scopes,
            issues,
            hidden,
        );
        scopes.frames.pop();
    }
}

fn validate_field(
    f: &CField,
    v: Option<&Json>,
    path: &str,
    env: &Scopes<'_>,
    issues: &mut Vec<Issue>,
) {
    let required = match &f.required {
        Required::Fixed(b) => *b,
        Required::When(e) => e.eval_bool(env).unwrap_or(true),
    };
    if is_empty(v) {
        if required {
            issues.push(Issue::new(path, "required"));
        }
        return;
    }
    let Some(v) = v else { return };
    if let Some(issue) = check_value(f, v, path) {
        issues.push(issue);
        return;
    }
    if let Some(c) = &f.constraint {
        match c.eval_bool(env) {
            Ok(true) => {}
            Ok(false) => {
                let mut i = Issue::new(path, "constraint");
                i.message.clone_from(&f.def.constraint_message);
                issues.push(i);
            }
            Err(e) => issues.push(Issue::new(path, "rule_error").with("detail", &e)),
        }
    }
}

/// The first problem with a non-empty value, by the field's kind and limits.
fn check_value(f: &CField, v: &Json, path: &str) -> Option<Issue> {
    let def = &f.def;
    let text = match v {
        Json::String(s) => Some(s.trim()),
        _ => None,
    };
    let need_text = || Issue::new(path, "wrong_type");
    let kind_issue = match def.kind {
        FieldKind::Text | FieldKind::MultilineText => {
            let s = text.map_or_else(String::new, str::to_owned);
            if text.is_none() {
                return Some(need_text());
            }
            let len = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            if let Some(min) = def.min_length.filter(|m| len < *m) {
                return Some(Issue::new(path, "too_short").with("min", &min));
            }
            if let Some(max) = def.max_length.filter(|m| len > *m) {
                return Some(Issue::new(path, "too_long").with("max", &max));
            }
            None
        }
        FieldKind::Integer | FieldKind::Decimal | FieldKind::Currency => {
            return check_number(def, v, path);
        }
        FieldKind::Date => text_issue(text, is_date, path, "invalid_date"),
        FieldKind::Time => text_issue(text, is_time, path, "invalid_time"),
        FieldKind::DateTime => text_issue(text, is_date_time, path, "invalid_date_time"),
        FieldKind::YesNo => (!v.is_boolean()).then(|| Issue::new(path, "wrong_type")),
        FieldKind::SingleChoice => {
            let ok = text.is_some_and(|s| f.choices.as_ref().is_some_and(|c| c.contains(s)));
            (!ok).then(|| Issue::new(path, "invalid_choice"))
        }
        FieldKind::MultipleChoice => {
            let ok = v.as_array().is_some_and(|a| {
                a.iter().all(|x| {
                    x.as_str()
                        .is_some_and(|s| f.choices.as_ref().is_some_and(|c| c.contains(s)))
                })
            });
            (!ok).then(|| Issue::new(path, "invalid_choice"))
        }
        FieldKind::Email => text_issue(text, is_email, path, "invalid_email"),
        FieldKind::Phone => text_issue(text, is_phone, path, "invalid_phone"),
        FieldKind::Iban => text_issue(text, is_iban, path, "invalid_iban"),
        FieldKind::PostalCode => text_issue(text, is_postal_code, path, "invalid_postal_code"),
        FieldKind::Attachment => check_attachments(def, v, path),
        FieldKind::Signature => None,
    };
    if kind_issue.is_some() {
        return kind_issue;
    }
    if let (Some(re), Some(s)) = (&f.pattern, text) {
        if !re.is_match(s) {
            let mut i = Issue::new(path, "pattern");
            i.message.clone_from(&def.pattern_message);
            return Some(i);
        }
    }
    if def.kind == FieldKind::Date {
        let s = text.unwrap_or_default();
        if let Some(Bound::Date(min)) = &def.min {
            if s < min.as_str() {
                return Some(Issue::new(path, "too_early").with("min", &min));
            }
        }
        if let Some(Bound::Date(max)) = &def.max {
            if s > max.as_str() {
                return Some(Issue::new(path, "too_late").with("max", &max));
            }
        }
    }
    None
}

fn check_number(def: &crate::definition::Field, v: &Json, path: &str) -> Option<Issue> {
    let n = match v {
        Json::Number(n) => n.to_string().parse().ok(),
        Json::String(s) => parse_number(s),
        _ => None,
    };
    let Some(n) = n else {
        return Some(Issue::new(path, "not_a_number"));
    };
    let allowed = match def.kind {
        FieldKind::Integer => 0,
        FieldKind::Currency => def.decimals.unwrap_or(2),
        _ => def.decimals.unwrap_or(28),
    };
    if n.normalize().scale() > allowed {
        return Some(if allowed == 0 {
            Issue::new(path, "not_an_integer")
        } else {
            Issue::new(path, "too_many_decimals").with("decimals", &allowed)
        });
    }
    if let Some(Bound::Number(min)) = &def.min {
        if n < *min {
            return Some(Issue::new(path, "below_min").with("min", &min));
        }
    }
    if let Some(Bound::Number(max)) = &def.max {
        if n > *max {
            return Some(Issue::new(path, "above_max").with("max", &max));
        }
    }
    None
}

fn check_attachments(def: &crate::definition::Field, v: &Json, path: &str) -> Option<Issue> {
    let Some(files) = v.as_array() else {
        return Some(Issue::new(path, "wrong_type"));
    };
    let max = def.max_files.unwrap_or(1);
    if files.len() > max as usize {
        return Some(Issue::new(path, "too_many_files").with("max", &max));
    }
    for file in files {
        let media = file.get("media_type").and_then(Json::as_str).unwrap_or("");
        let accepted = def.accept.is_empty()
            || def.accept.iter().any(|a| match a.strip_suffix("/*") {
                Some(prefix) => media.split('/').next() == Some(prefix),
                None => a == media,
            });
        if !accepted {
            return Some(
                Issue::new(path, "file_type_not_accepted").with("accept", &def.accept.join(", ")),
            );
        }
    }
    None
}

/// `code` at `path` unless `text` is present and passes `ok`.
fn text_issue(
    text: Option<&str>,
    ok: fn(&str) -> bool,
    path: &str,
    code: &'static str,
) -> Option<Issue> {
    (!text.is_some_and(ok)).then(|| Issue::new(path, code))
}

/// `YYYY-MM-DDTHH:MM[:SS]`.
fn is_date_time(s: &str) -> bool {
    s.len() >= 16
        && s.is_char_boundary(10)
        && is_date(&s[..10])
        && s.as_bytes()[10] == b'T'
        && is_time(&s[11..])
}

/// A German postal code: five digits.
fn is_postal_code(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `HH:MM` or `HH:MM:SS`, 24-hour.
fn is_time(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let num = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
    match parts.as_slice() {
        [h, m] => num(h, 23) && num(m, 59),
        [h, m, sec] => num(h, 23) && num(m, 59) && num(sec, 59),
        _ => false,
    }
}

/// A plausible address: one `@`, a local part, a domain with a dot, no spaces, ≤ 254.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Digits with the usual separators (`+49 251 492-0`, `(0251) 4920`); 5–15 digits (E.164).
fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
        && s.chars().filter(|c| *c == '+').count() <= 1
        && (!s.contains('+') || s.starts_with('+'))
}

/// ISO 13616: country code, check digits, mod-97 = 1; German IBANs have 22 characters.
fn is_iban(s: &str) -> bool {
    let iban: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !(15..=34).contains(&iban.len()) || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let b = iban.as_bytes();
    if !b[0].is_ascii_alphabetic()
        || !b[1].is_ascii_alphabetic()
        || !b[2].is_ascii_digit()
        || !b[3].is_ascii_digit()
    {
        return false;
    }
    if iban.starts_with("DE") && iban.len() != 22 {
        return false;
    }
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    let mut rem: u32 = 0;
    for c in rearranged {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_checksums() {
        assert!(is_iban("DE89 3704 0044 0532 0130 00"));
        assert!(
            is_iban("de89370400440532013000"),
            "case and spaces do not matter"
        );
        assert!(!is_iban("DE89 3704 0044 0532 0130 01"), "one digit off");
        assert!(
            !is_iban("DE89 3704 0044 0532 0130"),
            "German IBANs have 22 characters"
        );
        assert!(is_iban("GB82 WEST 1234 5698 7654 32"));
    }

    #[test]
    fn dates_times_emails_phones() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-13-01"));
        assert!(!is_date("29.02.2024"));
        assert!(is_time("23:59") && is_time("08:00:30") && !is_time("24:00") && !is_time("8:00"));
        assert!(is_email("bürgerbüro@stadt.de") && !is_email("a@b") && !is_email("a b@c.de"));
        assert!(
            is_phone("+49 251 492-0")
                && is_phone("(0251) 4920")
                && !is_phone("12")
                && !is_phone("0251+49")
        );
    }
}
