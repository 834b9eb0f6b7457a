//! Sign-in at the station against a real OpenLDAP `slapd` (StartTLS): the directory
//! password is required, wrong ones are counted and lock the name out, the person's
//! directory name acts in the audit log, and four-eyes compares these identities — the
//! person who scanned cannot check, whatever name they type. Its own process: the station's
//! operator is one per process.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_api::{batches, station};
use eingang_config::DirectorySection;
use eingang_seal::testing::Slapd;

#[test]
fn the_directory_decides_who_works_and_four_eyes_holds_between_authenticated_people() {
    let ldap = Slapd::shared();
    let dir = tempfile::tempdir().unwrap();
    let store = eingang_store::Store::open(dir.path()).unwrap();
    let cfg = DirectorySection {
        url: Some(ldap.url()),
        user_dn: Some("uid={user},ou=people,dc=stadt,dc=test".into()),
        ca: vec![ldap.ca()],
        max_failures: Some(3),
        lockout_minutes: Some(15),
        ..DirectorySection::default()
    };
    // A typed name alone is no sign-in any more.
    let e = station::sign_in(&store, "Bernd Prüfer", None, &cfg).unwrap_err();
    assert_eq!((e.code(), e.field()), ("input.password", Some("password")));

    // Anna signs in and scans a batch.
    station::sign_in(&store, "anna", Some(&ldap.password("anna")), &cfg).unwrap();
    assert_eq!(
        station::info(&store, None, true).unwrap().operator,
        "Anna Scanner (anna)"
    );
    let batch: eingang_model::BatchId = batches::create(&store, "Post", Some("standard"))
        .unwrap()
        .id
        .parse()
        .unwrap();
    let page = dir.path().join("p.png");
    image::GrayImage::from_fn(300, 400, |x, y| {
        image::Luma([if (x + y) % 9 == 0 { 30 } else { 230 }])
    })
    .save(&page)
    .unwrap();
    batches::import_paths(&store, &batch, &[page], &|_| {}).unwrap();
    let scanned_by = batches::get(&store, &batch).unwrap().scanned_by;
    assert_eq!(scanned_by, "Anna Scanner (anna)");

    // Bernd mistypes three times: then even his right password is refused for a while.
    for _ in 0..3 {
        let e = station::sign_in(&store, "bernd", Some("falsch"), &cfg).unwrap_err();
        assert_eq!(e.code(), "signin.wrong", "{e}");
    }
    let e = station::sign_in(&store, "bernd", Some(&ldap.password("bernd")), &cfg).unwrap_err();
    assert_eq!(e.code(), "signin.locked", "{e}");
    assert!(
        e.to_string().contains("locked out after 3 failed sign-ins"),
        "{e}"
    );
    // Still Anna at the station: she cannot check her own batch, whatever she types.
    assert_eq!(
        station::info(&store, None, true).unwrap().operator,
        "Anna Scanner (anna)"
    );
    let e = eingang_capture::qc::pass_open(&store, &batch, &eingang_store::tables::audit::actor())
        .unwrap_err();
    assert_eq!(e.code(), "qc.four_eyes", "{e}");

    // Carla, another person of the directory, checks.
    station::sign_in(&store, "carla", Some(&ldap.password("carla")), &cfg).unwrap();
    let checker = eingang_store::tables::audit::actor();
    assert_eq!(checker, "Carla Leitung (carla)");
    eingang_capture::qc::pass_open(&store, &batch, &checker).unwrap();

    // The audit log names the failures and the sign-ins (never a password) and holds.
    let records = store
        .with_conn(eingang_store::tables::audit::records)
        .unwrap();
    let failed = records
        .iter()
        .filter(|r| r.kind == "station.sign_in_failed")
        .count();
    assert_eq!(failed, 3);
    let signed: Vec<_> = records
        .iter()
        .filter(|r| r.kind == "station.sign_in")
        .map(|r| (r.subject.as_str(), r.actor.as_str()))
        .collect();
    assert_eq!(
        signed,
        [
            ("signin:anna", "Anna Scanner (anna)"),
            ("signin:carla", "Carla Leitung (carla)")
        ]
    );
    let all = format!("{records:?}");
    for user in ["anna", "bernd", "carla"] {
        assert!(
            !all.contains(&ldap.password(user)),
            "a password in the audit log"
        );
    }
    assert!(store
        .with_conn(eingang_store::tables::audit::verify)
        .unwrap()
        .is_ok());
}
