//! Automatic indexing from the command line, on generated mail (`scripts/auto/mail.py`):
//! `eingang import --auto`, `batch suggest --json`, `batch documents --json`,
//! `batch autoindex`, `model status|examples|forget|reset|retrain`.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn eingang(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .output()
        .expect("run eingang")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A profile `auto`: the built-in grey one that applies document starts it is sure of
/// (four-eyes off: one person here).
fn auto_profile(data: &Path, dir: &Path) {
    let profiles: Value =
        serde_json::from_str(&ok(&eingang(data, &["profiles", "list", "--json"]))).unwrap();
    let mut p = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "standard")
        .unwrap()
        .clone();
    p["id"] = "auto".into();
    p["auto"] = serde_json::json!({"apply_boundaries": 0.8});
    p["qc"]["four_eyes"] = false.into();
    let file = dir.join("auto.json");
    std::fs::write(&file, p.to_string()).unwrap();
    ok(&eingang(
        data,
        &["profiles", "save", file.to_str().unwrap()],
    ));
}

/// Four generated letters (seed 23, 200 dpi) in `mail`, and their truth.
fn generate(mail: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/auto/mail.py");
    let made = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(mail)
        .args(["4", "23", "200"])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    serde_json::from_slice(&std::fs::read(mail.join("truth.json")).unwrap()).unwrap()
}

#[test]
fn import_auto_suggests_and_applies_and_the_model_reports_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mail, data) = (dir.path().join("mail"), dir.path().join("data"));
    let truth = generate(&mail);
    let stammdaten = mail.join("stammdaten.csv");
    ok(&eingang(
        &data,
        &["masterdata", "import", stammdaten.to_str().unwrap()],
    ));

    auto_profile(&data, dir.path());

    let mut args = vec!["import", "--auto", "--profile", "auto"];
    let files: Vec<String> = truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| mail.join(p["file"].as_str().unwrap()).display().to_string())
        .collect();
    args.extend(files.iter().map(String::as_str));
    let out = ok(&eingang(&data, &args));
    let docs = truth["documents"].as_array().unwrap().len();
    assert!(
        out.contains(&format!("{} document start(s) changed", docs - 1)),
        "{out}"
    );
    let batch = out
        .lines()
        .find_map(|l| l.strip_prefix("batch "))
        .and_then(|l| l.split(':').next())
        .unwrap()
        .to_owned();

    let s: Value = serde_json::from_str(&ok(&eingang(
        &data,
        &["batch", "suggest", &batch, "--json"],
    )))
    .unwrap();
    assert_eq!(s["ocr_pending"], 0);
    assert_eq!(s["documents"].as_array().unwrap().len(), docs);
    let pages = s["pages"].as_array().unwrap();
    for (p, t) in pages.iter().zip(truth["pages"].as_array().unwrap()) {
        assert_eq!(p["source"], t["file"]);
        assert_eq!(p["starts_document"], t["starts"], "{p}");
        assert_eq!(p["starts_now"], t["starts"], "applied: {p}");
        assert!(p["start_confidence"].as_f64().unwrap() > 0.5);
    }
    let text = ok(&eingang(&data, &["batch", "suggest", &batch]));
    assert!(
        text.contains("starts a document") && text.contains("model: empty"),
        "{text}"
    );

    let listed: Value = serde_json::from_str(&ok(&eingang(
        &data,
        &["batch", "documents", &batch, "--json"],
    )))
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), docs);
    for (d, t) in listed.iter().zip(truth["documents"].as_array().unwrap()) {
        let letter_date = d["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == "briefdatum")
            .unwrap();
        assert_eq!(letter_date["value"], t["date"], "{d}");
    }

    // Values at 90 % and more into the fields; a confidence out of range is refused.
    let out = ok(&eingang(
        &data,
        &["batch", "autoindex", &batch, "--values", "0.9"],
    ));
    assert!(out.contains("index value(s) filled"), "{out}");
    let bad = eingang(&data, &["batch", "autoindex", &batch, "--boundaries", "2"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("input.confidence"));

    // Straight-through at 99 %: every document is released or left for a person with the
    // reason; what the check drew is always left.
    let out = ok(&eingang(
        &data,
        &["batch", "autoindex", &batch, "--release", "0.99"],
    ));
    assert!(out.contains("left for a person: drawn"), "{out}");
    let held = out
        .lines()
        .filter(|l| l.contains("left for a person"))
        .count();
    let released: usize = out
        .lines()
        .find_map(|l| l.split_once(" document(s) released straight through"))
        .map_or(0, |(n, _)| n.trim().parse().unwrap());
    assert_eq!(held + released, docs, "{out}");

    model_learns_from_people(&data, &batch, &truth, held);
}

/// The `held` documents left in `batch` indexed as the truth has them and released by a
/// person: the model learns from them (not from the straight-through releases before);
/// `model examples` lists them, `model forget` takes one back, `model reset` the rest.
fn model_learns_from_people(data: &Path, batch: &str, truth: &Value, held: usize) {
    // Straight-through releases teach nothing; what a person releases does.
    let status: Value =
        serde_json::from_str(&ok(&eingang(data, &["model", "status", "--json"]))).unwrap();
    assert_eq!(status["state"], "empty");
    assert_eq!(status["examples"], 0);
    for (k, t) in truth["documents"].as_array().unwrap()[..held]
        .iter()
        .enumerate()
    {
        let pair = |f: &str, key: &str| format!("{f}={}", t[key].as_str().unwrap());
        ok(&eingang(
            data,
            &[
                "batch",
                "index",
                batch,
                "--doc",
                &(k + 1).to_string(),
                &pair("dokumentart", "type"),
                &pair("organisationseinheit", "unit"),
                &pair("absender", "sender"),
                &pair("briefdatum", "date"),
            ],
        ));
    }
    ok(&eingang(data, &["batch", "qc", batch, "--all"]));
    ok(&eingang(
        data,
        &["batch", "release", batch, "--title", "Post"],
    ));
    let learned: Value =
        serde_json::from_str(&ok(&eingang(data, &["model", "examples", "--json"]))).unwrap();
    let learned = learned.as_array().unwrap();
    assert_eq!(learned.len(), held);
    assert!(
        learned
            .iter()
            .all(|e| e["title"].as_str().unwrap().starts_with("Post (")),
        "{learned:?}"
    );
    let first_type = truth["documents"][0]["type"].as_str().unwrap();
    let of_type: Value = serde_json::from_str(&ok(&eingang(
        data,
        &["model", "examples", "--type", first_type, "--json"],
    )))
    .unwrap();
    assert!(of_type
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["doctype"] == first_type));
    // One learned wrong is forgotten; the model is trained on the rest.
    let wrong = learned[0]["document_id"].as_str().unwrap();
    let out = ok(&eingang(data, &["model", "forget", wrong]));
    assert!(
        out.contains(&format!("trained afresh on {}", held - 1)),
        "{out}"
    );
    let status: Value =
        serde_json::from_str(&ok(&eingang(data, &["model", "status", "--json"]))).unwrap();
    assert_eq!(status["examples"], held - 1);
    // Forgetting it again, or something that is no document id: refused, named.
    let again = eingang(data, &["model", "forget", wrong]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains(wrong));
    let bad = eingang(data, &["model", "forget", "kein-dokument"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("kein-dokument"));
    let out = ok(&eingang(data, &["model", "reset"]));
    assert!(
        out.contains(&format!("{} learned example(s) forgotten", held - 1)),
        "{out}"
    );
    assert!(ok(&eingang(data, &["model", "retrain"])).contains("trained on 0"));
}
