//! `eingang pdf assemble`, `eingang import`, `eingang scan devices|batch`: real files and
//! SANE's test scanner into PDF/As and batches; a broken file is named and skipped.

// In tests a failed unwrap is a failed test, with its location.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines
)]

use std::process::Command;

/// Runs `eingang ARGS` on the data folder `data` with extra environment `env`; the exit
/// code and what it printed (stdout, then stderr).
fn run_in(
    data: &std::path::Path,
    env: &[(&str, &std::path::Path)],
    args: &[&str],
) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(args)
        .env("EINGANG_DATA_DIR", data)
        .env("EINGANG_KEYRING", "off")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap();
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// [`run_in`] that must succeed; its output.
fn ok_in(data: &std::path::Path, env: &[(&str, &std::path::Path)], args: &[&str]) -> String {
    let (code, text) = run_in(data, env, args);
    assert_eq!(code, Some(0), "{args:?}: {text}");
    text
}

#[test]
fn files_become_one_pdf_with_the_jpeg_unchanged_and_a_bad_file_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("1-brief.jpg");
    let img = image::RgbImage::from_fn(90, 60, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 4) as u8, 90])
    });
    let mut jpeg_bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg_bytes, 80);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(150));
    enc.encode_image(&img).unwrap();
    std::fs::write(&jpg, &jpeg_bytes).unwrap();
    let png = dir.path().join("2-anlage.png");
    image::GrayImage::from_fn(30, 20, |x, _| image::Luma([(x * 8) as u8]))
        .save(&png)
        .unwrap();
    let bad = dir.path().join("3-kaputt.tif");
    std::fs::write(&bad, b"II*\0garbage").unwrap();
    let out = dir.path().join("stapel.pdf");

    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["pdf", "assemble"])
        .args([&jpg, &png, &bad])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "one file failed: {text}");
    assert!(text.contains("3-kaputt.tif: damaged"), "{text}");
    assert!(
        text.contains("2-anlage.png, page 1: no resolution in the file; 300 dpi assumed"),
        "{text}"
    );
    assert!(text.contains("stapel.pdf: 2 pages"), "{text}");

    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    assert!(check.status.success());
    let prefix = dir.path().join("x");
    let ok = Command::new("pdfimages")
        .arg("-j")
        .arg(&out)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    assert_eq!(
        std::fs::read(dir.path().join("x-000.jpg")).unwrap(),
        jpeg_bytes,
        "byte-identical"
    );
    let info =
        String::from_utf8(Command::new("pdfinfo").arg(&out).output().unwrap().stdout).unwrap();
    assert!(
        info.contains("Page size:       43.2 x 28.8 pts"),
        "90 × 60 px at 150 dpi: {info}"
    );

    // Nothing readable: nothing written, exit 2.
    let none = dir.path().join("leer.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["pdf", "assemble", "--pdfa", "1b"])
        .arg(&bad)
        .arg("-o")
        .arg(&none)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
}

