use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_store::{tables, Error};

#[test]
fn with_tx_rolls_back_every_write_when_the_closure_fails() {
    let (_dir, store) = super::fresh();
    let result: Result<(), Error> = store.with_tx(|tx| {
        tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
        tables::preferences::set(tx, "ui.language", "en")?;
        // A later step fails: nothing above may remain.
        tables::drafts::create(tx, "no-such-form", "1")?;
        Ok(())
    });
    assert!(matches!(result, Err(Error::UnknownForm { .. })));
    store
        .with_conn(|c| {
            assert_eq!(tables::drafts::count(c)?, 0, "the draft was rolled back");
            assert_eq!(tables::preferences::get(c, "ui.language")?, None);
            Ok(())
        })
        .unwrap();
}

#[test]
fn with_tx_commits_all_writes_together() {
    let (_dir, store) = super::fresh();
    store
        .with_tx(|tx| {
            tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
            tables::preferences::set(tx, "ui.language", "en")
        })
        .unwrap();
    store
        .with_conn(|c| {
            assert_eq!(tables::drafts::count(c)?, 1);
            assert_eq!(
                tables::preferences::get(c, "ui.language")?.as_deref(),
                Some("en")
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_panic_inside_with_tx_rolls_back_and_leaves_the_store_usable() {
    let (_dir, store) = super::fresh();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = store.with_tx(|tx| -> Result<(), Error> {
            tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
            panic!("simulated bug in the middle of a write");
        });
    }));
    assert!(panicked.is_err());
    let n = store.with_conn(tables::drafts::count).unwrap();
    assert_eq!(n, 0);
    store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .expect("the store still works after a panic");
}
