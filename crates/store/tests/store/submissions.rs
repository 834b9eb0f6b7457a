use eingang_store::tables::{drafts, outbox, submissions};
use serde_json::json;

const TODAY: (i32, u32, u32) = (2026, 11, 28);

#[test]
fn an_incomplete_draft_is_not_finalised_and_stays_as_it_was() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let err = store
        .with_tx(|tx| submissions::finalise(tx, d.id, TODAY))
        .unwrap_err();
    assert_eq!(err.code(), "draft.incomplete");
    assert!(err.to_string().contains("3 entry/entries"), "{err}");
    assert_eq!(store.with_conn(drafts::count).unwrap(), 1);
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 0);
}

#[test]
fn finalising_writes_an_immutable_submission_and_its_outbox_row_and_removes_the_draft() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let values = json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27",
        "anschrift": "Markt 1", "maengel": [{"beschreibung": "Geländer lose"}]});
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
        .unwrap();
    let s = store
        .with_tx(|tx| submissions::finalise(tx, d.id, TODAY))
        .unwrap();
    assert_eq!(s.caption, "530.12-2026-0042");
    assert_eq!(s.delivery, "pending");
    assert_eq!(
        store.with_conn(drafts::count).unwrap(),
        0,
        "the draft became the submission"
    );
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 1);

    let list = store.with_conn(submissions::list).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, s.id);
    let data: String = store
        .with_conn(|c| Ok(c.query_row("SELECT data_json FROM submissions", [], |r| r.get(0))?))
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(
        data["anzahl_maengel"], "1",
        "calculations are part of the submission"
    );

    let err = store
        .with_conn(|c| Ok(c.execute("UPDATE submissions SET data_json = '{}'", [])?))
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
}
