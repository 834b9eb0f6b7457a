//! The Transfervermerk (TR-RESISCAN A.NB.4) of every scan product, and its integrity.
//!
//! The note says who scanned, with what (app version, devices, scan profile and its
//! settings), when, what was unusual, how the quality check went and who checked, and states
//! that the scan matches the original in image and content. It is embedded in the PDF/A-3b
//! as an associated file (`transfervermerk.xml`, relationship `Supplement`), its key facts
//! go into the XMP, and it is delivered beside the document.
//!
//! Integrity: `digest = SHA-256(sha256(pdf) \n sha256(transfervermerk) \n sha256(metadata))`,
//! sealed by a [`Sealer`] — by default none (the hashes alone); an advanced or qualified
//! electronic seal or a timestamp service plugs in here.

use crate::SealError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What protects a scan product's integrity beyond its hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protection {
    /// The hashes and the audit chain alone.
    #[default]
    None,
    /// An advanced electronic seal.
    Seal,
    /// A seal with a qualified timestamp.
    SealAndTimestamp,
}

impl Protection {
    /// As the Transfervermerk names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "keiner",
            Self::Seal => "siegel",
            Self::SealAndTimestamp => "siegel+zeitstempel",
        }
    }
}

/// Seals a digest and the scan product: an electronic seal, a timestamp — whatever the
/// city attaches.
pub trait Sealer: Send + Sync {
    /// Recorded with the seal.
    fn name(&self) -> &str;
    /// What this sealer gives (the protection-need rules ask for it).
    fn protection(&self) -> Protection {
        Protection::None
    }
    /// The seal over `digest` (encoded as the sealer's format wants, e.g. base64 CMS), or
    /// `None` when this sealer only records the digest; an error says why the service
    /// refused or failed.
    fn seal(&self, digest: &[u8; 32]) -> Result<Option<String>, SealError>;
    /// The PDF with the seal in it (PAdES), or `None` when this sealer does not seal PDFs.
    fn seal_pdf(&self, _pdf: &[u8]) -> Result<Option<Vec<u8>>, SealError> {
        Ok(None)
    }
}

/// No seal: the digest alone (what a city without a seal service gets).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSeal;

impl Sealer for NoSeal {
    fn name(&self) -> &'static str {
        "none"
    }
    fn seal(&self, _: &[u8; 32]) -> Result<Option<String>, SealError> {
        Ok(None)
    }
}

/// What the Transfervermerk says about one document.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub document_id: String,
    /// The scan workstation (TR-RESISCAN: which system produced the scan product).
    pub station: String,
    pub title: String,
    pub pages: usize,
    pub scanned_by: String,
    /// ISO 8601.
    pub captured: String,
    pub released: String,
    pub devices: Vec<String>,
    pub profile_id: String,
    pub profile_name: String,
    pub profile_json: String,
    pub pdfa: String,
    /// `code` or `code:page`.
    pub anomalies: Vec<String>,
    /// `bestanden` (checked, passed) or `nicht_gezogen` (not drawn; the batch's check passed).
    pub qc_result: String,
    pub checker: String,
    pub checked_at: String,
    pub protection: String,
    pub four_eyes: bool,
    pub index: Vec<(String, String)>,
    pub ocr_pages: usize,
    /// The integrity protection (`keiner`, `siegel`, `siegel+zeitstempel`) …
    pub protection_kind: String,
    /// … and, without a seal, the written justification (A.IS.1).
    pub justification: String,
    /// How each page went into the archived PDF (as in its page log: `method` — `mrc`,
    /// `jpeg`, `ccitt-g4`, `flate` — and the parameters, or why MRC was refused).
    pub encodings: Vec<serde_json::Value>,
    /// Released straight through: the values the machine gave and how sure it was.
    pub automatic: Option<AutoIndexed>,
    /// An e-mail's S/MIME signature as checked on arrival.
    pub email_signature: Option<eingang_seal::smime::MailSignature>,
}

/// A document released straight through: nobody indexed it or opened it; every required
/// value came from automatic indexing at least this sure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct AutoIndexed {
    /// The lowest confidence of the values the machine gave.
    pub confidence: f32,
    /// Each value the machine gave, with its confidence.
    pub fields: Vec<(String, f32)>,
}

