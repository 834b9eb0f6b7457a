//! A wrong PIN, in a process of its own: a token stays logged in for the whole process once
//! any session logged in, so the refusal is only observable before that.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_seal::testing::Pki;
use eingang_seal::{Error, Pkcs11Key};

#[test]
fn a_wrong_pin_is_refused_in_words_and_the_right_one_opens_the_key() {
    let pki = Pki::shared();
    let mut s = pki.settings("seal");
    s.pin = zeroize::Zeroizing::new("000000".into());
    let e = Pkcs11Key::open(&s).unwrap_err();
    assert!(matches!(e, Error::WrongPin), "{e}");
    assert_eq!(e.code(), "seal.wrong_pin");
    assert!(e.to_string().contains("PIN"));
    assert!(Pkcs11Key::open(&pki.settings("seal")).is_ok());
}
