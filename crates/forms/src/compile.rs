//! Checking a definition and preparing it for use: every key, expression, pattern,
//! reference and code list is checked once, and all problems are reported together,
//! each with its location (`items/veranstaltung/ende.relevant`).

use crate::definition::{
    Bound, Choices, Condition, Field, FieldKind, FormDefinition, Group, Item, FORMAT,
};
use crate::expr::Expr;
use regex::Regex;
use std::collections::{BTreeSet, HashSet};
use std::fmt;

/// One problem in a form definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// Where: `items/<key>/<key>.<property>`, `rules/<id>`, `id`, …
    pub location: String,
    pub problem: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

/// A checked, ready form. Build with [`Form::compile`].
#[derive(Debug)]
pub struct Form {
    pub definition: FormDefinition,
    pub(crate) items: Vec<CItem>,
    pub(crate) rules: Vec<CRule>,
    /// Keys at the top level (the root scope).
    pub(crate) root_keys: HashSet<String>,
}

#[derive(Debug)]
pub(crate) enum CItem {
    Field(Box<CField>),
    Group(CGroup),
    /// Info texts are not validated; they can be hidden.
    Info {
        key: String,
        relevant: Option<Expr>,
    },
}

#[derive(Debug)]
pub(crate) enum Required {
    Fixed(bool),
    When(Expr),
}

#[derive(Debug)]
pub(crate) struct CField {
    pub def: Field,
    pub required: Required,
    pub relevant: Option<Expr>,
    pub calculate: Option<Expr>,
    pub constraint: Option<Expr>,
    pub pattern: Option<Regex>,
    /// Allowed values of choice fields.
    pub choices: Option<BTreeSet<String>>,
}

#[derive(Debug)]
pub(crate) struct CGroup {
    pub def_key: String,
    pub repeat: Option<crate::definition::Repeat>,
    pub relevant: Option<Expr>,
    pub items: Vec<CItem>,
    pub keys: HashSet<String>,
}

#[derive(Debug)]
pub(crate) struct CRule {
    pub id: String,
    pub assert: Expr,
    pub relevant: Option<Expr>,
    pub message: crate::definition::Text,
    pub fields: Vec<String>,
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !matches!(k, "and" | "or" | "not" | "true" | "false" | "null")
}

/// The keys declared by each enclosing scope, innermost last, for reference checks.
type ScopeStack<'a> = Vec<&'a [Item]>;

struct Compiler<'a> {
    def: &'a FormDefinition,
    errors: Vec<DefinitionError>,
}

