//! Form definitions, as far as the foundation needs them: a versioned list of fields
//! with labels in several languages. The forms issue grows this into the full engine
//! (groups, repeats, rules, FIM import) in `crates/forms`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Text in several languages, keyed by language code (`de`, `en`, …).
/// German is the default and must always be present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    pub fn de_en(de: &str, en: &str) -> Self {
        Self(BTreeMap::from([
            ("de".to_owned(), de.to_owned()),
            ("en".to_owned(), en.to_owned()),
        ]))
    }

    /// The text in `lang`, falling back to German.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("de"))
            .map_or("", String::as_str)
    }
}

/// The kinds of field the foundation's sample form uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldKind {
    Text,
    MultilineText,
    Date,
    Email,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldDef {
    /// Stable key under which the value is stored in a draft.
    pub key: String,
    pub label: LocalizedText,
    pub help: Option<LocalizedText>,
    pub kind: FieldKind,
    pub required: bool,
    /// Maximum length in characters.
    pub max_len: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FormDefinition {
    pub id: String,
    pub version: String,
    pub title: LocalizedText,
    pub fields: Vec<FieldDef>,
}

impl FormDefinition {
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }
}