impl AutoIndexed {
    /// What the Transfervermerk says: „automatisch indexiert, Konfidenz 0,97“.
    pub fn statement(&self) -> String {
        format!(
            "automatisch indexiert, Konfidenz {}",
            format!("{:.2}", self.confidence).replace('.', ",")
        )
    }
}

/// The configured station name, else the machine's host name.
pub fn station_name(configured: Option<&str>) -> String {
    if let Some(n) = configured.map(str::trim).filter(|n| !n.is_empty()) {
        return n.to_owned();
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    host.trim().to_owned()
}

pub const STATEMENT_DE: &str =
    "Das Scanprodukt stimmt mit dem Original bildlich und inhaltlich überein.";

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The Transfervermerk as XML.
pub fn xml(f: &Facts) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<transfervermerk xmlns=\"urn:eingang:transfervermerk:1\" version=\"1\">\n  <dokument id=\"{}\" titel=\"{}\" seiten=\"{}\" format=\"{}\" texterkennung-seiten=\"{}\"/>",
        esc(&f.document_id),
        esc(&f.title),
        f.pages,
        esc(&f.pdfa),
        f.ocr_pages
    );
    let _ = writeln!(
        x,
        "  <erfassung person=\"{}\" zeitpunkt=\"{}\" freigabe=\"{}\"/>",
        esc(&f.scanned_by),
        esc(&f.captured),
        esc(&f.released)
    );
    let _ = writeln!(
        x,
        "  <umgebung anwendung=\"Eingang {}\" betriebssystem=\"{}\" arbeitsplatz=\"{}\">",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        esc(&f.station)
    );
    for d in &f.devices {
        let _ = writeln!(x, "    <geraet>{}</geraet>", esc(d));
    }
    let _ = writeln!(
        x,
        "    <scanprofil id=\"{}\" name=\"{}\">{}</scanprofil>\n  </umgebung>",
        esc(&f.profile_id),
        esc(&f.profile_name),
        esc(&f.profile_json)
    );
    if !f.encodings.is_empty() {
        x.push_str("  <bildkompression>\n");
        for (n, e) in f.encodings.iter().enumerate() {
            let _ = writeln!(
                x,
                "    <seite nr=\"{}\" verfahren=\"{}\">{}</seite>",
                n + 1,
                esc(e["method"].as_str().unwrap_or_default()),
                esc(&e.to_string())
            );
        }
        x.push_str("  </bildkompression>\n");
    }
    x.push_str("  <auffaelligkeiten>\n");
    for a in &f.anomalies {
        let (code, page) = a.split_once(':').unwrap_or((a, ""));
        if page.is_empty() {
            let _ = writeln!(x, "    <auffaelligkeit art=\"{}\"/>", esc(code));
        } else {
            let _ = writeln!(
                x,
                "    <auffaelligkeit art=\"{}\" seite=\"{}\"/>",
                esc(code),
                esc(page)
            );
        }
    }
    x.push_str("  </auffaelligkeiten>\n");
    let _ = writeln!(
        x,
        "  <qualitaetskontrolle ergebnis=\"{}\" pruefer=\"{}\" zeitpunkt=\"{}\" schutzbedarf=\"{}\" vier-augen=\"{}\"/>",
        esc(&f.qc_result),
        esc(&f.checker),
        esc(&f.checked_at),
        esc(&f.protection),
        f.four_eyes
    );
    indexing(&mut x, f.automatic.as_ref());
    if let Some(s) = &f.email_signature {
        let _ = writeln!(
            x,
            "  <signaturpruefung verfahren=\"S/MIME\" ergebnis=\"{}\" unterzeichner=\"{}\" email=\"{}\" aussteller=\"{}\" signaturzeit=\"{}\" geprueft=\"{}\">{}</signaturpruefung>",
            s.verdict.as_str(),
            esc(&s.signer),
            esc(&s.signer_email.join(", ")),
            esc(&s.issuer),
            esc(s.signing_time.as_deref().unwrap_or_default()),
            esc(&s.checked_at),
            esc(&s.problems.join("; "))
        );
    }
    let _ = writeln!(
        x,
        "  <integritaetsschutz art=\"{}\">{}</integritaetsschutz>",
        esc(&f.protection_kind),
        esc(&f.justification)
    );
    x.push_str("  <index>\n");
    for (k, v) in &f.index {
        let _ = writeln!(x, "    <feld name=\"{}\">{}</feld>", esc(k), esc(v));
    }
    let _ = write!(
        x,
        "  </index>\n  <erklaerung>{STATEMENT_DE}</erklaerung>\n</transfervermerk>\n"
    );
    x
}