impl Compiler<'_> {
    fn error(&mut self, location: &str, problem: impl Into<String>) {
        self.errors.push(DefinitionError {
            location: location.to_owned(),
            problem: problem.into(),
        });
    }

    fn expr(&mut self, location: &str, src: Option<&str>, scopes: &ScopeStack<'_>) -> Option<Expr> {
        let src = src?;
        match Expr::parse(src) {
            Ok(e) => {
                for path in e.references() {
                    if !resolves(scopes, path) {
                        self.error(
                            location,
                            format!(
                                "'{}' does not name a field or group in reach",
                                path.join(".")
                            ),
                        );
                    }
                }
                Some(e)
            }
            Err(e) => {
                self.error(location, format!("expression does not parse {e}"));
                None
            }
        }
    }

    fn items<'d>(
        &mut self,
        items: &'d [Item],
        at: &str,
        scopes: &mut ScopeStack<'d>,
    ) -> (Vec<CItem>, HashSet<String>) {
        let mut keys = HashSet::new();
        scopes.push(items);
        let mut out = Vec::new();
        for item in items {
            let key = match item {
                Item::Field(f) => &f.key,
                Item::Group(g) => &g.key,
                Item::Info(i) => &i.key,
            };
            let loc = format!("{at}/{key}");
            if !valid_key(key) {
                self.error(
                    &loc,
                    "a key is letters, digits and '_' and does not start with a digit",
                );
            }
            if !keys.insert(key.clone()) {
                self.error(&loc, format!("the key '{key}' is used twice at this level"));
            }
            out.push(match item {
                Item::Field(f) => CItem::Field(Box::new(self.field(f, &loc, scopes))),
                Item::Group(g) => CItem::Group(self.group(g, &loc, scopes)),
                Item::Info(i) => CItem::Info {
                    key: i.key.clone(),
                    relevant: self.expr(&format!("{loc}.relevant"), i.relevant.as_deref(), scopes),
                },
            });
        }
        scopes.pop();
        (out, keys)
    }

    fn group<'d>(&mut self, g: &'d Group, loc: &str, scopes: &mut ScopeStack<'d>) -> CGroup {
        let relevant = self.expr(&format!("{loc}.relevant"), g.relevant.as_deref(), scopes);
        if let Some(r) = g.repeat {
            if r.max.is_some_and(|m| m < r.min || m == 0) {
                self.error(
                    loc,
                    "repeat.max must be at least 1 and not below repeat.min",
                );
            }
        }
        if g.items.is_empty() {
            self.error(loc, "a group needs at least one item");
        }
        let (items, keys) = self.items(&g.items, loc, scopes);
        CGroup {
            def_key: g.key.clone(),
            repeat: g.repeat,
            relevant,
            items,
            keys,
        }
    }

    fn field(&mut self, f: &Field, loc: &str, scopes: &ScopeStack<'_>) -> CField {
        if !f.label.contains_key("de") {
            self.error(loc, "the label needs German text ('de')");
        }
        let required = match &f.required {
            Condition::Fixed(b) => Required::Fixed(*b),
            Condition::When(src) => self
                .expr(&format!("{loc}.required"), Some(src), scopes)
                .map_or(Required::Fixed(false), Required::When),
        };
        let relevant = self.expr(&format!("{loc}.relevant"), f.relevant.as_deref(), scopes);
        let calculate = self.expr(&format!("{loc}.calculate"), f.calculate.as_deref(), scopes);
        let constraint = self.expr(
            &format!("{loc}.constraint"),
            f.constraint.as_deref(),
            scopes,
        );
        let pattern = f.pattern.as_deref().and_then(|p| {
            regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(1 << 20)
                .build()
                .map_err(|e| self.error(&format!("{loc}.pattern"), format!("invalid pattern: {e}")))
                .ok()
        });
        if let (Some(a), Some(b)) = (f.min_length, f.max_length) {
            if a > b {
                self.error(loc, "min_length is larger than max_length");
            }
        }
        self.bounds(f, loc);
        let is_choice = matches!(f.kind, FieldKind::SingleChoice | FieldKind::MultipleChoice);
        let choices = match (&f.choices, is_choice) {
            (None, true) => {
                self.error(loc, "a choice field needs choices (inline or a code_list)");
                None
            }
            (Some(_), false) => {
                self.error(loc, "only choice fields have choices");
                None
            }
            (None, false) => None,
            (Some(Choices::Inline(list)), true) => Some(self.choice_values(list, loc)),
            (Some(Choices::CodeList { code_list }), true) => {
                if let Some(cl) = self.def.code_lists.get(code_list) {
                    Some(self.choice_values(&cl.entries, loc))
                } else {
                    let problem = format!("the code list '{code_list}' is not in code_lists");
                    self.error(loc, problem);
                    None
                }
            }
        };
        CField {
            def: f.clone(),
            required,
            relevant,
            calculate,
            constraint,
            pattern,
            choices,
        }
    }

    fn bounds(&mut self, f: &Field, loc: &str) {
        let numeric = matches!(
            f.kind,
            FieldKind::Integer | FieldKind::Decimal | FieldKind::Currency
        );
        let dated = matches!(f.kind, FieldKind::Date | FieldKind::DateTime);
        for (name, b) in [("min", &f.min), ("max", &f.max)] {
            match b {
                None => {}
                Some(Bound::Number(_)) if numeric => {}
                Some(Bound::Date(d)) if dated && eingang_model::time::is_date(d) => {}
                Some(_) => self.error(
                    &format!("{loc}.{name}"),
                    "a bound is a number for number fields and a date (YYYY-MM-DD) for date fields",
                ),
            }
        }
        if let (Some(Bound::Number(a)), Some(Bound::Number(b))) = (&f.min, &f.max) {
            if a > b {
                self.error(loc, "min is larger than max");
            }
        }
    }

    fn choice_values(&mut self, list: &[crate::definition::Choice], loc: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        if list.is_empty() {
            self.error(loc, "the list of choices is empty");
        }
        for c in list {
            if !seen.insert(c.value.clone()) {
                self.error(loc, format!("the choice value '{}' appears twice", c.value));
            }
        }
        seen
    }
}

