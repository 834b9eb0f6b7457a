//! Seals against real PKI components: the key in a SoftHSM2 token, timestamps from
//! certomancer's RFC 3161 service, and the sealed PDF/A checked by Eingang's verifier,
//! poppler's `pdfsig` and pyHanko's validator — and failed by all three after one byte.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_pdf::{PageImage, PdfA, ScanOptions, ScanPage, ScanPdf, ScanWriter};
use eingang_seal::testing::Pki;
use eingang_seal::{seal_pdf, verify_pdf, Error, Pkcs11Key, Pkcs12Key, SealInfo, Tsa};
use std::path::Path;
use std::process::Command;

fn scan_pdf(level: PdfA) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let img = image::GrayImage::from_fn(620, 877, |x, y| image::Luma([200 + ((x ^ y) % 50) as u8]));
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&img)
        .unwrap();
    let mut w = ScanWriter::new(Vec::new(), level).unwrap();
    let page = ScanPage {
        image: PageImage::Jpeg(jpeg),
        dpi: (75.0, 75.0),
    };
    w.add_page(&page, 0).unwrap();
    w.add_page(&page, 0).unwrap();
    let doc = ScanPdf {
        title: "Posteingang 1".into(),
        language: "de".into(),
        created: "2026-12-01T08:00:00Z".into(),
        reference: "d-1".into(),
    };
    w.finish(
        &doc,
        &ScanOptions {
            level,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

fn info() -> SealInfo {
    SealInfo {
        name: "Stadt Musterstadt, Scanstelle".into(),
        reason: "Ersetzendes Scannen (BSI TR-03138)".into(),
        location: "Musterstadt".into(),
    }
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// veraPDF's verdict on the sealed files (the PDF/A stays a PDF/A after the incremental
/// update); `scripts/test.sh` installs it into `.tools/bin`.
fn verapdf(files: &[std::path::PathBuf]) -> (bool, String) {
    let bin = std::env::var_os("VERAPDF").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/verapdf"),
        Into::into,
    );
    assert!(
        bin.is_file(),
        "veraPDF is missing: run ./scripts/test.sh once"
    );
    let (_, text) = run(Command::new(bin)
        .args(["--format", "text", "--verbose"])
        .args(files));
    let passed = text.lines().filter(|l| l.starts_with("PASS ")).count();
    (passed == files.len(), text)
}

#[test]
fn a_sealed_pdfa_verifies_with_eingang_pdfsig_and_pyhanko_and_one_byte_breaks_all_three() {
    let pki = Pki::shared();
    let key = Pkcs11Key::open(&pki.settings("seal")).unwrap();
    let tsa = pki.tsa();
    let dir = tempfile::tempdir().unwrap();
    let root = pki.cert("root");
    let mut sealed_files = Vec::new();
    for level in [PdfA::A1b, PdfA::A2b, PdfA::A3b] {
        let pdf = scan_pdf(level);
        let (sealed, stamped) = seal_pdf(&pdf, &info(), &key, Some(&tsa)).unwrap();
        assert!(stamped.is_some(), "the timestamp service answered");
        // B-LT: the responder's answer about the seal certificate is in the document
        // security store, added after the signature.
        let tail = String::from_utf8_lossy(&sealed[pdf.len()..]);
        assert!(
            tail.contains("/Type /DSS") || tail.contains("/Type/DSS"),
            "no DSS"
        );
        assert!(tail.contains("/OCSPs"), "no OCSP answer in the DSS");
        assert_eq!(
            &sealed[..pdf.len()],
            &pdf[..],
            "the original bytes stay as they were"
        );
        let file = dir.path().join(format!("sealed-{}.pdf", level.part()));
        std::fs::write(&file, &sealed).unwrap();
        sealed_files.push(file.clone());

        let report = verify_pdf(&sealed, std::slice::from_ref(&root)).unwrap();
        assert!(report.valid(), "{report:#?}");
        let s = &report.signatures[0];
        assert_eq!(s.signer, "Scanstelle Musterstadt");
        assert_eq!(
            s.timestamp_authority.as_deref(),
            Some("Test-Zeitstempeldienst")
        );
        assert!(s.timestamp.as_deref().is_some_and(|t| t.starts_with("20")));
        // Still PDF/A by the self-check, and a sound PDF by qpdf.
        assert_eq!(
            eingang_pdf::check_pdfa_file(&file, level),
            Vec::<String>::new()
        );
        assert!(run(Command::new("qpdf").arg("--check").arg(&file)).0);
        let (ok, text) = pki.pdfsig(&file);
        assert!(ok, "pdfsig: {text}");
        let (ok, text) = pki.pyhanko(&file);
        assert!(
            ok && text.contains("The signature is judged VALID"),
            "pyHanko: {text}"
        );

        // One byte of the first page's image changed.
        let mut bad = sealed.clone();
        let at = pdf.len() / 2;
        bad[at] ^= 0x01;
        let tampered = dir.path().join(format!("tampered-{}.pdf", level.part()));
        std::fs::write(&tampered, &bad).unwrap();
        let report = verify_pdf(&bad, std::slice::from_ref(&root)).unwrap();
        assert!(!report.valid());
        assert!(
            report.signatures[0]
                .problems
                .iter()
                .any(|p| p.contains("changed after sealing")),
            "{report:#?}"
        );
        assert!(!pki.pdfsig(&tampered).0, "pdfsig accepted a tampered file");
        let (ok, text) = pki.pyhanko(&tampered);
        assert!(
            !ok || !text.contains("judged VALID"),
            "pyHanko accepted a tampered file: {text}"
        );
    }
    let (ok, text) = verapdf(&sealed_files);
    assert!(ok, "veraPDF: {text}");
}

#[test]
fn expired_certificate_missing_key_unreachable_tsa_and_appended_bytes_are_named() {
    let pki = Pki::shared();
    assert!(matches!(
        Pkcs11Key::open(&pki.settings("seal-old")),
        Err(Error::CertificateExpired { .. })
    ));
    assert!(matches!(
        Pkcs11Key::open(&pki.settings("nicht-da")),
        Err(Error::NoKey(_))
    ));
    // Revoked at its authority (asked over OCSP when the key is opened): it never seals.
    let e = Pkcs11Key::open(&pki.settings("seal-revoked")).unwrap_err();
    assert!(matches!(e, Error::CertificateRevoked { .. }), "{e}");
    assert_eq!(e.code(), "seal.certificate_revoked");
    let key = Pkcs11Key::open(&pki.settings("seal")).unwrap();
    let pdf = scan_pdf(PdfA::A2b);
    let dead = Tsa::new("http://127.0.0.1:9/tsa");
    let e = seal_pdf(&pdf, &info(), &key, Some(&dead)).unwrap_err();
    assert_eq!(e.code(), "tsa.unreachable", "{e}");
    // Bytes appended after the seal: the signature is intact, the file is not what was sealed.
    let (mut sealed, _) = seal_pdf(&pdf, &info(), &key, None).unwrap();
    sealed.extend_from_slice(b"\n% appended\n");
    let report = verify_pdf(&sealed, &[pki.cert("root")]).unwrap();
    assert!(report.signatures[0].intact && !report.signatures[0].covers_whole_file);
    assert!(!report.valid());
    // Without the test root trusted: intact, but not trusted.
    let (sealed, _) = seal_pdf(&pdf, &info(), &key, None).unwrap();
    let report = verify_pdf(&sealed, &[]).unwrap();
    assert!(report.signatures[0].intact && !report.signatures[0].trusted);
}

#[test]
fn a_pkcs12_file_seals_like_the_token_and_a_wrong_password_is_refused() {
    let pki = Pki::shared();
    let e = Pkcs12Key::open(&pki.pkcs12(), "falsch").unwrap_err();
    assert_eq!(e.code(), "seal.wrong_pin", "{e}");
    let key = Pkcs12Key::open(&pki.pkcs12(), &pki.pin()).unwrap();
    let pdf = scan_pdf(PdfA::A2b);
    let (sealed, stamped) = seal_pdf(&pdf, &info(), &key, Some(&pki.tsa())).unwrap();
    assert!(stamped.is_some());
    let report = verify_pdf(&sealed, &[pki.cert("root")]).unwrap();
    assert!(report.valid(), "{report:#?}");
    assert_eq!(report.signatures[0].signer, "Scanstelle Musterstadt");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p12.pdf");
    std::fs::write(&file, &sealed).unwrap();
    let (ok, text) = pki.pyhanko(&file);
    assert!(ok, "pyHanko: {text}");
}
