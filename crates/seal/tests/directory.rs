//! Sign-in against a real OpenLDAP `slapd` over StartTLS and over LDAPS: the right password
//! gives the person's directory name; a wrong one, an unknown name, an empty password, a
//! hostile name, an untrusted server and a directory that is down are each refused in words.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_seal::testing::Slapd;
use eingang_seal::Error;

#[test]
fn people_sign_in_with_their_directory_password_and_nothing_else_gets_in() {
    let ldap = Slapd::shared();
    let dir = ldap.directory();
    let bernd = dir.authenticate("bernd", &ldap.password("bernd")).unwrap();
    assert_eq!(bernd.name, "Bernd Prüfer");
    assert_eq!(bernd.actor(), "Bernd Prüfer (bernd)");
    assert_eq!(bernd.dn, "uid=bernd,ou=people,dc=stadt,dc=test");

    for (user, password) in [
        ("bernd", "falsch".to_owned()),
        ("bernd", ldap.password("anna")),
        ("niemand", "egal".to_owned()),
        ("bernd", String::new()),
        ("*)(uid=*", "x".to_owned()),
        ("bernd,ou=people", "x".to_owned()),
    ] {
        let e = dir.authenticate(user, &password).unwrap_err();
        assert!(matches!(e, Error::WrongCredentials), "{user}: {e}");
        assert_eq!(e.code(), "signin.wrong");
    }
    // Without the directory's CA the server is not trusted: never a bind in clear.
    let mut untrusted = dir.clone();
    untrusted.ca.clear();
    let e = untrusted
        .authenticate("bernd", &ldap.password("bernd"))
        .unwrap_err();
    assert_eq!(e.code(), "signin.unreachable", "{e}");
    // Down.
    let mut down = dir.clone();
    down.url = "ldap://127.0.0.1:9/".into();
    let e = down
        .authenticate("bernd", &ldap.password("bernd"))
        .unwrap_err();
    assert_eq!(e.code(), "signin.unreachable", "{e}");
}

#[test]
fn ldaps_signs_in_the_same_people_and_trusts_only_the_directory_ca() {
    let ldap = Slapd::shared();
    let mut dir = ldap.directory();
    dir.url = ldap.ldaps_url();
    let anna = dir.authenticate("anna", &ldap.password("anna")).unwrap();
    assert_eq!(anna.actor(), "Anna Scanner (anna)");
    let e = dir.authenticate("anna", "falsch").unwrap_err();
    assert_eq!(e.code(), "signin.wrong", "{e}");
    // Another CA than the directory's: the TLS handshake fails before any password is sent.
    let other = tempfile::tempdir().unwrap();
    let ca = other.path().join("other-ca.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=Fremde CA", "-keyout"])
        .arg(other.path().join("k.pem"))
        .arg("-out")
        .arg(&ca)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let mut foreign = dir.clone();
    foreign.ca = vec![ca];
    let e = foreign
        .authenticate("anna", &ldap.password("anna"))
        .unwrap_err();
    assert_eq!(e.code(), "signin.unreachable", "{e}");
    // An LDAPS URL on the StartTLS port (plain LDAP there): refused, not spoken in clear.
    let mut wrong_port = dir.clone();
    wrong_port.url = format!("ldaps://127.0.0.1:{}/", ldap.port);
    let e = wrong_port
        .authenticate("anna", &ldap.password("anna"))
        .unwrap_err();
    assert_eq!(e.code(), "signin.unreachable", "{e}");
}
