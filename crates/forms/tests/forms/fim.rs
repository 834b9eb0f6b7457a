//! FIM XDatenfelder import on the real and synthetic fixtures in tests/fixtures/fim
//! (attribution in tests/fixtures/fim/SOURCES.md).

use eingang_forms::definition::{FieldKind, FormDefinition, Item};
use eingang_forms::fim::{import_xdf, parse_genericode, GenericodeList};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fim")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(dir().join(rel)).unwrap()
}

fn code_lists(folder: &str) -> Vec<GenericodeList> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir().join(folder)).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .contains("genericode")
        {
            out.push(parse_genericode(&std::fs::read_to_string(&p).unwrap()).unwrap());
        }
    }
    out
}

fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
    for i in items {
        out.push(i);
        if let Item::Group(g) = i {
            walk(&g.items, out);
        }
    }
}

fn kinds(def: &FormDefinition) -> BTreeMap<String, usize> {
    let mut all = Vec::new();
    walk(&def.items, &mut all);
    let mut m = BTreeMap::new();
    for i in all {
        if let Item::Field(f) = i {
            *m.entry(format!("{:?}", f.kind)).or_default() += 1;
        }
    }
    m
}

#[test]
fn the_real_mutterschutz_schema_imports_with_its_code_lists() {
    let (def, report) = import_xdf(
        &read("xdf2/S00000094V1.0/S00000094V1.0_xdf2.xml"),
        &code_lists("xdf2/S00000094V1.0"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(def.id, "fim-s00000094");
    assert_eq!(def.version, "1.0");
    assert!(def.title["de"].contains("schwangeren"), "{:?}", def.title);
    assert_eq!(def.source.as_ref().unwrap().format, "fim-xdf2");

    // Every Datenfeld of the file arrives, typed by feldart/datentyp (44 in the file:
    // 40 input — 30 text, 5 bool, 2 date, 3 num_int — and 4 select).
    let k = kinds(&def);
    assert_eq!(k.get("YesNo"), Some(&5), "{k:?}");
    assert_eq!(k.get("Date"), Some(&2), "{k:?}");
    assert_eq!(k.get("Integer"), Some(&3), "{k:?}");
    assert_eq!(k.get("SingleChoice"), Some(&4), "{k:?}");
    assert_eq!(k.values().sum::<usize>(), 44, "{k:?}");

    // anzahl 2:5 becomes a repeat group with those limits; 0:1 groups are optional entries.
    let mut all = Vec::new();
    walk(&def.items, &mut all);
    let repeats: Vec<_> = all
        .iter()
        .filter_map(|i| match i {
            Item::Group(g) => g.repeat.map(|r| (r.min, r.max)),
            _ => None,
        })
        .collect();
    assert!(repeats.contains(&(2, Some(5))), "{repeats:?}");
    assert!(repeats.contains(&(0, Some(1))), "{repeats:?}");

    // Code lists resolved from the genericode files beside the schema.
    let status = def
        .code_lists
        .values()
        .find(|c| c.uri.as_deref() == Some("urn:de:fim:codeliste:statusfrauschwangerstillend"))
        .expect("status code list used");
    let labels: Vec<&str> = status
        .entries
        .iter()
        .map(|e| e.label["de"].as_str())
        .collect();
    assert_eq!(labels, ["ist schwanger", "hat geboren / ist stillend"]);
    assert_eq!(def.code_lists.len(), 4);

    // The result is a valid, usable form; rules are kept as notes and reported.
    let form = eingang_forms::Form::compile(def.clone()).unwrap();
    assert!(
        !form
            .validate(&serde_json::Map::new(), (2026, 11, 28))
            .is_empty(),
        "required fields exist"
    );
    let rule_notes = report
        .entries
        .iter()
        .filter(|e| e.message.contains("rule kept as a note"))
        .count();
    assert_eq!(
        rule_notes,
        def.notes.len(),
        "each FIM rule is a note and a report line"
    );
    assert_eq!(rule_notes, 13);
}

#[test]
fn a_simple_v2_schema_maps_labels_help_cardinality_and_praezisierung() {
    let (def, report) = import_xdf(&read("samples/v2/simple.xml"), &[]).unwrap();
    let Item::Group(g) = &def.items[0] else {
        panic!("a group")
    };
    assert_eq!(g.key, "g00000082");
    assert_eq!(g.label["de"], "Natürliche Person");
    assert!(g.repeat.is_none(), "1:1 is a plain group");
    let Item::Field(f) = &g.items[0] else {
        panic!("a field")
    };
    assert_eq!((f.key.as_str(), f.kind), ("f60000227", FieldKind::Text));
    assert_eq!(f.label["de"], "Familienname");
    assert_eq!(f.help.as_ref().unwrap()["de"], "Hilfe Eingabe");
    assert_eq!((f.min_length, f.max_length), (Some(1), Some(120)));
    assert_eq!(def.notes.len(), 1, "the FIM rule is kept");
    assert!(
        def.notes[0].text.contains("nicht ausgeführt"),
        "{:?}",
        def.notes
    );
    assert!(
        report
            .entries
            .iter()
            .any(|e| e.element.starts_with("R60000037") && e.code == "rule_note"),
        "{report:?}"
    );
    // Every note has a code the app says in the user's language, with its values.
    let repeated = report.entries.iter().find(|e| e.code == "repeated_field");
    if let Some(r) = repeated {
        assert!(r.params.iter().any(|(k, _)| k == "anzahl"), "{r:?}");
    }
    assert!(report.entries.iter().all(|e| !e.code.is_empty()));
}

#[test]
fn a_v3_group_message_imports_with_attribute_praezisierung() {
    let (def, _report) = import_xdf(&read("samples/v3/simple.xml"), &[]).unwrap();
    assert_eq!(def.source.as_ref().unwrap().format, "fim-xdf3");
    assert_eq!(def.id, "fim-g60000000088");
    let Item::Group(g) = &def.items[0] else {
        panic!("a group")
    };
    assert_eq!(g.label["de"], "Anschrift in Deutschland");
    assert!(!g.items.is_empty());
}

#[test]
fn bad_files_are_refused_naming_the_element_and_the_problem() {
    let cases = [
        ("samples/v2/unknown-namespace.xml", "unknown namespace"),
        ("samples/v3/unknown-namespace.xml", "unknown namespace"),
        (
            "samples/v3/duplicate-id-node.xml",
            "<id> appears more than once",
        ),
        ("samples/v3/missing-id-node.xml", "no <id>"),
        ("samples/v3/empty-id-node.xml", "no <id>"),
        (
            "samples/v2/duplicate-optional-value.xml",
            "appears more than once",
        ),
        (
            "samples/v2/select.xml",
            "the code list urn:de:example is not available",
        ),
        (
            "samples/v3/input.xml",
            "without values and without a code list",
        ),
    ];
    for (file, expect) in cases {
        let err = import_xdf(&read(file), &[]).expect_err(file);
        assert!(err.to_string().contains(expect), "{file}: {err}");
    }
}

#[test]
fn dtds_and_entity_expansion_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">&lol2;</xdf:xdatenfelder.stammdatenschema.0102>"#;
    let err = import_xdf(laughs, &[]).unwrap_err();
    assert!(err.message.contains("DTD"), "{err}");
    let external =
        r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#;
    assert!(import_xdf(external, &[])
        .unwrap_err()
        .message
        .contains("DTD"));
    let broken = "<xdf:a xmlns:xdf=\"urn:xoev-de:fim:standard:xdatenfelder_2\"><b></xdf:a>";
    assert!(import_xdf(broken, &[])
        .unwrap_err()
        .element
        .starts_with("line 1"));
}

#[test]
fn genericode_lists_parse_and_bad_ones_are_refused() {
    let list = parse_genericode(&read("xdf2/S00000094V1.0/C00000020_genericode.xml")).unwrap();
    assert_eq!(
        list.canonical_uri,
        "urn:de:fim:codeliste:statusfrauschwangerstillend"
    );
    assert_eq!(list.list.entries[0].value, "001");
    assert!(parse_genericode("<CodeList/>").is_err());
}

#[test]
fn a_finalised_fim_form_renders_xml_in_the_schemas_structure() {
    let (def, _) = import_xdf(&read("samples/v2/simple.xml"), &[]).unwrap();
    let form = eingang_forms::Form::compile(def).unwrap();
    let values = serde_json::json!({"g00000082": {"f60000227": "Müller & Söhne <GmbH>"}});
    let done = form
        .finalise(values.as_object().unwrap(), (2026, 11, 28))
        .unwrap();
    let xml = done.xml.unwrap();
    assert!(
        xml.contains(r#"<antrag schema="T1234" version="1.0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<G00000082><F60000227>Müller &amp; Söhne &lt;GmbH&gt;</F60000227></G00000082>"
        ),
        "{xml}"
    );
    // And the XML is well-formed.
    roxmltree::Document::parse(&xml).unwrap();
}
