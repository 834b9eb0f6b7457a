//! The team store's foundation against a real PostgreSQL (Debian's, on loopback, TLS): the
//! connection and its failures named, migrations applied once and a newer schema refused,
//! and the work queue — two desks at once never get the same document, a claim not renewed
//! runs out on the server's clock and the work goes to the other desk, which alone can
//! finish it.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_team::testing::Postgres;
use eingang_team::{Step, Team, Who, KNOWN_VERSION};
use std::collections::HashMap;
use std::time::Duration;

fn desk(station: &str, person: &str) -> Who {
    Who {
        station: station.into(),
        person: person.into(),
    }
}

#[test]
fn a_station_connects_with_tls_migrates_once_and_refuses_a_newer_schema() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let mut team = Team::connect(&settings, &password).unwrap();
    assert_eq!(team.schema_version().unwrap(), None, "an empty database");
    assert_eq!(team.migrate().unwrap(), KNOWN_VERSION);
    // Again, and from a second station at once: nothing applied twice.
    let mut other = Team::connect(&settings, &password).unwrap();
    let t = std::thread::spawn(move || other.migrate().unwrap());
    assert_eq!(team.migrate().unwrap(), KNOWN_VERSION);
    assert_eq!(t.join().unwrap(), KNOWN_VERSION);
    assert_eq!(team.schema_version().unwrap(), Some(KNOWN_VERSION));

    // A newer station migrated the database further: this one refuses to write.
    server.execute_as_admin(
        &settings.dbname,
        &format!("UPDATE team_schema SET version = {}", KNOWN_VERSION + 1),
    );
    let e = team.migrate().unwrap_err();
    assert_eq!(e.code(), "team.newer_schema");
    assert!(
        e.to_string().contains("update Eingang on this station"),
        "{e}"
    );

    // What goes wrong when connecting is named.
    let e = Team::connect(&settings, "falsch").unwrap_err();
    assert_eq!(e.code(), "team.login", "{e}");
    let untrusted = eingang_team::Settings {
        ca_bundle: None,
        ..settings.clone()
    };
    let e = Team::connect(&untrusted, &password).unwrap_err();
    assert_eq!(e.code(), "team.tls", "{e}");
    let closed = eingang_team::Settings {
        port: eingang_seal::testing::free_port(),
        ..settings
    };
    let e = Team::connect(&closed, &password).unwrap_err();
    assert_eq!(e.code(), "team.unreachable", "{e}");
    assert!(e.is_transient());
}

#[test]
fn two_desks_never_get_the_same_document_and_a_lapsed_claim_goes_to_the_other() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let mut team = Team::connect(&settings, &password).unwrap();
    team.migrate().unwrap();
    for n in 0..60 {
        assert!(team
            .add_work(Step::Index, &format!("dok-{n:02}"), "stapel-1")
            .unwrap());
    }
    assert!(
        !team.add_work(Step::Index, "dok-00", "stapel-1").unwrap(),
        "once"
    );
    assert_eq!(team.queue(Step::Index).unwrap(), (60, 0));

    // Two desks work the queue at once, each on its own connection.
    let work = |station: &'static str| {
        let (settings, password) = (settings.clone(), password.clone());
        std::thread::spawn(move || {
            let mut team = Team::connect(&settings, &password).unwrap();
            let who = desk(station, station);
            let mut done = Vec::new();
            while let Some(claim) = team
                .claim_next(Step::Index, &who, Duration::from_secs(60))
                .unwrap()
            {
                assert!(team.finish(&claim, &who).unwrap());
                done.push(claim.item);
            }
            done
        })
    };
    let (b, c) = (work("desk-b"), work("desk-c"));
    let (b, c) = (b.join().unwrap(), c.join().unwrap());
    let mut times: HashMap<String, usize> = HashMap::new();
    for item in b.iter().chain(&c) {
        *times.entry(item.clone()).or_default() += 1;
    }
    assert_eq!(times.len(), 60, "every document done");
    assert!(times.values().all(|n| *n == 1), "none done twice");
    assert!(
        !b.is_empty() && !c.is_empty(),
        "both desks worked: {} + {}",
        b.len(),
        c.len()
    );
    assert_eq!(team.queue(Step::Index).unwrap(), (0, 0));

    // A desk takes a document for a second and goes away: after the second the other desk
    // gets it; the first can neither renew nor finish it any more.
    team.add_work(Step::Check, "dok-x", "stapel-1").unwrap();
    let (away, other) = (desk("desk-b", "Anna"), desk("desk-c", "Bernd"));
    let mut first = team
        .claim_next(Step::Check, &away, Duration::from_secs(1))
        .unwrap()
        .unwrap();
    let mut second_team = Team::connect(&settings, &password).unwrap();
    assert!(second_team
        .claim_next(Step::Check, &other, Duration::from_secs(60))
        .unwrap()
        .is_none());
    std::thread::sleep(Duration::from_millis(1_500));
    let second = second_team
        .claim_next(Step::Check, &other, Duration::from_secs(60))
        .unwrap()
        .unwrap();
    assert_eq!(second.item, "dok-x");
    assert!(!team
        .renew(&mut first, &away, Duration::from_secs(60))
        .unwrap());
    assert!(!team.finish(&first, &away).unwrap());
    assert!(second_team.finish(&second, &other).unwrap());
    assert!(!second_team.finish(&second, &other).unwrap(), "done once");
}

#[test]
fn a_change_at_one_desk_reaches_a_listening_desk() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let mut lead = Team::connect(&settings, &password).unwrap();
    lead.migrate().unwrap();
    lead.listen().unwrap();
    assert_eq!(
        lead.next_change(Duration::from_millis(200)).unwrap(),
        None,
        "nothing changed yet"
    );
    let mut desk_b = Team::connect(&settings, &password).unwrap();
    desk_b.add_work(Step::Index, "dok-1", "stapel-7").unwrap();
    assert_eq!(
        lead.next_change(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("stapel-7")
    );
    let who = desk("desk-b", "Anna");
    let claim = desk_b
        .claim_next(Step::Index, &who, Duration::from_secs(60))
        .unwrap()
        .unwrap();
    assert_eq!(
        lead.next_change(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("stapel-7"),
        "a claim is a change everyone sees (who works on what)"
    );
    assert!(desk_b.finish(&claim, &who).unwrap());
    assert_eq!(
        lead.next_change(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("stapel-7")
    );
}
