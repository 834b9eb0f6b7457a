//! `docs/form-definition.schema.json` is generated from the Rust types and must be current.
//! Regenerate with `EINGANG_UPDATE_SCHEMA=1 cargo test -p eingang-forms --test forms schema`.

use eingang_forms::definition::FormDefinition;

#[test]
fn the_published_json_schema_matches_the_definition_types() {
    let schema = schemars::schema_for!(FormDefinition);
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/form-definition.schema.json");
    if std::env::var_os("EINGANG_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run EINGANG_UPDATE_SCHEMA=1 cargo test -p eingang-forms --test forms schema",
        path.display()
    );
}

#[test]
fn every_sample_form_compiles_and_round_trips() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let json = std::fs::read_to_string(&path).unwrap();
        let form = eingang_forms::Form::from_json(&json)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let again = serde_json::to_string(&form.definition).unwrap();
        let back: FormDefinition = serde_json::from_str(&again).unwrap();
        assert_eq!(back, form.definition, "{}", path.display());
        for lang in ["de", "en"] {
            assert!(
                form.definition.title.contains_key(lang),
                "{} lacks {lang}",
                path.display()
            );
        }
        n += 1;
    }
    assert!(n >= 3, "at least three sample forms ship, found {n}");
}
