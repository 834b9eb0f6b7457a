//! The hash-chained audit log: appended in the same transaction as what it records, and
//! any change, removal or reordering found by `verify` — also when the triggers that keep
//! ordinary writers out are dropped first (as someone with the database file could).

use crate::fresh;
use eingang_store::tables::audit;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::tables::profiles;

fn tamper(db: &std::path::Path, sql: &str) {
    let c =
        eingang_store::connect(db.parent().unwrap(), &eingang_store::keys::Unlock::Auto).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn the_chain_holds_and_every_kind_of_tampering_is_named() {
    let (dir, store) = fresh();
    store
        .with_tx(|c| {
            let batch = batches::create_batch(c, "b", None, "{}")?;
            for i in 0..3 {
                pages::add_page(
                    c,
                    &batch,
                    &pages::NewPage {
                        source: &format!("s{i}.png"),
                        source_page: 0,
                        raw_blob: "00",
                        dpi: (300.0, 300.0),
                    },
                )?;
            }
            profiles::save_profile(c, "p", "Profil", r#"{"x":1}"#)?;
            Ok(())
        })
        .unwrap();
    let records = store.with_conn(audit::records).unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "page.received",
            "page.received",
            "page.received",
            "profile.created"
        ]
    );
    assert_eq!(store.with_conn(audit::verify).unwrap(), Ok(4));
    // Ordinary writes are refused.
    let refused = store.with_conn(|c| {
        c.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
            .map_err(Into::into)
    });
    assert!(refused.is_err());
    drop(store);
    let db = dir.path().join("eingang.db");

    // A changed record.
    let copy = |name: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::copy(&db, p.join("eingang.db")).unwrap();
        // The database travels with its key file (the data key wrapped for this folder).
        std::fs::copy(dir.path().join("key.json"), p.join("key.json")).unwrap();
        p
    };
    let changed = copy("changed");
    tamper(
        &changed.join("eingang.db"),
        "UPDATE audit_log SET details = '{}' WHERE seq = 2",
    );
    let s = eingang_store::Store::open(&changed).unwrap();
    assert_eq!(
        s.with_conn(audit::verify).unwrap(),
        Err(audit::ChainBreak::Changed { seq: 2 })
    );
    // A changed record whose hash was recomputed: the next one no longer follows.
    let rehashed = copy("rehashed");
    tamper(
        &rehashed.join("eingang.db"),
        "UPDATE audit_log SET hash = 'f00' WHERE seq = 2",
    );
    let s = eingang_store::Store::open(&rehashed).unwrap();
    let got = s.with_conn(audit::verify).unwrap().unwrap_err();
    assert!(
        matches!(
            got,
            audit::ChainBreak::Changed { seq: 2 } | audit::ChainBreak::NotFollowing { seq: 3 }
        ),
        "{got}"
    );
    // A removed record.
    let removed = copy("removed");
    tamper(
        &removed.join("eingang.db"),
        "DELETE FROM audit_log WHERE seq = 3",
    );
    let s = eingang_store::Store::open(&removed).unwrap();
    assert_eq!(
        s.with_conn(audit::verify).unwrap(),
        Err(audit::ChainBreak::Missing {
            expected: 3,
            found: 4
        })
    );
    // Two records swapped.
    let moved = copy("moved");
    tamper(
        &moved.join("eingang.db"),
        "UPDATE audit_log SET seq = 100 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 100;",
    );
    let s = eingang_store::Store::open(&moved).unwrap();
    assert!(s.with_conn(audit::verify).unwrap().is_err());
}
