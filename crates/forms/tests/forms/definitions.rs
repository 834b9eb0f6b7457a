use eingang_forms::Form;

fn errors(json: &str) -> Vec<String> {
    match Form::from_json(json) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn form_with(items: &str, rules: &str) -> String {
    format!(
        r#"{{"format": 1, "id": "t", "version": "1", "title": {{"de": "T"}},
            "items": {items}, "rules": {rules}}}"#
    )
}

#[test]
fn every_problem_in_a_definition_is_reported_with_its_location() {
    let json = form_with(
        r#"[
          {"type": "field", "key": "a", "kind": "text", "label": {"de": "A"}},
          {"type": "field", "key": "a", "kind": "text", "label": {"de": "A2"}},
          {"type": "field", "key": "1x", "kind": "text", "label": {"en": "no German"}},
          {"type": "field", "key": "b", "kind": "single_choice", "label": {"de": "B"}},
          {"type": "field", "key": "c", "kind": "single_choice", "label": {"de": "C"}, "choices": {"code_list": "fehlt"}},
          {"type": "field", "key": "d", "kind": "text", "label": {"de": "D"}, "relevant": "a = "},
          {"type": "field", "key": "e", "kind": "text", "label": {"de": "E"}, "relevant": "gibtsnicht = 1"},
          {"type": "field", "key": "f", "kind": "integer", "label": {"de": "F"}, "min": 10, "max": 1},
          {"type": "field", "key": "g", "kind": "text", "label": {"de": "G"}, "pattern": "("},
          {"type": "group", "key": "h", "label": {"de": "H"}, "repeat": {"min": 3, "max": 2},
           "items": [{"type": "field", "key": "x", "kind": "text", "label": {"de": "X"}}]}
        ]"#,
        r#"[{"id": "r", "assert": "h.y = 1", "message": {"de": "M"}, "fields": ["zz"]}]"#,
    );
    let got = errors(&json);
    let expect = [
        "items/a: the key 'a' is used twice",
        "items/1x: a key is letters",
        "items/1x: the label needs German text",
        "items/b: a choice field needs choices",
        "items/c: the code list 'fehlt' is not in code_lists",
        "items/d.relevant: expression does not parse at character 5",
        "items/e.relevant: 'gibtsnicht' does not name a field",
        "items/f: min is larger than max",
        "items/g.pattern: invalid pattern",
        "items/h: repeat.max must be at least 1 and not below repeat.min",
        "rules/r: 'zz' in fields does not name a field",
        "rules/r.assert: 'h.y' does not name a field",
    ];
    for e in expect {
        assert!(
            got.iter().any(|g| g.starts_with(e)),
            "missing {e:?} in:\n{}",
            got.join("\n")
        );
    }
    assert_eq!(got.len(), expect.len(), "{}", got.join("\n"));
}

#[test]
fn malformed_json_and_unknown_keys_are_refused_with_line_and_column() {
    let got = errors("{\n  \"format\": 1,\n  \"id\": \"t\",,\n}");
    assert!(got[0].starts_with("line 3, column"), "{got:?}");
    let typo = form_with(
        r#"[{"type": "field", "key": "a", "kind": "text", "label": {"de": "A"}, "requird": true}]"#,
        "[]",
    );
    let got = errors(&typo);
    assert!(got[0].contains("unknown field `requird`"), "{got:?}");
    let future = r#"{"format": 2, "id": "t", "version": "1", "title": {"de": "T"}, "items": []}"#;
    assert!(errors(future)[0].starts_with("format: format 2 is not supported"));
}

#[test]
fn references_resolve_from_the_inside_out() {
    // Inside a repeat group, `von` is the same row's field; `art` is found further out.
    let json = form_with(
        r#"[
          {"type": "field", "key": "art", "kind": "text", "label": {"de": "Art"}},
          {"type": "group", "key": "zeilen", "label": {"de": "Z"}, "repeat": {"min": 0},
           "items": [
             {"type": "field", "key": "von", "kind": "integer", "label": {"de": "von"}},
             {"type": "field", "key": "bis", "kind": "integer", "label": {"de": "bis"},
              "constraint": "bis > von", "relevant": "art != 'x'"}
           ]}
        ]"#,
        r#"[{"id": "summe", "assert": "sum(zeilen.bis) < 100", "message": {"de": "zu viel"}}]"#,
    );
    assert_eq!(errors(&json), Vec::<String>::new());
}
