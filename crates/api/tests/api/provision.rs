// Central files in a real store: master data and scan profiles the administrator deploys
// are taken when they change, kept when they do not, and refused whole when broken.

use eingang_api::provision::{self, Outcome};
use eingang_capture::profile::{profiles, ScanProfile};
use eingang_store::tables::masterdata as md;
use eingang_store::Store;

const CSV: &str = "art;code;bezeichnung;muster;felder\n\
    einheit;530.12;Bauordnung;\"530\\.12-\\d{4}/\\d{4}\";\n\
    dokumentart;antrag;Antrag;;aktenzeichen\n";

#[test]
fn central_master_data_is_imported_when_it_changed_and_a_broken_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let file = dir.path().join("stammdaten.csv");
    std::fs::write(&file, CSV).unwrap();

    assert_eq!(
        provision::masterdata(&store, &file),
        Outcome::Imported("2 entries".into())
    );
    assert_eq!(provision::masterdata(&store, &file), Outcome::Unchanged);
    // The administrator adds a unit: taken at the next start.
    std::fs::write(&file, format!("{CSV}einheit;32.1;Ordnungsamt;;\n")).unwrap();
    assert_eq!(
        provision::masterdata(&store, &file),
        Outcome::Imported("3 entries".into())
    );
    // A broken version: every error named with the file, the three entries stay.
    std::fs::write(
        &file,
        "art;code;bezeichnung;muster;felder\nabteilung;1;X;;\n",
    )
    .unwrap();
    let Outcome::Refused(errors) = provision::masterdata(&store, &file) else {
        panic!("a broken file is refused");
    };
    assert!(
        errors.iter().all(|e| e.contains("stammdaten.csv")),
        "{errors:?}"
    );
    assert_eq!(store.with_conn(md::all).unwrap().len(), 3);
    // An unreachable file (share not mounted): named, the data stay.
    let Outcome::Refused(errors) = provision::masterdata(&store, &dir.path().join("weg.csv"))
    else {
        panic!("a missing file is refused");
    };
    assert!(errors[0].contains("cannot be read"), "{errors:?}");
    assert_eq!(store.with_conn(md::all).unwrap().len(), 3);
}

#[test]
fn central_scan_profiles_are_saved_and_a_bad_one_refuses_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut p = ScanProfile::builtin().remove(0);
    p.id = "bauamt".into();
    p.name = "Bauamt, Farbe".into();
    let file = dir.path().join("profiles.json");
    std::fs::write(&file, serde_json::to_string(&vec![p.clone()]).unwrap()).unwrap();
    assert_eq!(
        provision::profiles(&store, &file),
        Outcome::Imported("1 profile(s)".into())
    );
    assert!(profiles(&store).unwrap().iter().any(|q| q.id == "bauamt"));
    assert_eq!(provision::profiles(&store, &file), Outcome::Unchanged);

    let mut bad = p.clone();
    bad.id = "bau amt".into();
    std::fs::write(&file, serde_json::to_string(&vec![p, bad]).unwrap()).unwrap();
    let Outcome::Refused(errors) = provision::profiles(&store, &file) else {
        panic!("a bad profile refuses the file");
    };
    assert!(errors[0].contains("\"bau amt\""), "{errors:?}");
    std::fs::write(&file, "[{\"id\": 1}").unwrap();
    let Outcome::Refused(errors) = provision::profiles(&store, &file) else {
        panic!("broken JSON is refused");
    };
    assert!(errors[0].contains("line 1"), "{errors:?}");
}