#[test]
fn files_assembled_with_the_colour_profile_are_mrc_and_a_photo_stays_plain() {
    let dir = tempfile::tempdir().unwrap();
    // A letter on cream paper (text lines, a red stamp) and a photo-like page, 150 dpi.
    let letter = image::RgbImage::from_fn(1240, 1754, |x, y| {
        let stamp = (200..400).contains(&y)
            && (800..1100).contains(&x)
            && ((y - 200) % 20 < 4 || (x - 800) % 20 < 4);
        let text = (300..1500).contains(&y)
            && (y / 12) % 3 == 0
            && (120..1100).contains(&x)
            && (x / 7) % 4 != 0;
        image::Rgb(if stamp {
            [200, 20, 30]
        } else if text {
            [20, 20, 25]
        } else {
            [245, 238, 215]
        })
    });
    let photo = image::RgbImage::from_fn(600, 800, |x, y| {
        let v = ((x * 7919 + y * 104_729) % 251) as u8;
        image::Rgb([v, v / 2, 255 - v])
    });
    let (a, b) = (
        dir.path().join("1-brief.png"),
        dir.path().join("2-foto.png"),
    );
    for (img, path) in [(&letter, &a), (&photo, &b)] {
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
    let out = dir.path().join("farbe.pdf");
    let data = dir.path().join("data");
    let text = ok_in(
        &data,
        &[],
        &[
            "pdf",
            "assemble",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--profile",
            "farbe",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(text.contains("farbe.pdf: 2 pages"), "{text}");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    assert!(check.status.success());
    // The letter as MRC (a G4 stencil mask beside two small JPEGs), the photo as it was
    // processed (one JPEG, no mask).
    let list = String::from_utf8(
        Command::new("pdfimages")
            .arg("-list")
            .arg(&out)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let on_page = |n: &str| rows.iter().filter(|r| r[0] == n).count();
    assert_eq!((on_page("1"), on_page("2")), (3, 1), "{list}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "1" && r[2] == "mask" && r[8] == "ccitt"),
        "{list}"
    );
}

#[test]
fn a_batch_from_the_sane_test_scanner_is_stored_page_by_page_and_delivered_as_pdfa() {
    let conf = tempfile::tempdir().unwrap();
    std::fs::write(conf.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(conf.path().join("test.conf"), t).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let eingang = |args: &[&str]| ok_in(data.path(), &[("SANE_CONFIG_DIR", conf.path())], args);
    assert!(eingang(&["scan", "devices"]).contains("test:0"));
    assert!(eingang(&["profiles", "list"]).contains("text-sw"));
    let text = eingang(&[
        "--user",
        "anna",
        "scan",
        "batch",
        "--device",
        "test:0",
        "--source",
        "Automatic Document Feeder",
        "--resolution",
        "150",
        "--pages",
        "4",
        "--profile",
        "text-sw",
    ]);
    assert!(
        text.contains("4 pages received, 4 processed, 0 failed"),
        "{text}"
    );
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
        .unwrap()
        .to_owned();
    // OCR, then the check by a second person (anna scanned), then the release.
    assert!(eingang(&["ocr", "run", "--batch", &id]).contains("4 page(s) read, 0 failed"));
    let env = [("SANE_CONFIG_DIR", conf.path())];
    let (code, out) = run_in(
        data.path(),
        &env,
        &["--user", "anna", "batch", "qc", &id, "--all"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("four-eyes"), "{out}");
    let out = eingang(&["--user", "bernd", "batch", "qc", &id, "--all"]);
    assert!(
        out.contains("passed by bernd") && out.contains("— passed"),
        "{out}"
    );
    let text = eingang(&[
        "batch",
        "release",
        &id,
        "--title",
        "Scan",
        "--index",
        "dokumentart=Brief",
    ]);
    assert!(text.contains("4 page(s), PDF/A-3b, queued"), "{text}");
    // Zero configuration: no seal and no written justification — the originals stay.
    assert!(text.contains("keep the paper originals"), "{text}");
    eingang(&["sync"]);
    let out = data.path().join("ausgang");
    let pdfs: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "{pdfs:?}");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&pdfs[0])
        .output()
        .unwrap();
    assert!(check.status.success());
    let list = String::from_utf8(
        Command::new("pdfimages")
            .arg("-list")
            .arg(&pdfs[0])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        list.matches("ccitt").count(),
        4,
        "bilevel profile: G4 pages\n{list}"
    );
    // The scanner's working folder is gone; nothing but the store and the delivery remain.
    assert!(!std::fs::read_dir(data.path()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".scan-")));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn files_imported_into_a_batch_keep_their_raw_scans_and_a_bad_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let good = dir.path().join("seite.png");
    image::GrayImage::from_fn(400, 560, |x, y| {
        image::Luma([if (y / 20) % 3 == 0 && x > 40 && x < 360 {
            30
        } else {
            240
        }])
    })
    .save(&good)
    .unwrap();
    let empty = dir.path().join("leer.jpg");
    std::fs::write(&empty, b"").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["import", "--name", "Post"])
        .args([&good, &empty])
        .env("EINGANG_DATA_DIR", data.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("leer.jpg"), "{text}");
    assert!(
        text.contains("1 pages received, 1 processed, 0 failed, 1 file(s) refused"),
        "{text}"
    );
}

#[test]
fn an_import_killed_midway_keeps_every_page_it_reported_received() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let first = dir.path().join("s00.png");
    image::GrayImage::from_fn(1240, 1754, |x, y| {
        image::Luma([if (y / 20) % 3 == 0 && x % 97 > 10 {
            30
        } else {
            240
        }])
    })
    .save(&first)
    .unwrap();
    for i in 0..60u32 {
        let p = dir.path().join(format!("s{i:02}.png"));
        if i > 0 {
            std::fs::copy(&first, &p).unwrap();
        }
        files.push(p);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("import")
        .args(&files)
        .env("EINGANG_DATA_DIR", data.path())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reported = Vec::new();
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(name) = line.strip_prefix("received: ") {
            reported.push(name.to_owned());
            if reported.len() == 8 {
                break;
            }
        }
    }
    // SIGKILL: no cleanup, like a crash or a pulled plug.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(reported.len(), 8, "the import got going");

    let db = eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut stmt = db
        .prepare("SELECT source, raw_blob FROM pages ORDER BY position")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() >= 8 && rows.len() < 60, "{} pages", rows.len());
    let store = eingang_store::Store::open(data.path()).unwrap();
    for name in &reported {
        let (_, hash) = rows
            .iter()
            .find(|(s, _)| s == name)
            .expect("a reported page is stored");
        // Through the store: the file on disk is sealed, its plaintext the raw scan.
        assert_eq!(
            store.blobs().get(hash).unwrap(),
            std::fs::read(dir.path().join(name)).unwrap(),
            "{name}: the raw scan is there, byte for byte"
        );
    }
}

