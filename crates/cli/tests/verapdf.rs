//! A second opinion on every PDF/A Eingang writes: veraPDF (the PDF Association's validator,
//! installed pinned from Maven Central by `scripts/lib.sh verapdf_install`) checks the files
//! the real commands produce, and `eingang pdf check` must agree with it — on the valid
//! files and on files broken on purpose.
//!
//! The flavours: a finalised form (PDF/A-2b, embedded font), the scan office's released
//! documents from every built-in scan profile at PDF/A-1b, -2b and -3b (colour, grey and
//! bilevel pages, an OCR text layer, an e-mail with a picture and a Word file; at 3b the
//! Transfervermerk, the e-mail and the Word file as associated files), `pdf assemble` at each level, `ocr files`, and the
//! self-service terminal's scanned page.

// In tests a failed unwrap is a failed test, with its location.
#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_precision_loss
)]

#[path = "../../pdf/tests/pdfbox/mod.rs"]
mod pdfbox;

use pdfbox::preflight_a1b;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `verapdf`: `$VERAPDF`, else the one `scripts/test.sh` installs into `.tools/bin`.
fn verapdf() -> PathBuf {
    let path = std::env::var_os("VERAPDF").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/verapdf"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "veraPDF is missing at {}: run `source scripts/lib.sh && verapdf_install` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// veraPDF's verdict on each file (`flavour` forced, else the one the file declares):
/// (passed, the failed rules or why it could not be read).
fn verapdf_verdicts(files: &[PathBuf], flavour: Option<&str>) -> Vec<(bool, String)> {
    let mut cmd = Command::new(verapdf());
    cmd.args(["--format", "text", "--verbose"]);
    if let Some(f) = flavour {
        cmd.args(["--flavour", f]);
    }
    let out = cmd.args(files).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            if text.contains(&format!("{name} appears to be an encrypted PDF")) {
                return (false, "encrypted: could not be processed".into());
            }
            let mut lines = text.lines().skip_while(|l| {
                !(l.starts_with("PASS ") || l.starts_with("FAIL ")) || !l.contains(&name)
            });
            let head = lines
                .next()
                .unwrap_or_else(|| panic!("veraPDF said nothing about {name}:\n{text}"));
            let rules: Vec<&str> = lines
                .take_while(|l| l.starts_with("  "))
                .map(str::trim)
                .collect();
            (head.starts_with("PASS "), rules.join(", "))
        })
        .collect()
}

/// `eingang pdf check --pdfa LEVEL FILE`: passed, and what it found.
fn self_check(file: &Path, level: &str) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["pdf", "check", "--pdfa", level])
        .arg(file)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// `eingang ARGS` on the data folder `data`; must succeed; what it printed.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{args:?}: {text}");
    text
}

fn run(program: &str, args: &[&str]) {
    let o = Command::new(program).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every `.pdf` below `dir`.
fn pdfs_below(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let p = e.path();
        if p.is_dir() {
            pdfs_below(&p, out);
        } else if p.extension().is_some_and(|x| x == "pdf") {
            out.push(p);
        }
    }
}

/// The PDF/A level a file declares in its XMP (`pdfaid:part`).
fn declared(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let part = ["pdfaid:part>", "pdfaid:part=\""]
        .iter()
        .find_map(|k| text.find(k).map(|i| &text[i + k.len()..=i + k.len()]))
        .unwrap_or_else(|| panic!("{}: no pdfaid:part", file.display()));
    format!("{part}b")
}