/// Whether `path` names something from the scopes (innermost first), descending into groups.
fn resolves(scopes: &ScopeStack<'_>, path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    scopes
        .iter()
        .rev()
        .find_map(|items| find(items, first))
        .is_some_and(|item| descend(item, rest))
}

fn find<'a>(items: &'a [Item], key: &str) -> Option<&'a Item> {
    items.iter().find(|i| match i {
        Item::Field(f) => f.key == key,
        Item::Group(g) => g.key == key,
        Item::Info(_) => false,
    })
}

fn descend(item: &Item, rest: &[String]) -> bool {
    match (item, rest.split_first()) {
        (_, None) => true,
        (Item::Group(g), Some((next, more))) => {
            find(&g.items, next).is_some_and(|i| descend(i, more))
        }
        _ => false,
    }
}

impl Form {
    /// Checks `def` and prepares it. Reports every problem found, not just the first.
    pub fn compile(def: FormDefinition) -> Result<Self, Vec<DefinitionError>> {
        let mut c = Compiler {
            def: &def,
            errors: Vec::new(),
        };
        if def.format != FORMAT {
            c.error(
                "format",
                format!(
                    "format {} is not supported (this Eingang reads {FORMAT})",
                    def.format
                ),
            );
        }
        let id_ok = !def.id.is_empty()
            && def.id.len() <= 100
            && def
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if !id_ok {
            c.error(
                "id",
                "an id is 1–100 characters: lowercase letters, digits, '-', '_', '.'",
            );
        }
        if def.version.trim().is_empty() {
            c.error("version", "a version is required");
        }
        if !def.title.contains_key("de") {
            c.error("title", "the title needs German text ('de')");
        }
        let mut scopes = Vec::new();
        let (items, root_keys) = c.items(&def.items, "items", &mut scopes);
        let mut rules = Vec::new();
        let mut rule_ids = HashSet::new();
        let root: ScopeStack<'_> = vec![&def.items];
        for r in &def.rules {
            let loc = format!("rules/{}", r.id);
            if !rule_ids.insert(r.id.clone()) {
                c.error(&loc, "the rule id is used twice");
            }
            for f in &r.fields {
                let path: Vec<String> = f.split('.').map(str::to_owned).collect();
                if !resolves(&root, &path) {
                    c.error(&loc, format!("'{f}' in fields does not name a field"));
                }
            }
            let assert = c.expr(&format!("{loc}.assert"), Some(&r.assert), &root);
            let relevant = c.expr(&format!("{loc}.relevant"), r.relevant.as_deref(), &root);
            if let Some(assert) = assert {
                rules.push(CRule {
                    id: r.id.clone(),
                    assert,
                    relevant,
                    message: r.message.clone(),
                    fields: r.fields.clone(),
                });
            }
        }
        let errors = c.errors;
        if errors.is_empty() {
            Ok(Self {
                definition: def,
                items,
                rules,
                root_keys,
            })
        } else {
            Err(errors)
        }
    }

    /// Parses JSON and compiles it; JSON errors come with line and column.
    pub fn from_json(json: &str) -> Result<Self, Vec<DefinitionError>> {
        let def: FormDefinition = serde_json::from_str(json).map_err(|e| {
            vec![DefinitionError {
                location: format!("line {}, column {}", e.line(), e.column()),
                problem: e.to_string(),
            }]
        })?;
        Self::compile(def)
    }
}
