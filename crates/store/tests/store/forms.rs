use eingang_store::tables::forms::{self, Imported};
use eingang_store::Error;

const SMALL: &str = r#"{"format": 1, "id": "test-form", "version": "1", "title": {"de": "Test", "en": "Test"},
  "items": [{"type": "field", "key": "a", "kind": "text", "label": {"de": "A"}}]}"#;

#[test]
fn a_new_store_holds_the_shipped_sample_forms() {
    let (_dir, store) = super::fresh();
    let list = store.with_conn(forms::list).unwrap();
    let ids: Vec<&str> = list.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "hitzetelefon",
            "ortstermin",
            "sondernutzung-infostand",
            "veranstaltungsanzeige"
        ]
    );
    assert!(list.iter().all(|f| f.origin.starts_with("builtin:")));
}

#[test]
fn importing_the_same_version_twice_is_a_no_op_and_a_new_version_coexists() {
    let (_dir, store) = super::fresh();
    let first = store
        .with_tx(|tx| forms::import(tx, SMALL, "a.json"))
        .unwrap();
    assert_eq!(
        first,
        Imported::Added {
            id: "test-form".into(),
            version: "1".into()
        }
    );
    // Same definition, other formatting: still the same.
    let reformatted = SMALL.replace("\n  ", " ");
    let again = store
        .with_tx(|tx| forms::import(tx, &reformatted, "b.json"))
        .unwrap();
    assert_eq!(
        again,
        Imported::AlreadyPresent {
            id: "test-form".into(),
            version: "1".into()
        }
    );

    let v2 = SMALL.replace(r#""version": "1""#, r#""version": "2""#);
    store
        .with_tx(|tx| forms::import(tx, &v2, "c.json"))
        .unwrap();
    let versions: Vec<String> = store
        .with_conn(forms::list)
        .unwrap()
        .into_iter()
        .filter(|f| f.id == "test-form")
        .map(|f| f.version)
        .collect();
    assert_eq!(versions, ["1", "2"]);
}

#[test]
fn a_changed_form_under_an_existing_version_is_refused_and_the_old_one_kept() {
    let (_dir, store) = super::fresh();
    store
        .with_tx(|tx| forms::import(tx, SMALL, "a.json"))
        .unwrap();
    let changed = SMALL.replace(r#""label": {"de": "A"}"#, r#""label": {"de": "B"}"#);
    let err = store
        .with_tx(|tx| forms::import(tx, &changed, "b.json"))
        .unwrap_err();
    assert!(matches!(err, Error::FormConflict { .. }), "{err}");
    assert!(
        err.to_string().contains("new version"),
        "says what to do: {err}"
    );
    let def = store
        .with_conn(|c| forms::definition(c, "test-form", "1"))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&def.items).unwrap()[0]["label"]["de"],
        "A"
    );
}

#[test]
fn a_broken_form_is_refused_with_every_problem_and_nothing_is_stored() {
    let (_dir, store) = super::fresh();
    let before = store.with_conn(forms::list).unwrap().len();
    let broken = SMALL.replace(
        r#""kind": "text""#,
        r#""kind": "text", "relevant": "zz = 1", "pattern": "(""#,
    );
    let err = store
        .with_tx(|tx| forms::import(tx, &broken, "kaputt.json"))
        .unwrap_err();
    assert_eq!(err.code(), "form.invalid");
    let msg = err.to_string();
    assert!(
        msg.contains("kaputt.json") && msg.contains("'zz'") && msg.contains("invalid pattern"),
        "{msg}"
    );
    let err = store
        .with_tx(|tx| forms::import(tx, "{ nope", "leer.json"))
        .unwrap_err();
    assert!(err.to_string().contains("line 1, column"), "{err}");
    assert_eq!(store.with_conn(forms::list).unwrap().len(), before);
}

#[test]
fn a_draft_moves_to_a_newer_version_keeping_what_still_fits() {
    use eingang_store::tables::drafts;
    let (_dir, store) = super::fresh();
    let v2 = SMALL
        .replace(r#""version": "1""#, r#""version": "1.10""#)
        .replace(r#""key": "a""#, r#""key": "b""#);
    store.with_tx(|tx| forms::import(tx, SMALL, "v1")).unwrap();
    store.with_tx(|tx| forms::import(tx, &v2, "v2")).unwrap();
    let newest = store
        .with_conn(|c| forms::newest_version(c, "test-form"))
        .unwrap();
    assert_eq!(newest.as_deref(), Some("1.10"));

    let d = store
        .with_tx(|tx| drafts::create(tx, "test-form", "1"))
        .unwrap();
    let values = [("a".to_owned(), serde_json::json!("typed"))]
        .into_iter()
        .collect();
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, values))
        .unwrap();
    let (moved, _, changes) = store
        .with_tx(|tx| drafts::move_to_version(tx, d.id, "1.10"))
        .unwrap();
    assert_eq!(moved.form_version, "1.10");
    assert!(moved.values.is_empty(), "field a does not exist in 1.10");
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].kind.as_str(), changes[0].path.as_str()),
        ("removed", "a")
    );
    let back = store.with_conn(|c| drafts::get(c, d.id)).unwrap();
    assert_eq!(back.form_version, "1.10");
}