/// A finalised Ortstermin-Protokoll (rendered with its embedded font), and pages made from
/// it as a scanner would deliver them: colour JPEG, grey PNG, bilevel PBM, and an e-mail
/// with the grey page attached.
fn submission_and_pages(data: &Path, dir: &Path) -> Vec<PathBuf> {
    use eingang_store::tables::drafts;
    let store = eingang_store::Store::open(data).unwrap();
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let values = serde_json::json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27",
        "anschrift": "Marktplatz 1, Musterstadt",
        "maengel": [{"beschreibung": "Geländer am Treppenabgang lose; Stufenkante beschädigt"}]});
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
        .unwrap();
    eingang_api::submissions::finalise(&store, d.id, (2026, 11, 28), &["default".into()]).unwrap();
    drop(store);
    ok(data, &["sync"]);
    let mut delivered = Vec::new();
    pdfs_below(&data.join("ausgang"), &mut delivered);
    let form = delivered
        .first()
        .expect("the submission's PDF was delivered");
    let form = form.to_str().unwrap();
    let at = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    for (flag, name) in [("-jpeg", "farbe"), ("-gray", "grau"), ("-mono", "sw")] {
        run(
            "pdftoppm",
            &[
                "-r",
                "150",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                flag,
                form,
                &at(name),
            ],
        );
    }
    // pdftoppm -gray writes PGM; the e-mail carries the grey page as an attachment.
    let grey = std::fs::read(dir.join("grau.pgm")).unwrap();
    let eml = dir.join("post.eml");
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&grey)
    };
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    std::fs::write(
        &eml,
        format!(
            "From: Erika Mustermann <erika@example.org>\r\nTo: posteingang@example.org\r\n\
             Subject: Ortstermin Marktplatz\r\nDate: Tue, 01 Dec 2026 10:00:00 +0100\r\n\
             Message-ID: <ortstermin-1@example.org>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nAnbei das Protokoll. Grüße\r\n\
             --b1\r\nContent-Type: image/x-portable-graymap; name=\"protokoll.pgm\"\r\n\
             Content-Disposition: attachment; filename=\"protokoll.pgm\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1\r\n\
             Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"stellungnahme.docx\"\r\n\
             Content-Disposition: attachment; filename=\"stellungnahme.docx\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n--b1--\r\n",
            lines.join("\r\n")
        ),
    )
    .unwrap();
    vec![
        dir.join("farbe.jpg"),
        dir.join("grau.pgm"),
        dir.join("sw.pbm"),
        eml,
    ]
}

/// Every built-in scan profile, and a copy of each at PDF/A-1b and -2b (saved as users save
/// profiles; the grey and colour ones archive as MRC), and the colour profile as plain JPEG;
/// returns their ids.
fn profiles_at_every_level(data: &Path, dir: &Path) -> Vec<String> {
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(data, &["profiles", "list", "--json"])).unwrap();
    let mut ids = Vec::new();
    for p in list {
        ids.push(p["id"].as_str().unwrap().to_owned());
        let levels: &[&str] = if p["id"] == "farbe" {
            &["1b", "2b", "jpeg-1b", "jpeg-3b"]
        } else {
            &["1b", "2b"]
        };
        for level in levels {
            let mut q = p.clone();
            let id = format!("{}-{level}", p["id"].as_str().unwrap());
            q["id"] = id.clone().into();
            q["name"] = format!("{} ({level})", p["name"].as_str().unwrap()).into();
            if let Some(level) = level.strip_prefix("jpeg-") {
                q["processing"]["compression"] = "jpeg".into();
                q["pdfa"] = level.into();
            } else {
                q["pdfa"] = (*level).into();
            }
            let file = dir.join(format!("{id}.json"));
            std::fs::write(&file, q.to_string()).unwrap();
            ok(data, &["profiles", "save", file.to_str().unwrap()]);
            ids.push(id);
        }
    }
    ids
}

