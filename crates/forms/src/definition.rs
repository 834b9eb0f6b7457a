//! The form definition format (version 1), as authors write it in JSON.
//!
//! A form is `id` + `version`, a title, and a tree of items: fields, groups (optionally
//! repeating) and info texts. Conditions and calculations are expressions (see
//! [`crate::expr`]). `docs/form-definition.schema.json` is generated from these types
//! (`cargo run -p eingang-forms --example schema`), and `docs/forms.md` explains them.
//! Unknown keys are refused, so a typo is an error instead of a silently ignored setting.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Text in several languages keyed by language code (`de`, `en`, `tr`, …); `de` is required.
pub type Text = BTreeMap<String, String>;

/// The format version this build reads.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Always 1 for this format.
    pub format: u32,
    /// Stable id: lowercase letters, digits, `-`, `_`, `.`.
    pub id: String,
    /// Version of this form; a new version coexists with the old one.
    pub version: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The items, in display order.
    pub items: Vec<Item>,
    /// Cross-field rules: each must hold when the form is finalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Code lists that choice fields can name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub code_lists: BTreeMap<String, CodeList>,
    /// Free-text documentation kept with the form (e.g. FIM rules that are not machine-readable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Where the form came from, when it was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    Field(Box<Field>),
    Group(Group),
    Info(Info),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    MultilineText,
    Integer,
    Decimal,
    Currency,
    Date,
    Time,
    DateTime,
    YesNo,
    SingleChoice,
    MultipleChoice,
    Email,
    Phone,
    Iban,
    PostalCode,
    Attachment,
    Signature,
}

/// `true`/`false`, or an expression that decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(untagged)]
pub enum Condition {
    Fixed(bool),
    When(String),
}

impl Default for Condition {
    fn default() -> Self {
        Self::Fixed(false)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Key under which the value is stored; unique among its siblings.
    pub key: String,
    pub kind: FieldKind,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Help in plain language (Leichte Sprache), where the form provides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_plain: Option<Text>,
    #[serde(default, skip_serializing_if = "is_fixed_false")]
    pub required: Condition,
    /// Shown (and validated, and submitted) only while this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// The value is computed by this expression and cannot be edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest number, or earliest date (`YYYY-MM-DD`) for date fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// Decimal places allowed (decimal and currency fields; currency defaults to 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
    /// A regular expression the whole value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// What to tell the user when the pattern does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Text>,
    /// Must be true for a filled-in value (evaluated in the field's own scope, so in a
    /// repeat group it compares with the same row), e.g. `bis > von`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Text>,
    /// Choices of single/multiple choice fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Choices>,
    /// Attachments: accepted media types (e.g. `application/pdf`, `image/*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Attachments: most files (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,
}

fn is_fixed_false(c: &Condition) -> bool {
    *c == Condition::Fixed(false)
}

/// A number, or a date as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(untagged)]
pub enum Bound {
    Number(#[ts(type = "number | string")] Decimal),
    Date(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(untagged)]
pub enum Choices {
    Inline(Vec<Choice>),
    CodeList {
        /// Name of an entry in the form's `code_lists`.
        code_list: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value (a code).
    pub value: String,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    /// Canonical URI and version of the list (e.g. from XRepository), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub entries: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub key: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Present for a repeat group: how many rows the user must/may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    #[serde(default)]
    pub min: u32,
    /// No upper limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Info {
    pub key: String,
    pub text: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// Must be true for the form to be finalised (while `relevant`, if given, is true).
    pub assert: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Shown to the user when the rule does not hold.
    pub message: Text,
    /// The fields the message belongs to (paths like `veranstaltung.ende`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Where the note came from (e.g. the FIM rule id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// e.g. `fim-xdf2`, `fim-xdf3`.
    pub format: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
