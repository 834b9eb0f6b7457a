//! Index and folder templates — the language of the configuration's `folder`,
//! `index_template` and `index_name` values, checked when the configuration is loaded.
//! Filling them in for a delivery is `eingang_sync::template`'s.
//!
//! Index templates: how a target's importer wants the index file (nscale Pipeliner and
//! similar map index fields from a file they pick up beside the documents).
//!
//! A template is text with placeholders: `{{id}}`, `{{art}}`, `{{formular}}`, `{{version}}`,
//! `{{erstellt}}` (the item's metadata), and a block `{{#dateien}}…{{/dateien}}` repeated
//! per file with `{{name}}`, `{{sha256}}`, `{{bytes}}` inside. Values are XML-escaped unless
//! the template's file name does not end in `.xml`. Unknown placeholders are refused when
//! the configuration is loaded, not when a delivery runs.

/// Metadata keys a template may use.
pub const FIELDS: &[&str] = &[
    "id", "art", "formular", "version", "erstellt", "jahr", "monat",
];
pub const FILE_FIELDS: &[&str] = &["name", "sha256", "bytes"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTemplate {
    body: String,
    /// The index file's name, itself a template (`{{id}}.xml`).
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("index template: {0}")]
pub struct TemplateError(pub String);

pub fn placeholders(s: &str) -> impl Iterator<Item = &str> {
    s.split("{{")
        .skip(1)
        .filter_map(|p| p.split_once("}}"))
        .map(|(k, _)| k.trim())
}

/// Checks a folder template (`{{formular}}/{{jahr}}`): known placeholders, no `..`.
pub fn check_path(template: &str) -> Result<(), TemplateError> {
    for key in placeholders(template) {
        if !FIELDS.contains(&key) {
            return Err(TemplateError(format!(
                "unknown placeholder {{{{{key}}}}} in the folder; known: {}",
                FIELDS.join(", ")
            )));
        }
    }
    if template.split('/').any(|s| s.trim() == "..") {
        return Err(TemplateError(
            "the folder must not climb out with ..".into(),
        ));
    }
    Ok(())
}

impl IndexTemplate {
    /// Checks `body` and `name`: balanced file block, known placeholders only.
    pub fn new(body: &str, name: &str) -> Result<Self, TemplateError> {
        let (outer, inner) = match (body.find("{{#dateien}}"), body.find("{{/dateien}}")) {
            (Some(a), Some(b)) if a < b => (
                format!("{}{}", &body[..a], &body[b + 12..]),
                body[a + 12..b].to_owned(),
            ),
            (None, None) => (body.to_owned(), String::new()),
            _ => {
                return Err(TemplateError(
                    "{{#dateien}} and {{/dateien}} must come as a pair, in this order".into(),
                ))
            }
        };
        for key in placeholders(&outer).chain(placeholders(name)) {
            if !FIELDS.contains(&key) {
                return Err(TemplateError(format!(
                    "unknown placeholder {{{{{key}}}}}; known: {}",
                    FIELDS.join(", ")
                )));
            }
        }
        for key in placeholders(&inner) {
            if !FILE_FIELDS.contains(&key) {
                return Err(TemplateError(format!(
                    "unknown placeholder {{{{{key}}}}} inside {{{{#dateien}}}}; known: {}",
                    FILE_FIELDS.join(", ")
                )));
            }
        }
        if !name.contains("{{id}}") {
            return Err(TemplateError(
                "the index file name must contain {{id}} so every delivery has its own".into(),
            ));
        }
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(TemplateError(format!(
                "the index file name {name:?} must be a plain file name"
            )));
        }
        Ok(Self {
            body: body.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The template text.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The index file's name template.
    pub fn name(&self) -> &str {
        &self.name
    }
}
