use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_model::DraftValues;
use eingang_store::{tables, Error, Store};
use serde_json::json;

fn values(pairs: &[(&str, &str)]) -> DraftValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

#[test]
fn a_saved_draft_survives_closing_and_reopening_the_store() {
    let (dir, store) = super::fresh();
    let draft = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    let saved = store
        .with_tx(|tx| {
            tables::drafts::save_values(
                tx,
                draft.id,
                values(&[
                    ("aktenzeichen", "530.12-2026-0042"),
                    ("befund", "Schimmel ✓"),
                ]),
            )
        })
        .unwrap();
    assert_eq!(saved.revision, 1);
    drop(store);

    let store = Store::open(dir.path()).unwrap();
    let back = store
        .with_conn(|c| tables::drafts::get(c, draft.id))
        .unwrap();
    assert_eq!(back.values, saved.values);
    assert_eq!(back.revision, 1);
    let list = store
        .with_conn(|c| tables::drafts::list(c, None, 1000).map(|(all, _)| all))
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].caption, "530.12-2026-0042");
}

#[test]
fn list_is_most_recent_first_and_delete_removes_only_that_draft() {
    let (_dir, store) = super::fresh();
    let a = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    let b = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3));
    store
        .with_tx(|tx| tables::drafts::save_values(tx, a.id, values(&[("anschrift", "Markt 1")])))
        .unwrap();
    let ids: Vec<_> = store
        .with_conn(|c| tables::drafts::list(c, None, 1000).map(|(all, _)| all))
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, vec![a.id, b.id], "a was changed last");

    store
        .with_tx(|tx| tables::drafts::delete(tx, a.id))
        .unwrap();
    let err = store
        .with_tx(|tx| tables::drafts::delete(tx, a.id))
        .unwrap_err();
    assert_eq!(err.code(), "store.not_found");
    assert_eq!(store.with_conn(tables::drafts::count).unwrap(), 1);
}

#[test]
fn invalid_values_are_refused_naming_the_field_and_the_stored_draft_is_unchanged() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    store
        .with_tx(|tx| tables::drafts::save_values(tx, d.id, values(&[("befund", "gut")])))
        .unwrap();
    let too_long = "x".repeat(61);
    let err = store
        .with_tx(|tx| {
            tables::drafts::save_values(tx, d.id, values(&[("aktenzeichen", too_long.as_str())]))
        })
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue(_)));
    assert_eq!(err.field(), Some("aktenzeichen"));
    assert!(
        !err.to_string().contains(&too_long),
        "the message never echoes user data"
    );
    let back = store.with_conn(|c| tables::drafts::get(c, d.id)).unwrap();
    assert_eq!(back.values, values(&[("befund", "gut")]));
    assert_eq!(back.revision, 1);
}
