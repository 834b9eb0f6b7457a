//! A batch on the team store, against a real PostgreSQL: uploaded twice arrives once; once
//! handed over its pages change only through the queue; a desk's save needs its claim and
//! the versions it read; the database itself refuses a verdict by the person who scanned;
//! every change is an event in an unbroken hash chain that notices a changed entry.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_team::testing::Postgres;
use eingang_team::{BatchRows, Row, Save, Step, Team, Who};
use serde_json::json;
use std::time::Duration;

fn desk(station: &str, person: &str) -> Who {
    Who {
        station: station.into(),
        person: person.into(),
    }
}

fn row(v: &serde_json::Value) -> Row {
    v.as_object().unwrap().clone()
}

fn team() -> (Team, String) {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let mut team = Team::connect(&settings, &password).unwrap();
    team.migrate().unwrap();
    (team, settings.dbname)
}

fn rows(pages: usize) -> BatchRows {
    BatchRows {
        batch: row(&json!({"id": "b-1", "name": "Post 3. Dezember", "scanned_by": "anna"})),
        pages: (0..pages)
            .map(|i| {
                row(
                    &json!({"id": format!("p-{i}"), "batch_id": "b-1", "position": f64::from(u32::try_from(i).unwrap()),
                           "starts_document": i64::from(i % 2 == 0), "index_json": "[]",
                           "raw_blob": format!("h{i}")}),
                )
            })
            .collect(),
        log: (0..pages)
            .map(|i| {
                (
                    format!("log-{i}"),
                    row(&json!({"page_id": format!("p-{i}"), "op": "scan"})),
                )
            })
            .collect(),
        verdicts: Vec::new(),
    }
}

/// The check: anna scanned the batch; the database refuses her verdict at any desk, dora's
/// is kept.
fn check_with_four_eyes(team: &mut Team, ttl: Duration) {
    let check = team
        .claim_next(Step::Check, &desk("check-1", "anna"), ttl)
        .unwrap()
        .unwrap();
    let verdict = |person: &str| Save {
        verdicts: vec![(
            format!("v-{person}"),
            row(
                &json!({"batch_id": "b-1", "first_page": "p-0", "verdict": "passed", "checker": person}),
            ),
        )],
        action: "checked",
        ..Save::default()
    };
    let e = team
        .save(&check, &desk("check-1", "anna"), &verdict("anna"))
        .unwrap_err();
    assert_eq!(e.code(), "team.four_eyes", "{e}");
    assert!(e.to_string().contains("anna"), "{e}");
    team.release(&check, &desk("check-1", "anna")).unwrap();
    let d = desk("check-1", "dora");
    let check = team.claim_next(Step::Check, &d, ttl).unwrap().unwrap();
    team.save(&check, &d, &verdict("dora")).unwrap();
    assert_eq!(team.download("b-1").unwrap().rows.verdicts.len(), 1);
}

#[test]
fn an_upload_repeated_arrives_once_and_a_handed_over_batch_changes_only_through_claims() {
    let (mut team, _) = team();
    let scanner = desk("scan-1", "anna");
    let mut batch = rows(3);
    let first = team.upload(&scanner, &batch, None).unwrap();
    assert_eq!(first, 6, "three pages and three log entries");
    assert_eq!(
        team.upload(&scanner, &batch, None).unwrap(),
        0,
        "again: nothing new"
    );
    // More pages scanned, cut off and sent again: each page once.
    batch = rows(4);
    assert_eq!(team.upload(&scanner, &batch, None).unwrap(), 2);
    let docs = vec!["p-0".to_owned(), "p-2".to_owned()];
    team.upload(&scanner, &batch, Some(&docs)).unwrap();
    assert_eq!(team.queue(Step::Index).unwrap(), (2, 0));
    // Handed over: the scanning station can no longer change it behind the desks' backs.
    let e = team.upload(&scanner, &batch, None).unwrap_err();
    assert_eq!(e.code(), "team.handed_over", "{e}");
    // Nor can another station upload into it.
    let e = team
        .upload(&desk("scan-2", "bert"), &batch, None)
        .unwrap_err();
    assert_eq!(e.code(), "team.handed_over");

    let down = team.download("b-1").unwrap();
    assert_eq!(down.state, "ready");
    assert_eq!(down.scanned_by, "anna");
    assert_eq!(down.rows.pages.len(), 4);
    assert_eq!(down.rows.log.len(), 4);
    assert_eq!(down.rows.pages[3]["id"], "p-3", "in page order");
    assert_eq!(down.versions["p-0"], 1);

    // Desk B indexes the first document under its claim.
    let b = desk("index-1", "bert");
    let ttl = Duration::from_secs(60);
    let claim = team.claim_next(Step::Index, &b, ttl).unwrap().unwrap();
    assert_eq!(claim.item, "p-0");
    let mut page = down.rows.pages[0].clone();
    page.insert("index_json".into(), json!("[[\"aktenzeichen\",\"63-1\"]]"));
    let save = Save {
        pages: vec![(page.clone(), down.versions["p-0"])],
        log: vec![(
            "log-index".into(),
            row(&json!({"page_id": "p-0", "op": "user_index"})),
        )],
        next: vec![(Step::Check, "p-0".into())],
        action: "indexed",
        ..Save::default()
    };
    // Desk C has no claim on it: refused, nothing kept.
    let c = desk("index-2", "carla");
    let e = team.save(&claim, &c, &save).unwrap_err();
    assert_eq!(e.code(), "team.not_held", "{e}");
    team.save(&claim, &b, &save).unwrap();
    // Saved once; the same save again (a retry after a lost answer) is refused: it is done.
    assert_eq!(
        team.save(&claim, &b, &save).unwrap_err().code(),
        "team.not_held"
    );
    let after = team.download("b-1").unwrap();
    assert_eq!(after.versions["p-0"], 2);
    assert_eq!(after.rows.pages[0]["index_json"], page["index_json"]);
    assert_eq!(after.rows.log.len(), 5);
    assert_eq!(team.queue(Step::Check).unwrap(), (1, 0));

    // The other document: C claims it, but the page changed since C read it.
    let claim = team.claim_next(Step::Index, &c, ttl).unwrap().unwrap();
    assert_eq!(claim.item, "p-2");
    let stale = Save {
        pages: vec![(down.rows.pages[0].clone(), 1)],
        action: "indexed",
        ..Save::default()
    };
    let e = team.save(&claim, &c, &stale).unwrap_err();
    assert_eq!(e.code(), "team.changed", "{e}");
    assert_eq!(
        team.queue(Step::Index).unwrap(),
        (1, 1),
        "still C's, still open"
    );

    check_with_four_eyes(&mut team, ttl);

    // Who did what, where — an unbroken chain.
    let (events, broken) = team.verify_events().unwrap();
    assert!(events >= 5, "{events}");
    assert_eq!(broken, None);
    let day = team.day().unwrap();
    assert_eq!(day.pages_today, 4);
    assert_eq!(day.desks.len(), 1, "C still holds the second document");
    assert_eq!(day.desks[0].person, "carla");
}