#[test]
fn every_pdfa_flavour_eingang_writes_is_compliant_for_verapdf_and_the_self_check() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pages = submission_and_pages(&data, dir.path());
    let page_args: Vec<&str> = pages.iter().map(|p| p.to_str().unwrap()).collect();

    // The scan office: every profile, a batch of the four files each, read, checked by a
    // second person, released.
    let profiles = profiles_at_every_level(&data, dir.path());
    for profile in &profiles {
        let mut args = vec!["import"];
        args.extend(&page_args);
        args.extend(["--profile", profile, "--name", profile]);
        let imported = ok(&data, &args);
        let batch = imported
            .lines()
            .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
            .unwrap()
            .to_owned();
        ok(&data, &["ocr", "run", "--batch", &batch, "--jobs", "2"]);
        ok(
            &data,
            &["--user", "Prüferin", "batch", "qc", &batch, "--all"],
        );
        let title = format!("Ortstermin ({profile})");
        ok(
            &data,
            &[
                "batch",
                "release",
                &batch,
                "--title",
                &title,
                "--index",
                "aktenzeichen=530.12-2026-0042",
                "--index",
                "dokumentart=Protokoll",
            ],
        );
    }
    ok(&data, &["sync"]);
    let mut files = Vec::new();
    pdfs_below(&data.join("ausgang"), &mut files);
    // The grey and colour profiles' letters went in as MRC (a stencil mask beside the
    // images) at every level.
    let mrc = files.iter().filter(|f| has_mrc_page(f)).count();
    assert!(
        mrc >= 3,
        "at least one MRC document at each level, found {mrc}"
    );
    // At 3b the e-mail's Word file is embedded on its own beside the e-mail (LibreOffice
    // could not page it: an empty document).
    let with_original = files
        .iter()
        .filter(|f| {
            let o = Command::new("pdfdetach")
                .arg("-list")
                .arg(f)
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).contains("stellungnahme.docx")
        })
        .count();
    assert!(
        with_original >= 3,
        "the Word file in every 3b document with the e-mail, found {with_original}"
    );
    // The file commands, without the store.
    for level in ["1b", "2b", "3b"] {
        let out = dir.path().join(format!("assembled-{level}.pdf"));
        let mut args = vec!["pdf", "assemble"];
        args.extend(&page_args[..3]);
        args.extend(["-o", out.to_str().unwrap(), "--pdfa", level]);
        ok(&data, &args);
        files.push(out);
    }
    let ocr = dir.path().join("ocr-files.pdf");
    ok(
        &data,
        &[
            "ocr",
            "files",
            page_args[0],
            "-o",
            ocr.to_str().unwrap(),
            "--jobs",
            "2",
        ],
    );
    files.push(ocr);
    // The self-service terminal's scanned page (SANE's test scanner), as the citizen's
    // attachment is made.
    let never = std::sync::atomic::AtomicBool::new(false);
    let page = eingang_api::terminal::scan_page("test:0", dir.path(), &never).unwrap();
    let terminal = dir.path().join("terminal-page.pdf");
    std::fs::write(&terminal, page.pdf).unwrap();
    files.push(terminal);
    assert_eq!(
        files.len(),
        1 + 2 * profiles.len() + 5,
        "a submission, two documents a batch (the letter pages and the e-mail), the file commands, the terminal's page"
    );

    let started = std::time::Instant::now();
    let verdicts = verapdf_verdicts(&files, None);
    let per_file = started.elapsed().as_secs_f64() / files.len() as f64;
    let mut by_flavour = std::collections::BTreeMap::<String, usize>::new();
    let mut failed = Vec::new();
    for (file, (passed, rules)) in files.iter().zip(&verdicts) {
        let level = declared(file);
        *by_flavour.entry(level.clone()).or_default() += 1;
        if !passed {
            failed.push(format!("{} ({level}): {rules}", file.display()));
        }
        let (ours, found) = self_check(file, &level);
        assert!(ours, "the self-check refuses what veraPDF checks: {found}");
    }
    assert!(
        failed.is_empty(),
        "veraPDF: not compliant:\n{}",
        failed.join("\n")
    );
    // A second, independent validator for PDF/A-1b (which forbids soft masks and
    // transparency, so MRC's stencil mask must pass there too): PDFBox's preflight.
    let a1b: Vec<&PathBuf> = files.iter().filter(|f| declared(f) == "1b").collect();
    for file in &a1b {
        let out = preflight_a1b(file);
        assert!(
            out.contains("is a valid PDF/A-1b file"),
            "PDFBox preflight on {}: {out}",
            file.display()
        );
    }
    let mrc_a1b = a1b.iter().filter(|f| has_mrc_page(f)).count();
    assert!(mrc_a1b >= 2, "MRC documents at 1b: {mrc_a1b}");
    let flavours: Vec<String> = by_flavour
        .iter()
        .map(|(l, n)| format!("{n} × {l}"))
        .collect();
    println!(
        "veraPDF: {} files, all compliant ({}); {per_file:.2} s a file; PDFBox preflight: {} PDF/A-1b files valid ({mrc_a1b} with MRC pages)",
        files.len(),
        flavours.join(", "),
        a1b.len()
    );
}

