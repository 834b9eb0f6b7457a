//! Signed e-mail (S/MIME) checked on arrival: messages signed by OpenSSL with a test CA's
//! certificate, in both forms, as they came and altered, against the CA and against other
//! authorities; one taken into a batch and released, its verdict in the Transfervermerk.
//! The trust anchors are the process's, so these cases share one test.

#![allow(clippy::unwrap_used)]

mod drawn;

use eingang_capture::email::{read_eml, set_smime_trust};
use eingang_capture::intake::import;
use eingang_capture::profile::profiles;
use eingang_capture::Limits;
use eingang_seal::smime::{Trust, Verdict};
use eingang_store::tables::batches;
use eingang_store::Store;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn openssl(args: &[&str]) -> Vec<u8> {
    let o = Command::new("openssl").args(args).output().unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// A MIME entity: a text and a PNG attachment.
fn entity() -> Vec<u8> {
    use base64::Engine as _;
    let mut png = Vec::new();
    image::GrayImage::from_fn(200, 120, |x, _| {
        image::Luma([if x % 20 < 10 { 0 } else { 255 }])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIch beantrage Wohngeld ab Januar.\r\n--M\r\nContent-Type: image/png; name=\"nachweis.png\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"nachweis.png\"\r\n\r\n{}\r\n--M--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// The entity signed by the test signer, sent from `from`; `opaque`: the content inside the
/// signature (`signed-data`) instead of beside it.
fn signed(dir: &Path, from: &str, opaque: bool) -> Vec<u8> {
    let input = dir.join("entity.mime");
    std::fs::write(&input, entity()).unwrap();
    let p = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    let mut args = vec![
        "smime".to_owned(),
        "-sign".into(),
        "-in".into(),
        p("entity.mime"),
        "-signer".into(),
        p("signer.crt"),
        "-inkey".into(),
        p("signer.key"),
        "-from".into(),
        from.into(),
        "-to".into(),
        "posteingang@stadt.example".into(),
        "-subject".into(),
        "Antrag auf Wohngeld".into(),
    ];
    if opaque {
        args.push("-nodetach".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    openssl(&args)
}

#[test]
fn a_signed_message_is_checked_in_both_forms_and_every_fault_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/test-smime.sh");
    let made = Command::new("bash")
        .args([script, dir.path().to_str().unwrap()])
        .args(["Test-Bürger-CA", "erika@example.org", "Erika Mustermann"])
        .status()
        .unwrap();
    assert!(made.success());
    set_smime_trust(Trust::from_files(&[dir.path().join("ca.crt")]).unwrap());

    // Detached (multipart/signed), as OpenSSL writes it: valid; the picture is a page, the
    // signature part is the verdict, not an attachment.
    let detached = signed(dir.path(), "erika@example.org", false);
    let mail = read_eml("signiert.eml", &detached, Limits::default()).unwrap();
    let s = mail.signature.clone().expect("checked");
    assert_eq!(s.verdict, Verdict::Gueltig, "{s:?}");
    assert_eq!(s.signer, "Erika Mustermann");
    assert_eq!(s.signer_email, ["erika@example.org"]);
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(mail.pages.len(), 2, "the message page and the picture");
    assert!(mail.left_out.is_empty(), "{:?}", mail.left_out);
    for pair in [
        ("signatur", "gueltig"),
        ("signatur_person", "Erika Mustermann <erika@example.org>"),
        ("absender", "erika@example.org"),
    ] {
        assert!(
            mail.index.contains(&(pair.0.to_owned(), pair.1.to_owned())),
            "{pair:?} in {:?}",
            mail.index
        );
    }
    assert!(s
        .statement()
        .contains("Signatur gültig; signiert von Erika Mustermann"));

    // The same message as a mail store keeps it (bare LF line ends): still valid.
    let lf: Vec<u8> = String::from_utf8(detached.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    let mail = read_eml("lf.eml", &lf, Limits::default()).unwrap();
    assert_eq!(mail.signature.unwrap().verdict, Verdict::Gueltig);

    // One word of the signed text changed after signing: invalid, and the message is kept.
    let text = String::from_utf8(detached.clone()).unwrap();
    let altered = text.replacen("Wohngeld ab Januar", "Wohngeld ab Februar", 1);
    assert_ne!(altered, text);
    let mail = read_eml("veraendert.eml", altered.as_bytes(), Limits::default()).unwrap();
    let s = mail.signature.unwrap();
    assert_eq!(s.verdict, Verdict::Ungueltig, "{s:?}");
    assert!(s.problems.iter().any(|p| p.contains("changed")), "{s:?}");
    assert_eq!(mail.pages.len(), 2);

    // Sent from another address than the certificate's: not trusted, and why.
    let other = signed(dir.path(), "mallory@example.org", false);
    let s = read_eml("fremd.eml", &other, Limits::default())
        .unwrap()
        .signature
        .unwrap();
    assert_eq!(s.verdict, Verdict::NichtVertrauenswuerdig);
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("erika@example.org") && p.contains("mallory@example.org")),
        "{s:?}"
    );

    // Opaque (signed-data): the content is inside the signature; read from there, valid.
    let opaque = signed(dir.path(), "erika@example.org", true);
    assert!(!String::from_utf8_lossy(&opaque).contains("ab Januar"));
    let mail = read_eml("opak.eml", &opaque, Limits::default()).unwrap();
    assert_eq!(mail.signature.as_ref().unwrap().verdict, Verdict::Gueltig);
    assert_eq!(
        mail.pages.len(),
        2,
        "the picture inside the signature is a page"
    );

    released_with_its_verdict(&detached);

    // Checked against authorities that do not include the test CA: not trusted.
    let elsewhere = tempfile::tempdir().unwrap();
    let made = Command::new("bash")
        .args([script, elsewhere.path().to_str().unwrap()])
        .args(["Andere CA", "x@example.org", "X"])
        .status()
        .unwrap();
    assert!(made.success());
    set_smime_trust(Trust::from_files(&[elsewhere.path().join("ca.crt")]).unwrap());
    let s = read_eml("signiert.eml", &detached, Limits::default())
        .unwrap()
        .signature
        .unwrap();
    assert_eq!(s.verdict, Verdict::NichtVertrauenswuerdig, "{s:?}");
    assert!(
        s.problems.iter().any(|p| p.contains("trusted authority")),
        "{s:?}"
    );
}

/// A signed message taken into a batch and released: its verdict from the page log in the
/// Transfervermerk, and in the index.
fn released_with_its_verdict(detached: &[u8]) {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let profile = profiles(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "standard")
        .unwrap();
    let json = serde_json::to_string(&profile).unwrap();
    let batch = store
        .with_tx(|c| batches::create_batch(c, "Postfach", Some("standard"), &json))
        .unwrap();
    let report = import(
        &store,
        &batch,
        std::iter::once(("antrag.eml".to_owned(), Ok(detached.to_vec()))),
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    assert_eq!((report.received, report.failed_files), (2, 0), "{report:?}");
    drawn::ocr(&store, &batch);
    let docs = drawn::release_checked(&store, &batch, "Antrag", &[]).unwrap();
    let tv = store
        .blobs()
        .get(docs[0].transfer_blob.as_ref().unwrap())
        .unwrap();
    let tv = String::from_utf8(tv).unwrap();
    assert!(
        tv.contains("<signaturpruefung verfahren=\"S/MIME\" ergebnis=\"gueltig\" unterzeichner=\"Erika Mustermann\" email=\"erika@example.org\" aussteller=\"Test-Bürger-CA\""),
        "{tv}"
    );
    assert!(docs[0]
        .index
        .contains(&("signatur".to_owned(), "gueltig".to_owned())));
}
