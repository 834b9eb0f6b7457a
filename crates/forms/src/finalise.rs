//! Finalising: a complete, valid draft becomes the data of a submission — calculated values
//! filled in, fields that do not apply left out, attachments listed — and, for forms
//! imported from FIM, an XML rendering that follows the schema's structure.

use crate::compile::Form;
use crate::definition::{FieldKind, Item};
use crate::validate::{Issue, Today};
use serde_json::{Map, Value as Json};
use std::fmt::Write;

/// What a submission holds besides its id.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalData {
    /// Only relevant fields, calculations included.
    pub data: Map<String, Json>,
    /// Every attachment and signature reference in the data (`{blob, name, media_type, size}`).
    pub attachments: Vec<Json>,
    /// For FIM forms: the data as XML in the schema's structure (element names = FIM ids).
    pub xml: Option<String>,
}

impl Form {
    /// Checks the draft as finalised; returns its final data or every remaining issue.
    pub fn finalise(
        &self,
        values: &Map<String, Json>,
        today: Today,
    ) -> Result<FinalData, Vec<Issue>> {
        let state = self.evaluate(values, today);
        if !state.issues.is_empty() {
            return Err(state.issues);
        }
        let data = strip(&self.definition.items, &state.values, "", &state.hidden);
        let mut attachments = Vec::new();
        collect_attachments(&self.definition.items, &data, &mut attachments);
        let xml = self
            .definition
            .source
            .as_ref()
            .filter(|s| s.format.starts_with("fim-"))
            .map(|s| {
                let mut out = String::new();
                let _ = write!(
                    out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<antrag schema=\"{}\" version=\"{}\">",
                    escape(&s.id),
                    escape(s.version.as_deref().unwrap_or(""))
                );
                xml_items(&self.definition.items, &data, &mut out);
                out.push_str("</antrag>\n");
                out
            });
        Ok(FinalData {
            data,
            attachments,
            xml,
        })
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Keeps only what the form defines and what is relevant (not in `hidden`).
fn strip(
    items: &[Item],
    values: &Map<String, Json>,
    prefix: &str,
    hidden: &[String],
) -> Map<String, Json> {
    let mut out = Map::new();
    for item in items {
        let (key, path) = match item {
            Item::Field(f) => (&f.key, join(prefix, &f.key)),
            Item::Group(g) => (&g.key, join(prefix, &g.key)),
            Item::Info(_) => continue,
        };
        if hidden.contains(&path) {
            continue;
        }
        let Some(v) = values.get(key) else { continue };
        match (item, v) {
            (Item::Field(_), Json::Null) => {}
            (Item::Field(_), v) => {
                out.insert(key.clone(), v.clone());
            }
            (Item::Group(g), Json::Object(m)) => {
                out.insert(key.clone(), Json::Object(strip(&g.items, m, &path, hidden)));
            }
            (Item::Group(g), Json::Array(rows)) => {
                let rows = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let m = r.as_object().cloned().unwrap_or_default();
                        Json::Object(strip(&g.items, &m, &format!("{path}[{i}]"), hidden))
                    })
                    .collect();
                out.insert(key.clone(), Json::Array(rows));
            }
            _ => {}
        }
    }
    out
}

fn collect_attachments(items: &[Item], values: &Map<String, Json>, out: &mut Vec<Json>) {
    for item in items {
        match (
            item,
            values.get(match item {
                Item::Field(f) => &f.key,
                Item::Group(g) => &g.key,
                Item::Info(i) => &i.key,
            }),
        ) {
            (Item::Field(f), Some(Json::Array(files))) if f.kind == FieldKind::Attachment => {
                out.extend(files.iter().cloned());
            }
            (Item::Field(f), Some(sig @ Json::Object(_))) if f.kind == FieldKind::Signature => {
                out.push(sig.clone());
            }
            (Item::Group(g), Some(Json::Object(m))) => collect_attachments(&g.items, m, out),
            (Item::Group(g), Some(Json::Array(rows))) => {
                for r in rows.iter().filter_map(Json::as_object) {
                    collect_attachments(&g.items, r, out);
                }
            }
            _ => {}
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// FIM element name from a key: the FIM id in capitals (`f60000227` → `F60000227`).
fn element(key: &str) -> String {
    key.trim_start_matches('_').to_uppercase()
}

fn xml_items(items: &[Item], values: &Map<String, Json>, out: &mut String) {
    for item in items {
        match item {
            Item::Field(f) => {
                let Some(v) = values.get(&f.key) else {
                    continue;
                };
                let name = element(&f.key);
                let text = match v {
                    Json::String(s) => escape(s),
                    Json::Bool(b) => b.to_string(),
                    Json::Number(n) => n.to_string(),
                    Json::Array(a) => a
                        .iter()
                        .map(|x| {
                            x.get("name")
                                .and_then(Json::as_str)
                                .or(x.as_str())
                                .map(escape)
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    Json::Object(o) => o
                        .get("name")
                        .and_then(Json::as_str)
                        .map(escape)
                        .unwrap_or_default(),
                    Json::Null => continue,
                };
                let _ = write!(out, "<{name}>{text}</{name}>");
            }
            Item::Group(g) => {
                let name = element(g.key.trim_end_matches("_liste"));
                match values.get(&g.key) {
                    Some(Json::Object(m)) => {
                        let _ = write!(out, "<{name}>");
                        xml_items(&g.items, m, out);
                        let _ = write!(out, "</{name}>");
                    }
                    Some(Json::Array(rows)) if g.key.ends_with("_liste") => {
                        // A repeated field: its values one after another.
                        for r in rows.iter().filter_map(Json::as_object) {
                            xml_items(&g.items, r, out);
                        }
                    }
                    Some(Json::Array(rows)) => {
                        for r in rows.iter().filter_map(Json::as_object) {
                            let _ = write!(out, "<{name}>");
                            xml_items(&g.items, r, out);
                            let _ = write!(out, "</{name}>");
                        }
                    }
                    _ => {}
                }
            }
            Item::Info(_) => {}
        }
    }
}