#[test]
fn a_changed_event_breaks_the_chain_and_the_log_refuses_changes() {
    let server = Postgres::shared();
    let (mut team, db) = team();
    let scanner = desk("scan-1", "anna");
    team.upload(&scanner, &rows(2), None).unwrap();
    team.upload(&scanner, &rows(3), Some(&["p-0".into()]))
        .unwrap();
    assert_eq!(team.verify_events().unwrap(), (2, None));
    // Through the application's statements the log cannot be changed.
    server.execute_as_admin(&db, "SELECT 1");
    let e = std::panic::catch_unwind(|| {
        server.execute_as_admin(&db, "UPDATE team_events SET person = 'mallory'");
    });
    assert!(e.is_err(), "the append-only trigger refuses an update");
    // An administrator changing the table past its trigger is seen by the chain.
    server.execute_as_admin(
        &db,
        "ALTER TABLE team_events DISABLE TRIGGER team_events_no_change;
         UPDATE team_events SET person = 'mallory' WHERE seq = (SELECT min(seq) FROM team_events);",
    );
    let (n, broken) = team.verify_events().unwrap();
    assert_eq!(n, 2);
    assert!(broken.is_some());
}

#[test]
fn blobs_are_kept_once_and_checked_when_read() {
    let server = Postgres::shared();
    let (mut team, db) = team();
    let data = vec![7u8; 300_000];
    let hash = team.put_blob(&data).unwrap();
    assert_eq!(team.put_blob(&data).unwrap(), hash);
    assert_eq!(
        team.missing_blobs(&[hash.clone(), "ab".repeat(32)])
            .unwrap(),
        vec!["ab".repeat(32)]
    );
    assert_eq!(team.blob(&hash).unwrap(), data);
    server.execute_as_admin(&db, "UPDATE team_blobs SET data = '\\x00'");
    let e = team.blob(&hash).unwrap_err();
    assert_eq!(e.code(), "team.blob_corrupt", "{e}");
    assert_eq!(
        team.blob(&"cd".repeat(32)).unwrap_err().code(),
        "team.not_found"
    );
}

#[test]
fn two_saves_of_one_document_at_the_same_instant_keep_exactly_one() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let mut team = Team::connect(&settings, &password).unwrap();
    team.migrate().unwrap();
    let docs = vec!["p-0".to_owned()];
    team.upload(&desk("scan-1", "anna"), &rows(2), Some(&docs))
        .unwrap();
    let bert = desk("index-1", "bert");
    let claim = team
        .claim_next(Step::Index, &bert, Duration::from_secs(60))
        .unwrap()
        .unwrap();
    let down = team.download("b-1").unwrap();
    // The same desk sends its index twice at once (a double click, a retry racing the
    // first): two connections, released together.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let saving: Vec<_> = ["63-1", "63-2"]
        .into_iter()
        .map(|az| {
            let (settings, password) = (settings.clone(), password.clone());
            let (claim, bert, barrier) = (claim.clone(), bert.clone(), barrier.clone());
            let mut page = down.rows.pages[0].clone();
            page.insert(
                "index_json".into(),
                json!(format!("[[\"aktenzeichen\",\"{az}\"]]")),
            );
            let version = down.versions["p-0"];
            std::thread::spawn(move || {
                let mut t = Team::connect(&settings, &password).unwrap();
                let save = Save {
                    pages: vec![(page, version)],
                    action: "indexed",
                    ..Save::default()
                };
                barrier.wait();
                t.save(&claim, &bert, &save)
                    .map_err(|e| e.code().to_owned())
            })
        })
        .collect();
    let results: Vec<Result<(), String>> = saving.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .any(|r| r.as_ref().is_err_and(|c| c == "team.not_held")),
        "the second finds the work done: {results:?}"
    );
    let after = team.download("b-1").unwrap();
    assert_eq!(after.versions["p-0"], 2, "changed once");
    let kept = if results[0].is_ok() { "63-1" } else { "63-2" };
    assert!(
        after.rows.pages[0]["index_json"]
            .as_str()
            .unwrap()
            .contains(kept),
        "the winner's value: {}",
        after.rows.pages[0]["index_json"]
    );
    let (events, broken) = team.verify_events().unwrap();
    assert_eq!(broken, None, "{events} events");
}