/// Whether `file` has an MRC page (a stencil mask beside its images).
fn has_mrc_page(file: &Path) -> bool {
    std::fs::read(file)
        .unwrap()
        .windows(15)
        .any(|w| w == b"/ImageMask true")
}

/// Replaces the first `from` in `bytes` with `to` (same length, so the cross-reference
/// table stays right).
fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{} not in the file", String::from_utf8_lossy(from)));
    let mut out = bytes.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

#[test]
fn the_self_check_and_verapdf_agree_on_valid_and_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("seite.jpg");
    image::RgbImage::from_fn(240, 340, |x, y| {
        image::Rgb([250 - (x % 40) as u8, 248, 240 - (y % 30) as u8])
    })
    .save(&jpg)
    .unwrap();
    let data = dir.path().join("data");
    let good = dir.path().join("good.pdf");
    ok(
        &data,
        &[
            "pdf",
            "assemble",
            jpg.to_str().unwrap(),
            "-o",
            good.to_str().unwrap(),
            "--pdfa",
            "2b",
        ],
    );
    let bytes = std::fs::read(&good).unwrap();
    let encrypted = dir.path().join("encrypted.pdf");
    run(
        "qpdf",
        &[
            "--encrypt",
            "u",
            "o",
            "256",
            "--",
            good.to_str().unwrap(),
            encrypted.to_str().unwrap(),
        ],
    );
    // The catalog's `/Metadata N 0 R` (the XMP stream's own `/Type /Metadata` comes first).
    let metadata_key = bytes
        .windows(11)
        .find(|w| w.starts_with(b"/Metadata ") && w[10].is_ascii_digit())
        .unwrap()
        .to_vec();
    let mut no_metadata = metadata_key.clone();
    no_metadata[8] = b'x';
    // (name, the file, the level both check it as, should pass)
    let mut cases: Vec<(&str, PathBuf, &str, bool)> = vec![
        ("as written", good.clone(), "2b", true),
        ("checked as PDF/A-1b", good.clone(), "1b", false),
        ("encrypted", encrypted, "2b", false),
    ];
    for (name, from, to, pass) in [
        // A PDF/A-2 file may say 1.4 in its header.
        ("header %PDF-1.4", &b"%PDF-1.7"[..], &b"%PDF-1.4"[..], true),
        (
            "no binary comment",
            &b"\n%\xe2\xe3\xcf\xd3"[..],
            &b"\n%abcd"[..],
            false,
        ),
        (
            "no output intent",
            &b"/OutputIntents"[..],
            &b"/OutputIntentz"[..],
            false,
        ),
        (
            "no XMP metadata",
            &metadata_key[..],
            &no_metadata[..],
            false,
        ),
        (
            "claims part 3",
            &b"pdfaid:part>2<"[..],
            &b"pdfaid:part>3<"[..],
            false,
        ),
    ] {
        let file = dir
            .path()
            .join(format!("{}.pdf", name.replace([' ', '%', '/'], "_")));
        std::fs::write(&file, patched(&bytes, from, to)).unwrap();
        cases.push((name, file, "2b", pass));
    }
    let mut disagree = Vec::new();
    for (name, file, level, pass) in &cases {
        let (vera, rules) = verapdf_verdicts(std::slice::from_ref(file), Some(level))
            .pop()
            .unwrap();
        let (ours, found) = self_check(file, level);
        if vera != *pass || ours != *pass {
            disagree.push(format!(
                "{name} as {level}: expected {pass}, veraPDF {vera} ({rules}), self-check {ours} ({})",
                found.trim()
            ));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    println!(
        "self-check and veraPDF agree on {} files ({} valid, {} broken)",
        cases.len(),
        cases.iter().filter(|c| c.3).count(),
        cases.iter().filter(|c| !c.3).count()
    );
}
