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

/// Windows' device names: a file or folder called so (with any extension, in any case)
/// opens the device instead (`aux.pdf` is the AUX port), on a Windows machine and on a
/// Windows file server alike. `COM0`/`LPT0` and the superscript digits count since Windows 11.
const DEVICE_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3",
    "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
];

/// A file or folder name made from filled-in values that every file system Eingang delivers
/// to takes and keeps as written (a Windows share, an importer's hot folder, a WebDAV or
/// CMIS server on Windows): control characters and `\ / : * ? " < > |` become `_` (on NTFS
/// a `:` would write an alternate data stream of another file), spaces around and dots at
/// the end are dropped (Windows drops them silently, so `Bescheid.` and `Bescheid` would be
/// one file), and a device name (`CON`, `aux.pdf`, `com1.xml`) gets a leading `_`. An empty
/// result (`.`, `..`, nothing) stays empty: callers drop or refuse it.
#[must_use]
pub fn portable_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim().trim_end_matches(['.', ' ']);
    let stem = trimmed.split('.').next().unwrap_or_default().trim_end();
    if DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(stem)) {
        format!("_{trimmed}")
    } else {
        trimmed.to_owned()
    }
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

#[cfg(test)]
mod tests {
    use super::portable_name;

    #[test]
    fn portable_names_keep_plain_names_and_defuse_paths_streams_and_devices() {
        for (name, portable) in [
            ("Bauantrag 2026.xml", "Bauantrag 2026.xml"),
            ("Straße – Ä.pdf", "Straße – Ä.pdf"),
            ("a/b\\c:d*e?f\"g<h>i|j\u{7}", "a_b_c_d_e_f_g_h_i_j_"),
            ("  Bescheid. . ", "Bescheid"),
            ("CON", "_CON"),
            ("aux.pdf", "_aux.pdf"),
            ("Com1 .xml", "_Com1 .xml"),
            ("lpt¹", "_lpt¹"),
            ("CONSOLE.xml", "CONSOLE.xml"),
            ("com10", "com10"),
            ("nul_.txt", "nul_.txt"),
            ("..", ""),
            ("", ""),
        ] {
            assert_eq!(portable_name(name), portable, "{name:?}");
        }
    }
}
