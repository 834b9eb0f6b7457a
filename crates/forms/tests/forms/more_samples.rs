use crate::{sample, TODAY};
use eingang_forms::Issue;
use serde_json::{json, Map, Value};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn codes(issues: &[Issue]) -> Vec<(String, &'static str)> {
    issues.iter().map(|i| (i.path.clone(), i.code)).collect()
}

#[test]
fn hitzetelefon_checks_age_languages_and_the_relatives_group_only_when_relevant() {
    let form = sample("hitzetelefon");
    let mut v = obj(json!({
        "fuer_wen": "selbst",
        "person": {
            "vorname": "Hildegard", "nachname": "Wübbeling", "geburtsdatum": "1941-07-14",
            "telefon": "0251 123456", "sprachen": ["de", "tr"]
        },
        "datenschutz": true
    }));
    form.calculate(&mut v, TODAY);
    assert!(
        form.validate(&v, TODAY).is_empty(),
        "{:?}",
        codes(&form.validate(&v, TODAY))
    );

    v["person"]["geburtsdatum"] = json!("1970-01-01");
    v["person"]["sprachen"] = json!(["de", "xx"]);
    v["fuer_wen"] = json!("angehoerige");
    let got = codes(&form.validate(&v, TODAY));
    assert_eq!(
        got,
        [
            ("person.geburtsdatum".to_owned(), "constraint"),
            ("person.sprachen".to_owned(), "invalid_choice"),
            ("anmeldende.name".to_owned(), "required"),
            ("anmeldende.telefon".to_owned(), "required"),
            ("anmeldende.einverstaendnis".to_owned(), "required"),
        ]
    );
    let constraint = &form.validate(&v, TODAY)[0];
    assert_eq!(
        constraint
            .message
            .as_ref()
            .and_then(|m| m.get("de"))
            .map(String::as_str),
        Some("Das Hitzetelefon ist für Menschen ab 60 Jahren.")
    );
}

#[test]
fn veranstaltungsanzeige_orders_times_needs_lead_time_and_a_safety_concept_for_big_events() {
    let form = sample("veranstaltungsanzeige");
    let mut v = obj(json!({
        "veranstaltung": {
            "titel": "Hansemahl im Kreuzviertel", "art": "fest",
            "beginn": "2027-06-12T14:00", "ende": "2027-06-13T01:00",
            "ort": "Kreuzstraße zwischen Nr. 1 und Nr. 40", "besucher": "800"
        },
        "veranstalter": { "name": "Kreuzviertel e. V.", "email": "info@kreuzviertel.de", "mobil": "+49 171 2345678" },
        "verantwortliche": [{ "name": "Tim Brüggemann", "telefon": "0171 9876543" }],
        "unterschrift": { "blob": "ab".repeat(32), "media_type": "image/png" }
    }));
    form.calculate(&mut v, TODAY);
    assert_eq!(v["dauer_stunden"], "24");
    assert!(
        form.validate(&v, TODAY).is_empty(),
        "{:?}",
        codes(&form.validate(&v, TODAY))
    );

    v["veranstaltung"]["besucher"] = json!("6000");
    v["veranstaltung"]["ende"] = json!("2027-06-12T13:00");
    v["veranstaltung"]["art"] = json!("sonstiges");
    let got = codes(&form.validate(&v, TODAY));
    assert_eq!(
        got,
        [
            ("veranstaltung.art_sonstiges".to_owned(), "required"),
            ("veranstaltung.sicherheitskonzept".to_owned(), "required"),
            ("veranstaltung.ende".to_owned(), "rule"),
        ]
    );
    v["veranstaltung"]["beginn"] = json!("2026-12-01T10:00");
    v["veranstaltung"]["ende"] = json!("2026-12-01T18:00");
    let got = codes(&form.validate(&v, TODAY));
    assert!(
        got.contains(&("veranstaltung.beginn".to_owned(), "rule")),
        "three days ahead: {got:?}"
    );
}