#[test]
fn a_profile_is_changed_from_json_and_the_change_is_logged() {
    let data = tempfile::tempdir().unwrap();
    let eingang = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_eingang"))
            .args(args)
            .env("EINGANG_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    let list = eingang(&["profiles", "list", "--json"]);
    let all: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let mut p = all.into_iter().find(|p| p["id"] == "standard").unwrap();
    p["processing"]["blank_threshold_percent"] = serde_json::json!(0.25);
    let file = data.path().join("standard.json");
    std::fs::write(&file, p.to_string()).unwrap();
    let o = eingang(&["profiles", "save", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let changes = String::from_utf8(eingang(&["profiles", "changes"]).stdout).unwrap();
    let mine: Vec<&str> = changes
        .lines()
        .filter(|l| l.contains("\tstandard\t"))
        .collect();
    assert_eq!(mine.len(), 2, "{changes}");
    assert!(mine[0].contains("\tcreated\t") && mine[1].contains("\tchanged\t"));
    assert!(mine[1].contains("0.25"));
    // A key that does not exist is refused, naming the file and the key.
    p["processing"]["sharpen"] = serde_json::json!(true);
    std::fs::write(&file, p.to_string()).unwrap();
    let o = eingang(&["profiles", "save", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("standard.json") && err.contains("sharpen"),
        "{err}"
    );
}

#[test]
fn pdf_check_passes_what_eingang_writes_and_names_what_a_plain_pdf_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("seite.png");
    image::GrayImage::from_fn(200, 280, |x, y| image::Luma([((x + y) % 256) as u8]))
        .save(&png)
        .unwrap();
    let ours = dir.path().join("a1.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["pdf", "assemble", "--pdfa", "1b", "-o"])
        .arg(&ours)
        .arg(&png)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plain = dir.path().join("plain.pdf");
    assert!(Command::new("img2pdf")
        .arg(&png)
        .arg("-o")
        .arg(&plain)
        .status()
        .unwrap()
        .success());
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["pdf", "check", "--pdfa", "1b"])
        .args([&ours, &plain])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("a1.pdf: PDF/A-1b ok"), "{text}");
    assert!(text.contains("plain.pdf: no XMP metadata"), "{text}");
    assert!(
        text.contains("plain.pdf: no GTS_PDFA1 output intent"),
        "{text}"
    );
}

#[test]
fn the_configured_hot_folder_fills_the_days_batch_archives_and_sets_bad_files_aside() {
    let data = tempfile::tempdir().unwrap();
    let inbox = data.path().join("eingang-scanner");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[scan]\nhotfolder = '{}'\nhotfolder_profile = \"text-sw\"\nhotfolder_settle_secs = 0\n",
            inbox.display()
        ),
    )
    .unwrap();
    let page = |n: u8| {
        let p = inbox.join(format!("scan{n}.png"));
        image::GrayImage::from_fn(300, 400, |x, y| {
            image::Luma([if (y / 10 + u32::from(n)) % 4 == 0 && x > 30 {
                20
            } else {
                240
            }])
        })
        .save(&p)
        .unwrap();
        p
    };
    page(1);
    page(2);
    std::fs::write(inbox.join("kaputt.tif"), b"II*\0nonsense").unwrap();
    std::fs::write(inbox.join("halb.pdf.part"), b"%PDF-1.7 still being written").unwrap();
    let eingang = |args: &[&str]| run_in(data.path(), &[], args);
    assert!(eingang(&["config", "check"]).1.contains("scan: hot folder"));
    let (code, text) = eingang(&["hotfolder", "--once"]);
    assert_eq!(code, Some(1), "one file refused: {text}");
    assert!(text.contains("scan1.png: 1 page(s) imported"), "{text}");
    assert!(text.contains("scan2.png: 1 page(s) imported"), "{text}");
    assert!(text.contains("kaputt.tif: refused"), "{text}");
    // The unfinished upload stays; the rest is archived or set aside with the reason.
    let left: Vec<String> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "archive" && n != "failed")
        .collect();
    assert_eq!(left, ["halb.pdf.part"]);
    let reason = std::fs::read_to_string(inbox.join("failed/kaputt.tif.txt")).unwrap();
    assert!(reason.contains("kaputt.tif"), "{reason}");
    let db = eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    let (name, pages): (String, i64) = db
        .query_row(
            "SELECT b.name, (SELECT count(*) FROM pages p WHERE p.batch_id = b.id) FROM batches b",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        name.starts_with("Hotfolder ") && name.contains("eingang-scanner"),
        "{name}"
    );
    assert_eq!(pages, 2);
    // The same scan dropped again is recognised and not imported twice.
    page(1);
    let (_, text) = eingang(&["hotfolder", "--once"]);
    assert!(
        text.contains("scan1.png: imported before; archived"),
        "{text}"
    );
    let pages: i64 = db
        .query_row("SELECT count(*) FROM pages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pages, 2);
}

