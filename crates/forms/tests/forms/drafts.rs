use crate::{sample, TODAY};
use eingang_forms::DraftValueError;
use serde_json::{json, Map, Value};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn drafts_keep_incomplete_and_invalid_input_but_refuse_what_cannot_belong() {
    let form = sample("sondernutzung-infostand");
    // Invalid e-mail, missing required fields, a half-typed number: all kept.
    let ok = obj(json!({
        "antragsteller": { "email": "vorstand@", "plz": "48" },
        "termine": [{ "flaeche": "2," }, {}]
    }));
    assert_eq!(form.check_draft(&ok), Ok(()));

    let unknown = obj(json!({ "antragsteller": { "gibtsnicht": "x" } }));
    assert_eq!(
        form.check_draft(&unknown),
        Err(DraftValueError::UnknownField {
            field: "antragsteller.gibtsnicht".into()
        })
    );
    let shape = obj(json!({ "termine": { "datum": "2027-01-01" } }));
    assert_eq!(
        form.check_draft(&shape),
        Err(DraftValueError::WrongShape {
            field: "termine".into()
        })
    );
    let long = obj(json!({ "antragsteller": { "name": "ß".repeat(121) } }));
    let err = form.check_draft(&long).unwrap_err();
    assert_eq!(err.field(), Some("antragsteller.name"));
    assert!(!err.to_string().contains("ßß"), "never echoes the value");
}

#[test]
fn evaluate_reports_hidden_items_and_calculated_values() {
    let form = sample("hitzetelefon");
    let state = form.evaluate(&obj(json!({ "fuer_wen": "selbst" })), TODAY);
    assert_eq!(state.hidden, ["anmeldende"]);
    let state = form.evaluate(&obj(json!({ "fuer_wen": "angehoerige" })), TODAY);
    assert!(state.hidden.is_empty());

    let form = sample("ortstermin");
    let state = form.evaluate(
        &obj(json!({ "maengel": [{ "beschreibung": "Geländer lose" }, { "beschreibung": "" }] })),
        TODAY,
    );
    assert_eq!(state.values["anzahl_maengel"], "1");
    assert!(state
        .issues
        .iter()
        .any(|i| i.path == "maengel[1].beschreibung" && i.code == "required"));
}

#[test]
fn caption_is_the_first_filled_text_in_form_order() {
    let form = sample("ortstermin");
    let v = obj(json!({ "befund": "Feuchte Wand\nzweite Zeile", "aktenzeichen": "  " }));
    assert_eq!(form.caption(&v), "Feuchte Wand");
}
