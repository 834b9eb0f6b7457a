//! Figures for the form engine (issue: forms). Run in release mode:
//!
//!     cargo run --release -p eingang-forms --example engine_bench
//!
//! Prints percentiles for: evaluating (calculate + validate) a 500-field draft, compiling a
//! 500-field form, and importing the largest FIM fixture with its code lists.

use eingang_forms::fim::{import_xdf, parse_genericode};
use eingang_forms::Form;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::time::Instant;

fn percentiles(name: &str, mut micros: Vec<u128>) {
    micros.sort_unstable();
    let p = |q: usize| micros[(micros.len() - 1) * q / 100];
    println!(
        "{name}: n={} p50={} µs p99={} µs max={} µs",
        micros.len(),
        p(50),
        p(99),
        micros[micros.len() - 1]
    );
}

/// A form of `groups` groups × 10 fields of mixed kinds, with a rule and a calculation each.
fn big_form(groups: usize) -> (String, Map<String, Value>) {
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
    let mut values = Map::new();
    for g in 0..groups {
        let mut fields = Vec::new();
        let mut gv = Map::new();
        for (f, kind) in kinds.iter().enumerate() {
            let key = format!("f{f}");
            let mut field = json!({"type": "field", "key": key, "kind": kind, "label": {"de": format!("Feld {g}.{f}")}, "required": true});
            if *kind == "text" {
                field["max_length"] = json!(200);
                field["relevant"] = json!("f8 = true or f1 > 0");
            }
            if *kind == "integer" {
                field["constraint"] = json!("f1 < 1000000");
            }
            fields.push(field);
            let v = match *kind {
                "integer" => json!("42"),
                "decimal" => json!("3,5"),
                "date" => json!("2026-11-28"),
                "email" => json!("a@b.de"),
                "phone" => json!("0251 12345"),
                "postal_code" => json!("48143"),
                "iban" => json!("DE89 3704 0044 0532 0130 00"),
                "yes_no" => json!(true),
                _ => json!("Musterstraße 1"),
            };
            gv.insert(key, v);
        }
        fields.push(json!({"type": "field", "key": "summe", "kind": "decimal", "label": {"de": "Summe"}, "calculate": "f1 + f2"}));
        items.push(json!({"type": "group", "key": format!("g{g}"), "label": {"de": format!("Gruppe {g}")}, "items": fields}));
        values.insert(format!("g{g}"), Value::Object(gv));
    }
    let def = json!({"format": 1, "id": "bench", "version": "1", "title": {"de": "Bench"}, "items": items,
        "rules": [{"id": "r", "assert": "g0.f1 > 0", "message": {"de": "m"}}]});
    (def.to_string(), values)
}

fn main() {
    let (json, values) = big_form(50);
    let form = Form::from_json(&json).expect("the bench form compiles");
    let fields = 50 * 11;

    let mut t = Vec::new();
    for _ in 0..200 {
        let s = Instant::now();
        let state = form.evaluate(&values, (2026, 11, 28));
        t.push(s.elapsed().as_micros());
        assert!(state.issues.is_empty(), "{:?}", state.issues.first());
    }
    percentiles(
        &format!("evaluate a {fields}-field draft (calculate + validate)"),
        t,
    );

    let mut t = Vec::new();
    for _ in 0..100 {
        let s = Instant::now();
        let f = Form::from_json(&json).expect("compiles");
        t.push(s.elapsed().as_micros());
        drop(f);
    }
    percentiles(&format!("parse + compile a {fields}-field form"), t);

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fim/xdf2/S00000094V1.0");
    let xml = std::fs::read_to_string(dir.join("S00000094V1.0_xdf2.xml")).expect("fixture");
    let lists: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with("_genericode.xml"))
        .map(|p| parse_genericode(&std::fs::read_to_string(p).expect("code list")).expect("valid"))
        .collect();
    let mut t = Vec::new();
    for _ in 0..50 {
        let s = Instant::now();
        let (def, _) = import_xdf(&xml, &lists).expect("imports");
        t.push(s.elapsed().as_micros());
        drop(def);
    }
    percentiles(
        &format!(
            "import FIM S00000094 ({} KiB) with 4 code lists",
            xml.len() / 1024
        ),
        t,
    );
}
