use crate::{sample, TODAY};
use serde_json::{json, Map, Value};

fn values(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn complete() -> Map<String, Value> {
    values(json!({
        "antragsteller": {
            "art": "verein", "organisation": "Sportfreunde Aasee e. V.",
            "name": "Jana Özdemir", "email": "vorstand@sf-aasee.de", "plz": "48149"
        },
        "termine": [
            { "datum": "2027-05-08", "von": "09:00", "bis": "14:00", "ort": "Prinzipalmarkt", "flaeche": "2,5" },
            { "datum": "2027-05-15", "von": "10:00", "bis": "13:30", "ort": "Ludgeriplatz", "flaeche": "4" }
        ],
        "iban": "DE89 3704 0044 0532 0130 00",
        "einverstanden": true
    }))
}

fn codes(issues: &[eingang_forms::Issue]) -> Vec<(String, &'static str)> {
    issues.iter().map(|i| (i.path.clone(), i.code)).collect()
}

#[test]
fn a_complete_application_is_valid_after_calculation() {
    let form = sample("sondernutzung-infostand");
    let mut v = complete();
    form.calculate(&mut v, TODAY);
    assert_eq!(v["gesamtflaeche"], "6.5", "2,5 (typed the German way) + 4");
    assert_eq!(v["gebuehr"], "16.25", "6.5 m² × 2.50 €, at least 10 €");
    let issues = form.validate(&v, TODAY);
    assert!(issues.is_empty(), "{:?}", codes(&issues));
}

#[test]
fn calculations_depend_on_each_other_and_on_choices() {
    let form = sample("sondernutzung-infostand");
    let mut v = complete();
    v["antragsteller"]["art"] = json!("partei");
    form.calculate(&mut v, TODAY);
    assert_eq!(v["gebuehr"], "0", "parties pay nothing");
    // The IBAN is then not relevant: not required, not validated.
    v.remove("iban");
    assert!(form.validate(&v, TODAY).is_empty());
}

#[test]
fn every_problem_is_tied_to_its_field_path() {
    let form = sample("sondernutzung-infostand");
    let mut v = complete();
    v["antragsteller"]["organisation"] = json!("  ");
    v["antragsteller"]["email"] = json!("vorstand(at)sf-aasee.de");
    v["antragsteller"]["plz"] = json!("4814");
    v["termine"][1]["bis"] = json!("09:30");
    v["termine"][1]["flaeche"] = json!("25");
    v["termine"][0]["flaeche"] = json!("2,55");
    v["termine"][0]["datum"] = json!("2027-02-30");
    v["iban"] = json!("DE89 3704 0044 0532 0130 01");
    v["einverstanden"] = json!(false);
    form.calculate(&mut v, TODAY);
    let got = codes(&form.validate(&v, TODAY));
    let want: Vec<(String, &str)> = [
        ("antragsteller.organisation", "required"),
        ("antragsteller.email", "invalid_email"),
        ("antragsteller.plz", "invalid_postal_code"),
        ("termine[0].datum", "invalid_date"),
        ("termine[0].flaeche", "too_many_decimals"),
        ("termine[1].bis", "constraint"),
        ("termine[1].flaeche", "above_max"),
        ("iban", "invalid_iban"),
        ("einverstanden", "rule"),
    ]
    .into_iter()
    .map(|(p, c)| (p.to_owned(), c))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn irrelevant_fields_are_not_required_and_repeat_limits_hold() {
    let form = sample("sondernutzung-infostand");
    let mut v = complete();
    v["antragsteller"]["art"] = json!("person");
    v["antragsteller"]
        .as_object_mut()
        .unwrap()
        .remove("organisation");
    v["termine"] = json!([]);
    form.calculate(&mut v, TODAY);
    let got = codes(&form.validate(&v, TODAY));
    assert!(got.contains(&("termine".into(), "too_few_rows")), "{got:?}");
    assert!(
        !got.iter().any(|(p, _)| p == "antragsteller.organisation"),
        "{got:?}"
    );
    assert_eq!(v["gebuehr"], "10", "the minimum fee applies with no area");

    let row = v["termine"].clone();
    v["termine"] = json!((0..11)
        .map(|_| complete()["termine"][0].clone())
        .collect::<Vec<_>>());
    let got = codes(&form.validate(&v, TODAY));
    assert!(
        got.contains(&("termine".into(), "too_many_rows")),
        "{got:?} {row}"
    );
}

#[test]
fn attachments_are_checked_by_count_and_type() {
    let form = sample("sondernutzung-infostand");
    let mut v = complete();
    let pdf = json!({ "blob": "ab".repeat(32), "name": "plan.pdf", "media_type": "application/pdf", "size": 1000 });
    let exe = json!({ "blob": "cd".repeat(32), "name": "plan.exe", "media_type": "application/x-msdownload", "size": 1000 });
    v.insert("lageplan".into(), json!([pdf.clone(), { "blob": "ef".repeat(32), "name": "foto.jpg", "media_type": "image/jpeg", "size": 5 }]));
    form.calculate(&mut v, TODAY);
    assert!(form.validate(&v, TODAY).is_empty());
    v.insert("lageplan".into(), json!([exe]));
    assert_eq!(
        codes(&form.validate(&v, TODAY)),
        [("lageplan".to_owned(), "file_type_not_accepted")]
    );
    v.insert(
        "lageplan".into(),
        json!([pdf.clone(), pdf.clone(), pdf.clone(), pdf]),
    );
    assert_eq!(
        codes(&form.validate(&v, TODAY)),
        [("lageplan".to_owned(), "too_many_files")]
    );
}