/// How the document was indexed: by a person, or straight through (with how sure).
fn indexing(x: &mut String, automatic: Option<&AutoIndexed>) {
    match automatic {
        None => x.push_str("  <indexierung art=\"person\"/>\n"),
        Some(a) => {
            let _ = writeln!(
                x,
                "  <indexierung art=\"automatisch\" konfidenz=\"{:.2}\" vermerk=\"{}\">",
                a.confidence,
                esc(&a.statement())
            );
            for (field, c) in &a.fields {
                let _ = writeln!(
                    x,
                    "    <feld name=\"{}\" konfidenz=\"{c:.2}\"/>",
                    esc(field)
                );
            }
            x.push_str("  </indexierung>\n");
        }
    }
}

/// The key facts for the XMP (Eingang's namespace), beside the index fields.
pub fn xmp_facts(f: &Facts) -> Vec<(String, String)> {
    vec![
        ("transfervermerk_person".into(), f.scanned_by.clone()),
        ("transfervermerk_erfasst".into(), f.captured.clone()),
        ("transfervermerk_qs".into(), f.qc_result.clone()),
        ("transfervermerk_pruefer".into(), f.checker.clone()),
        ("transfervermerk_scanprofil".into(), f.profile_id.clone()),
        (
            "transfervermerk_indexierung".into(),
            f.automatic
                .as_ref()
                .map_or_else(|| "person".to_owned(), AutoIndexed::statement),
        ),
    ]
}

/// The integrity record of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Integrity {
    pub algorithm: String,
    pub pdf: String,
    pub transfervermerk: String,
    pub metadata: String,
    pub digest: String,
    pub sealer: String,
    pub seal: Option<String>,
}