#[test]
fn a_batch_is_separated_at_its_barcode_sheets_and_the_qr_fills_the_aktenzeichen() {
    use rxing::{BarcodeFormat, MultiFormatWriter, Writer};
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (w, h) = (1240u32, 1754u32);
    let page = |name: &str, codes: &[(BarcodeFormat, &str, i32, i32, u32, u32)], lines: bool| {
        let mut img = image::GrayImage::from_fn(w, h, |x, y| {
            image::Luma([
                if lines && (y / 25) % 3 == 0 && y > 200 && x > 120 && x < 1100 {
                    25
                } else {
                    245
                },
            ])
        });
        for (format, text, bw, bh, x0, y0) in codes {
            let m = MultiFormatWriter.encode(text, format, *bw, *bh).unwrap();
            for y in 0..m.getHeight() {
                for x in 0..m.getWidth() {
                    if m.get(x, y) {
                        img.put_pixel(x0 + x, y0 + y, image::Luma([15]));
                    }
                }
            }
        }
        let p = dir.path().join(name);
        img.save(&p).unwrap();
        p
    };
    let files = [
        page(
            "1.png",
            &[
                (BarcodeFormat::CODE_39, "PATCHT", 600, 160, 300, 300),
                (
                    BarcodeFormat::QR_CODE,
                    "AZ:530.12-2026/0042",
                    240,
                    240,
                    500,
                    900,
                ),
            ],
            false,
        ),
        page("2.png", &[], true),
        page("3.png", &[], true),
        page(
            "4.png",
            &[(BarcodeFormat::CODE_39, "PATCHT", 600, 160, 300, 300)],
            false,
        ),
        page("5.png", &[], true),
    ];
    let eingang = |args: &[&str]| ok_in(data.path(), &[], args);
    let mut args = vec!["import", "--profile", "text-sw", "--name", "Montagspost"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    eingang(&args);
    let list = eingang(&["batch", "list"]);
    let id = list.split('\t').next().unwrap().trim().to_owned();
    assert!(
        list.contains("5 pages") && list.contains("Montagspost"),
        "{list}"
    );
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"barcode_separators": ["PATCHT"], "index_from_barcodes": [{"field": "aktenzeichen", "pattern": "^AZ:(.+)$"}]}"#,
    )
    .unwrap();
    let out = eingang(&["batch", "separate", &id, "--rules", rules.to_str().unwrap()]);
    assert!(
        out.starts_with("2 document(s), 2 separator sheet(s), 1 index value(s)"),
        "{out}"
    );
    eingang(&["ocr", "run"]);
    eingang(&["--user", "pruefer", "batch", "qc", &id, "--all"]);
    let out = eingang(&[
        "batch",
        "release",
        &id,
        "--title",
        "Montagspost",
        "--index",
        "eingang=Post",
        "--index",
        "dokumentart=Brief",
    ]);
    let docs: Vec<&str> = out.lines().filter(|l| l.starts_with("document ")).collect();
    assert_eq!(docs.len(), 2, "{out}");
    assert!(
        docs[0].contains("2 page(s)") && docs[0].contains("aktenzeichen=530.12-2026/0042"),
        "{out}"
    );
    assert!(
        docs[1].contains("1 page(s)") && !docs[1].contains("aktenzeichen"),
        "{out}"
    );
    assert!(docs.iter().all(|d| d.contains("eingang=Post")));
}

