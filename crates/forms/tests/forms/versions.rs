use eingang_forms::definition::FormDefinition;
use eingang_forms::versions::{carry_over, changes, compare_versions};
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

fn def(v: Value) -> FormDefinition {
    serde_json::from_value(v).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("{other}"),
    }
}

fn v1() -> FormDefinition {
    def(
        json!({"format": 1, "id": "f", "version": "1.0", "title": {"de": "F"}, "items": [
            {"type": "field", "key": "fax", "kind": "text", "label": {"de": "Fax"}},
            {"type": "field", "key": "art", "kind": "single_choice", "label": {"de": "Art"},
             "choices": [{"value": "a", "label": {"de": "A"}}, {"value": "b", "label": {"de": "B"}}]},
            {"type": "field", "key": "name", "kind": "text", "label": {"de": "Name"}},
            {"type": "group", "key": "rows", "label": {"de": "Zeilen"}, "repeat": {"min": 0}, "items": [
                {"type": "field", "key": "x", "kind": "text", "label": {"de": "X"}},
                {"type": "field", "key": "alt", "kind": "text", "label": {"de": "Alt"}}]}
        ]}),
    )
}

fn v2() -> FormDefinition {
    def(
        json!({"format": 1, "id": "f", "version": "1.1", "title": {"de": "F"}, "items": [
            {"type": "field", "key": "art", "kind": "single_choice", "label": {"de": "Art"},
             "choices": [{"value": "a", "label": {"de": "A"}}]},
            {"type": "field", "key": "name", "kind": "text", "label": {"de": "Name"}, "required": true},
            {"type": "field", "key": "email", "kind": "email", "label": {"de": "E-Mail"}, "required": true},
            {"type": "group", "key": "rows", "label": {"de": "Zeilen"}, "repeat": {"min": 0}, "items": [
                {"type": "field", "key": "x", "kind": "text", "label": {"de": "X"}}]}
        ]}),
    )
}

#[test]
fn the_user_sees_removed_fields_new_required_fields_and_choices_that_are_gone() {
    let values = obj(json!({"fax": "0251 1", "art": "b", "name": "",
        "rows": [{"x": "1", "alt": "weg"}, {"x": "2"}]}));
    let got: Vec<(String, String, Option<String>)> = changes(&v1(), &v2(), &values)
        .into_iter()
        .map(|c| (c.kind, c.path, c.value))
        .collect();
    assert_eq!(
        got,
        [
            ("removed".into(), "fax".into(), None),
            ("choice_gone".into(), "art".into(), Some("b".into())),
            ("removed".into(), "rows[0].alt".into(), None),
            ("newly_required".into(), "name".into(), None),
            ("newly_required".into(), "email".into(), None),
        ]
    );
}

#[test]
fn carrying_over_drops_only_what_the_new_version_lacks() {
    let values = obj(json!({"fax": "0251 1", "art": "b", "name": "Jana",
        "rows": [{"x": "1", "alt": "weg"}]}));
    let kept = carry_over(&v2(), &values);
    assert_eq!(
        Value::Object(kept),
        json!({"art": "b", "name": "Jana", "rows": [{"x": "1"}]}),
        "a gone choice stays visible (and is reported) until the user changes it"
    );
}

#[test]
fn versions_order_numerically() {
    assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
    assert_eq!(compare_versions("2", "1.9.9"), Ordering::Greater);
    assert_eq!(compare_versions("1.0", "1.0"), Ordering::Equal);
}