/// Hashes document, Transfervermerk and metadata together and seals the digest.
pub fn integrity(
    pdf_sha256: &str,
    transfer: &[u8],
    metadata: &[(String, String)],
    sealer: &dyn Sealer,
) -> Result<Integrity, SealError> {
    let hex = |b: &[u8]| hex::encode(Sha256::digest(b));
    let meta = serde_json::to_string(metadata).unwrap_or_default();
    let (tv, md) = (hex(transfer), hex(meta.as_bytes()));
    let digest: [u8; 32] = Sha256::digest(format!("{pdf_sha256}\n{tv}\n{md}").as_bytes()).into();
    let seal = sealer.seal(&digest)?;
    Ok(Integrity {
        algorithm: "SHA-256".into(),
        pdf: pdf_sha256.to_owned(),
        transfervermerk: tv,
        metadata: md,
        digest: hex::encode(digest),
        sealer: sealer.name().to_owned(),
        seal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_released_straight_through_says_so_with_every_confidence() {
        let person = xml(&Facts::default());
        assert!(
            person.contains(r#"<indexierung art="person"/>"#),
            "{person}"
        );
        let f = Facts {
            automatic: Some(AutoIndexed {
                confidence: 0.934,
                fields: vec![("dokumentart".into(), 0.97), ("absender".into(), 0.934)],
            }),
            ..Facts::default()
        };
        let x = xml(&f);
        let doc = roxmltree::Document::parse(&x).unwrap();
        let node = doc
            .descendants()
            .find(|d| d.tag_name().name() == "indexierung")
            .unwrap();
        assert_eq!(node.attribute("art"), Some("automatisch"));
        assert_eq!(node.attribute("konfidenz"), Some("0.93"));
        assert_eq!(
            node.attribute("vermerk"),
            Some("automatisch indexiert, Konfidenz 0,93")
        );
        let fields: Vec<_> = node
            .children()
            .filter(roxmltree::Node::is_element)
            .map(|n| {
                (
                    n.attribute("name").unwrap(),
                    n.attribute("konfidenz").unwrap(),
                )
            })
            .collect();
        assert_eq!(fields, [("dokumentart", "0.97"), ("absender", "0.93")]);
        assert!(xmp_facts(&f).contains(&(
            "transfervermerk_indexierung".into(),
            "automatisch indexiert, Konfidenz 0,93".into()
        )));
    }

    #[test]
    fn the_note_is_well_formed_and_says_what_tr_resiscan_asks() {
        let f = Facts {
            document_id: "d1".into(),
            station: station_name(Some("Scanstelle \"2\"")),
            title: "Post <1>".into(),
            pages: 2,
            scanned_by: "anna".into(),
            anomalies: vec!["blank:2".into(), "barcode_unread".into()],
            qc_result: "bestanden".into(),
            checker: "bernd".into(),
            index: vec![("aktenzeichen".into(), "530.12-2026/0042".into())],
            encodings: vec![
                serde_json::json!({ "method": "mrc", "mask": "ccitt-g4" }),
                serde_json::json!({ "method": "jpeg", "mrc_refused": "a photo <here>" }),
            ],
            ..Facts::default()
        };
        let x = xml(&f);
        let doc = roxmltree::Document::parse(&x).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "transfervermerk");
        let find = |n: &str| {
            root.descendants()
                .find(|d| d.tag_name().name() == n)
                .unwrap()
        };
        assert_eq!(find("dokument").attribute("titel"), Some("Post <1>"));
        assert_eq!(find("erfassung").attribute("person"), Some("anna"));
        assert_eq!(
            find("qualitaetskontrolle").attribute("pruefer"),
            Some("bernd")
        );
        assert_eq!(find("auffaelligkeit").attribute("seite"), Some("2"));
        assert_eq!(find("erklaerung").text(), Some(STATEMENT_DE));
        // Every page's archiving method, with its parameters as the page log has them.
        let pages: Vec<_> = find("bildkompression")
            .children()
            .filter(roxmltree::Node::is_element)
            .collect();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].attribute("verfahren"), Some("mrc"));
        assert_eq!(pages[1].attribute("nr"), Some("2"));
        let second: serde_json::Value = serde_json::from_str(pages[1].text().unwrap()).unwrap();
        assert_eq!(second["mrc_refused"], "a photo <here>");
        assert_eq!(
            find("umgebung").attribute("arbeitsplatz"),
            Some("Scanstelle \"2\"")
        );
        // Without a configured name: the machine's host name.
        assert!(!station_name(None).is_empty());
        assert_eq!(station_name(Some("  ")), station_name(None));
    }

    struct Counting(std::sync::atomic::AtomicUsize);
    impl Sealer for Counting {
        fn name(&self) -> &'static str {
            "test-seal"
        }
        fn seal(&self, digest: &[u8; 32]) -> Result<Option<String>, SealError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Some(hex::encode(&digest[..4])))
        }
    }

    #[test]
    fn any_change_changes_the_digest_and_the_sealer_signs_it() {
        let meta = vec![("aktenzeichen".to_string(), "1".to_string())];
        let a = integrity("ab", b"<tv/>", &meta, &NoSeal).unwrap();
        assert_eq!(a.seal, None);
        assert_eq!(a.sealer, "none");
        let other_meta = vec![("aktenzeichen".to_string(), "2".to_string())];
        for b in [
            integrity("ac", b"<tv/>", &meta, &NoSeal).unwrap(),
            integrity("ab", b"<tv />", &meta, &NoSeal).unwrap(),
            integrity("ab", b"<tv/>", &other_meta, &NoSeal).unwrap(),
        ] {
            assert_ne!(a.digest, b.digest);
        }
        let sealer = Counting(0.into());
        let s = integrity("ab", b"<tv/>", &meta, &sealer).unwrap();
        assert_eq!(s.digest, a.digest);
        assert_eq!(s.seal.as_deref(), Some(&a.digest[..8]));
        assert_eq!(sealer.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
