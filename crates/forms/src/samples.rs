//! The sample forms that ship with Eingang and are put into a new store's catalogue.

/// `(file name, JSON)` of every shipped sample form.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "ortstermin.json",
        include_str!("../samples/ortstermin.json"),
    ),
    (
        "sondernutzung-infostand.json",
        include_str!("../samples/sondernutzung-infostand.json"),
    ),
    (
        "veranstaltungsanzeige.json",
        include_str!("../samples/veranstaltungsanzeige.json"),
    ),
    (
        "hitzetelefon.json",
        include_str!("../samples/hitzetelefon.json"),
    ),
];

use crate::definition::Text;
use serde::Serialize;
use ts_rs::TS;

/// One entry of a catalogue listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FormSummary {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub description: Option<Text>,
    /// Where it came from: `builtin:…`, a file path, a sync target.
    pub origin: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub imported_at: i64,
}

/// The Ortstermin-Protokoll, the field workers' sample form (used in tests and examples).
pub const SAMPLE_FORM_ID: &str = "ortstermin";
pub const SAMPLE_FORM_VERSION: &str = "1.0";

/// A synthetic form for benchmarks and large-form tests: `groups` groups of 10 fields of
/// mixed kinds plus a calculated sum each (11 × `groups` fields), with valid values.
pub fn synthetic_form(groups: usize) -> (String, serde_json::Map<String, serde_json::Value>) {
    let kinds = [
        "text",
        "integer",
        "decimal",
        "date",
        "email",
        "phone",
        "postal_code",
        "iban",
        "yes_no",
        "text",
    ];
    let mut items = Vec::new();
    let mut values = serde_json::Map::new();
    for g in 0..groups {
        let mut fields = Vec::new();
        let mut gv = serde_json::Map::new();
        for (f, kind) in kinds.iter().enumerate() {
            let key = format!("f{f}");
            let mut field = serde_json::json!({"type": "field", "key": key, "kind": kind, "label": {"de": format!("Feld {g}.{f}")}, "required": true});
            if *kind == "text" {
                field["max_length"] = serde_json::json!(200);
                field["relevant"] = serde_json::json!("f8 = true or f1 > 0");
            }
            if *kind == "integer" {
                field["constraint"] = serde_json::json!("f1 < 1000000");
            }
            fields.push(field);
            let v = match *kind {
                "integer" => serde_json::json!("42"),
                "decimal" => serde_json::json!("3,5"),
                "date" => serde_json::json!("2026-11-28"),
                "email" => serde_json::json!("a@b.de"),
                "phone" => serde_json::json!("0251 12345"),
                "postal_code" => serde_json::json!("48143"),
                "iban" => serde_json::json!("DE89 3704 0044 0532 0130 00"),
                "yes_no" => serde_json::json!(true),
                _ => serde_json::json!("Musterstraße 1"),
            };
            gv.insert(key, v);
        }
        fields.push(serde_json::json!({"type": "field", "key": "summe", "kind": "decimal", "label": {"de": "Summe"}, "calculate": "f1 + f2"}));
        items.push(serde_json::json!({"type": "group", "key": format!("g{g}"), "label": {"de": format!("Gruppe {g}")}, "items": fields}));
        values.insert(format!("g{g}"), serde_json::Value::Object(gv));
    }
    let def = serde_json::json!({"format": 1, "id": "bench", "version": "1", "title": {"de": "Bench"}, "items": items,
        "rules": [{"id": "r", "assert": "g0.f1 > 0", "message": {"de": "m"}}]});
    (def.to_string(), values)
}