#[test]
fn audit_verify_passes_and_fails_after_a_record_is_altered_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let png = dir.path().join("seite.png");
    image::GrayImage::from_fn(300, 400, |x, y| {
        image::Luma([if y % 30 < 5 && x > 20 { 20 } else { 240 }])
    })
    .save(&png)
    .unwrap();
    let eingang = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_eingang"))
            .args(args)
            .env("EINGANG_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    assert!(eingang(&["import", png.to_str().unwrap()]).status.success());
    let o = eingang(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{text}");
    assert!(text.starts_with("audit log intact: "), "{text}");
    let export = dir.path().join("audit.jsonl");
    assert!(eingang(&["audit", "export", export.to_str().unwrap()])
        .status
        .success());
    let lines = std::fs::read_to_string(&export).unwrap();
    let kinds: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for k in [
        "page.received",
        "page.deskew",
        "page.blank_check",
        "page.encode",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    // Someone with the database file drops the trigger and edits a record.
    let db = eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'jemand' WHERE seq = 2;",
    )
    .unwrap();
    drop(db);
    let o = eingang(&["audit", "verify"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("BROKEN: record 2: its content was changed"),
        "{text}"
    );
}

/// The index station headless: master data imported (a file with errors changes nothing
/// and names each line), index values checked against it, and a batch with a value that
/// breaks its unit's Aktenzeichen pattern is not released until it is fixed.
#[test]
fn master_data_checks_index_values_before_release() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let eingang = |args: &[&str]| ok_in(data.path(), &[], args);
    let good = dir.path().join("stammdaten.csv");
    std::fs::write(
        &good,
        "art;code;bezeichnung;muster;felder\n\
         einheit;530.12;Bauordnung;530\\.12-\\d{4}/\\d{4};\n\
         einheit;32.1;Ordnungsamt;;\n\
         dokumentart;antrag;Antrag;;aktenzeichen\n",
    )
    .unwrap();
    let out = eingang(&["masterdata", "import", good.to_str().unwrap()]);
    assert!(
        out.contains("2 organisation unit(s), 1 document type(s)"),
        "{out}"
    );
    let bad = dir.path().join("kaputt.csv");
    std::fs::write(&bad, "art;code;bezeichnung\neinheit;;Ohne Code\nort;1;x\n").unwrap();
    let (code, out) = run_in(
        data.path(),
        &[],
        &["masterdata", "import", bad.to_str().unwrap()],
    );
    assert_eq!(code, Some(1));
    assert!(
        out.contains("line 3, art:") && out.contains("nothing was imported"),
        "{out}"
    );
    assert!(eingang(&["masterdata", "list"]).contains("530.12\tBauordnung"));

    let png = dir.path().join("antrag.png");
    image::GrayImage::from_fn(400, 560, |x, y| {
        image::Luma([if (y / 20) % 3 == 0 && x > 40 && x < 360 {
            30
        } else {
            240
        }])
    })
    .save(&png)
    .unwrap();
    let out = eingang(&[
        "--user",
        "anna",
        "import",
        png.to_str().unwrap(),
        "--profile",
        "farbe",
    ]);
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
        .unwrap()
        .to_owned();
    let (code, out) = run_in(
        data.path(),
        &[],
        &[
            "batch",
            "index",
            &id,
            "--doc",
            "1",
            "dokumentart=antrag",
            "organisationseinheit=530.12",
            "aktenzeichen=530.12-26/1",
        ],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("warning [index.pattern]: aktenzeichen"),
        "{out}"
    );
    eingang(&["ocr", "run"]);
    eingang(&["--user", "bernd", "batch", "qc", &id, "--all"]);
    let (code, out) = run_in(
        data.path(),
        &[],
        &["batch", "release", &id, "--title", "Antrag"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("document 1: aktenzeichen"), "{out}");
    eingang(&[
        "batch",
        "index",
        &id,
        "--doc",
        "1",
        "aktenzeichen=530.12-2026/0042",
    ]);
    let out = eingang(&["batch", "release", &id, "--title", "Antrag"]);
    assert!(out.contains("aktenzeichen=530.12-2026/0042"), "{out}");
}

/// A PDF as Kodak and Epson scanners write it: one page, one CCITT G4 image with `/K -1
/// /Columns N` and `BlackIs1` left at its default.
fn scanner_g4_pdf(w: u32, h: u32, dpi: u32) -> Vec<u8> {
    // Lines of "text": short black bars in rows, a frame round the page.
    let ink = |i: usize| {
        let (x, y) = ((i % w as usize) as u32, (i / w as usize) as u32);
        let frame = x < 4 || y < 4 || x >= w - 4 || y >= h - 4;
        let text = (y / 12) % 3 == 1 && (x / 9) % 4 != 3 && x > 60 && x < w - 60;
        frame || text
    };
    let g4 = eingang_capture::process::encode_g4(w as usize, h as usize, ink).unwrap();
    let (pw, ph) = (w * 72 / dpi, h * 72 / dpi);
    let content = format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").into_bytes(),
        [format!("<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns {w} >> /Length {} >>\nstream\n", g4.len()).into_bytes(), g4, b"\nendstream".to_vec()].concat(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_scanner_g4_pdf_with_default_decode_parameters_imports_processes_and_is_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("kodak-scan.pdf");
    std::fs::write(&file, scanner_g4_pdf(1240, 1754, 150)).unwrap();
    let eingang = |args: &[&str]| ok_in(&data, &[], args);
    // Both profiles: the grey one processes the page (deskew, blank check, grey encoding),
    // the bilevel one keeps it G4.
    for profile in ["standard", "text-sw"] {
        let text = eingang(&[
            "--user",
            "anna",
            "import",
            file.to_str().unwrap(),
            "--profile",
            profile,
        ]);
        assert!(
            text.contains("1 pages received, 1 processed, 0 failed, 0 file(s) refused"),
            "{profile}: {text}"
        );
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
            .unwrap()
            .to_owned();
        assert!(eingang(&["ocr", "run", "--batch", &id]).contains("1 page(s) read, 0 failed"));
        eingang(&["--user", "bernd", "batch", "qc", &id, "--all"]);
        let text = eingang(&[
            "batch",
            "release",
            &id,
            "--title",
            "Posteingang",
            "--index",
            "dokumentart=Brief",
        ]);
        assert!(
            text.contains("1 page(s)") && text.contains("queued"),
            "{profile}: {text}"
        );
    }
    let text = eingang(&["sync"]);
    // Two documents and the audit checkpoints of their two releases.
    assert!(text.contains("4 delivered, 0 failed"), "{text}");
    let pdfs: Vec<_> = walk(&data.join("ausgang"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 2, "{pdfs:?}");
    for pdf in &pdfs {
        assert!(
            Command::new("qpdf")
                .arg("--check")
                .arg(pdf)
                .status()
                .unwrap()
                .success(),
            "{}",
            pdf.display()
        );
        // The page's frame is still there: poppler draws the corner dark.
        let out = dir.path().join("corner");
        let ok = Command::new("pdftoppm")
            .args([
                "-r",
                "50",
                "-gray",
                "-singlefile",
                "-x",
                "0",
                "-y",
                "0",
                "-W",
                "8",
                "-H",
                "8",
            ])
            .arg(pdf)
            .arg(&out)
            .status()
            .unwrap();
        assert!(ok.success());
        let pgm = std::fs::read(out.with_extension("pgm")).unwrap();
        assert!(
            pgm[pgm.len() - 64..].iter().any(|&v| v < 128),
            "{}: the frame is gone",
            pdf.display()
        );
    }
}

/// The audit hash as the store computes it (prev, seq, at, actor, kind, subject, details,
/// each followed by a line end): what someone holding the data key can recompute.
fn audit_hash(prev: &str, seq: i64, at: i64, rest: [&str; 4]) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for part in [prev, &seq.to_string(), &at.to_string()]
        .into_iter()
        .chain(rest)
    {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[test]
fn a_release_anchors_the_audit_log_in_the_dms_and_a_rewritten_or_cut_tail_shows_against_it() {
    let data = tempfile::tempdir().unwrap();
    let eingang = |args: &[&str]| ok_in(data.path(), &[], args);
    let page = data.path().join("brief.png");
    image::GrayImage::from_fn(600, 800, |x, y| {
        image::Luma([if (x / 7 + y / 11) % 5 == 0 { 20 } else { 235 }])
    })
    .save(&page)
    .unwrap();
    let text = eingang(&[
        "--user",
        "anna",
        "import",
        page.to_str().unwrap(),
        "--profile",
        "text-sw",
    ]);
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
        .unwrap()
        .to_owned();
    eingang(&["ocr", "run", "--batch", &id]);
    eingang(&["--user", "bernd", "batch", "qc", &id, "--all"]);
    eingang(&[
        "batch",
        "release",
        &id,
        "--title",
        "Brief",
        "--index",
        "dokumentart=Brief",
    ]);
    eingang(&["sync"]);
    let out = data.path().join("ausgang");
    let anchors: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("audit-")
                && p.extension().is_some_and(|e| e == "json")
        })
        .collect();
    assert_eq!(
        anchors.len(),
        1,
        "one checkpoint delivered: {:?}",
        walk(&out)
    );
    let anchor: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&anchors[0]).unwrap()).unwrap();
    let anchored = anchor["sequenz"].as_i64().unwrap();
    let verify = |anchors: bool| {
        let mut args = vec!["audit", "verify"];
        if anchors {
            args.extend(["--anchors", out.to_str().unwrap()]);
        }
        run_in(data.path(), &[], &args)
    };
    let (code, text) = verify(true);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("anchors: 1 checkpoint(s) of this log hold"),
        "{text}"
    );

    // Someone with the data key rewrites a record before the anchor and recomputes every
    // hash after it: the chain alone looks intact; the anchor in the DMS does not agree.
    let db = eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    db.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    let rows: Vec<(i64, i64, String, String, String, String)> = db
        .prepare("SELECT seq, at, actor, kind, subject, details FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let victim = rows.iter().find(|r| r.3 == "qc.verdict").unwrap().0;
    assert!(victim < anchored);
    let mut prev = if victim == 1 {
        "0".repeat(64)
    } else {
        db.query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            [victim - 1],
            |r| r.get(0),
        )
        .unwrap()
    };
    for (seq, at, actor, kind, subject, details) in rows.iter().filter(|r| r.0 >= victim) {
        let actor = if *seq == victim {
            "jemand"
        } else {
            actor.as_str()
        };
        let hash = audit_hash(&prev, *seq, *at, [actor, kind, subject, details]);
        db.execute(
            "UPDATE audit_log SET actor = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![actor, prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
    let (code, text) = verify(false);
    assert_eq!(code, Some(0), "the rewrite is consistent in itself: {text}");
    let (code, text) = verify(true);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!("record {anchored} differs from the checkpoint")),
        "{text}"
    );

    // Cut off the tail from the anchored record on: the chain is consistent, the anchor
    // names what is missing.
    db.execute("DELETE FROM audit_log WHERE seq >= ?1", [anchored])
        .unwrap();
    drop(db);
    let (code, text) = verify(false);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = verify(true);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("records were removed (truncated tail)"),
        "{text}"
    );
}
