//! The bad-input corpus on stable Rust: every seed of the fuzz targets (`fuzz/corpus/`) and
//! every input that once crashed one (`fuzz/regressions/`) goes through the same function
//! its target calls. None may panic; each is either accepted or refused with an error that
//! names the file. Prints, per target, how many inputs were accepted and refused, and the
//! process's peak memory.

#![allow(clippy::unwrap_used)]

use eingang_forms::expr::{Env, Expr, Value};
use std::path::{Path, PathBuf};

struct Fields;

impl Env for Fields {
    fn lookup(&self, path: &[String]) -> Value {
        match path.first().map_or(0, String::len) % 4 {
            0 => Value::Null,
            1 => Value::from_json(&serde_json::json!(42.5)),
            2 => Value::from_json(&serde_json::json!("2026-11-29")),
            _ => Value::from_json(&serde_json::json!(["a", 1, true])),
        }
    }

    fn today(&self) -> (i32, u32, u32) {
        (2026, 11, 29)
    }
}

/// What the target `target` does with `data`: `Ok(true)` accepted, `Ok(false)` refused
/// with an error that names the file, `Err` a refusal without the file's name.
fn run(target: &str, data: &[u8]) -> Result<bool, String> {
    let small = eingang_capture::Limits {
        max_file_bytes: 1 << 20,
        max_pixels: 4_000_000,
        max_pages: 64,
    };
    let text = || std::str::from_utf8(data).ok();
    let named = |e: &dyn std::fmt::Display, name: &str| {
        let m = e.to_string();
        if m.contains(name) {
            Ok(false)
        } else {
            Err(m)
        }
    };
    match target {
        "image" => {
            let Some((first, rest)) = data.split_first() else {
                return Ok(false);
            };
            let name = ["scan.jpg", "scan.png", "scan.tif", "scan.pnm"][usize::from(*first) % 4];
            match eingang_capture::read_bytes(name, rest.to_vec(), small) {
                Ok(_) => Ok(true),
                Err(e) => named(&e, name),
            }
        }
        "pdf" => match eingang_capture::pdf_pages::structure("post.pdf", data, small) {
            Ok(_) => Ok(true),
            Err(e) => named(&e, "post.pdf"),
        },
        "email" => match eingang_capture::email::read_eml(
            "post.eml",
            data,
            eingang_capture::Limits::default(),
        ) {
            Ok(_) => Ok(true),
            Err(e) => named(&e, "post.eml"),
        },
        "xdf" => {
            let Some(xml) = text() else { return Ok(false) };
            let a = eingang_forms::fim::import_xdf(xml, &[]).is_ok();
            let b = eingang_forms::fim::parse_genericode(xml).is_ok();
            Ok(a || b)
        }
        "form_definition" => Ok(text().is_some_and(|j| eingang_forms::Form::from_json(j).is_ok())),
        "expression" => Ok(text().is_some_and(|src| match Expr::parse(src) {
            Ok(e) => {
                let _ = e.references();
                e.eval(&Fields).is_ok()
            }
            Err(_) => false,
        })),
        "webdav" => Ok(text().is_some_and(|x| eingang_sync::webdav::parse_multistatus(x).is_ok())),
        "masterdata" => {
            let Some((first, rest)) = data.split_first() else {
                return Ok(false);
            };
            let name = if first % 2 == 0 {
                "stammdaten.csv"
            } else {
                "stammdaten.json"
            };
            Ok(eingang_capture::masterdata::parse(name, rest).is_ok())
        }
        other => panic!("no such fuzz target: {other}"),
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn peak_rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn every_seed_and_every_former_crash_is_accepted_or_refused_by_name() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let targets = [
        "image",
        "pdf",
        "email",
        "xdf",
        "form_definition",
        "expression",
        "webdav",
        "masterdata",
    ];
    let mut unnamed = Vec::new();
    let mut total = 0;
    for t in targets {
        let inputs: Vec<PathBuf> = [
            fuzz.join("corpus").join(t),
            fuzz.join("regressions").join(t),
        ]
        .iter()
        .flat_map(|d| files(d))
        .collect();
        assert!(!inputs.is_empty(), "no seeds for {t}");
        let (mut accepted, mut refused) = (0, 0);
        for f in &inputs {
            let data = std::fs::read(f).unwrap();
            match run(t, &data) {
                Ok(true) => accepted += 1,
                Ok(false) => refused += 1,
                Err(message) => unnamed.push(format!("{}: {message}", f.display())),
            }
        }
        total += inputs.len();
        println!(
            "{t:<16} {:>5} inputs: {accepted} accepted, {refused} refused",
            inputs.len()
        );
    }
    println!(
        "bad-input corpus: {total} inputs, 0 panics; peak memory {} KiB",
        peak_rss_kib().unwrap_or(0)
    );
    assert!(
        unnamed.is_empty(),
        "errors that do not name the file: {unnamed:#?}"
    );
}
