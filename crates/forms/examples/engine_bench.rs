//! Figures for the form engine (issue: forms). Run in release mode:
//!
//!     cargo run --release -p eingang-forms --example engine_bench
//!
//! Prints percentiles for: evaluating (calculate + validate) a 500-field draft, compiling a
//! 500-field form, and importing the largest FIM fixture with its code lists.

use eingang_forms::fim::{import_xdf, parse_genericode};
use eingang_forms::samples::synthetic_form;
use eingang_forms::Form;
use std::path::Path;
use std::time::Instant;

fn percentiles(name: &str, mut micros: Vec<u128>) {
    micros.sort_unstable();
    let p = |q: usize| micros[(micros.len() - 1) * q / 100];
    println!(
        "{name}: n={} p50={} µs p99={} µs max={} µs",
        micros.len(),
        p(50),
        p(99),
        micros[micros.len() - 1]
    );
}

fn main() {
    let (json, values) = synthetic_form(50);
    let form = Form::from_json(&json).expect("the bench form compiles");
    let fields = 50 * 11;

    let mut t = Vec::new();
    for _ in 0..200 {
        let s = Instant::now();
        let state = form.evaluate(&values, (2026, 11, 28));
        t.push(s.elapsed().as_micros());
        assert!(state.issues.is_empty(), "{:?}", state.issues.first());
    }
    percentiles(
        &format!("evaluate a {fields}-field draft (calculate + validate)"),
        t,
    );

    let mut t = Vec::new();
    for _ in 0..100 {
        let s = Instant::now();
        let f = Form::from_json(&json).expect("compiles");
        t.push(s.elapsed().as_micros());
        drop(f);
    }
    percentiles(&format!("parse + compile a {fields}-field form"), t);

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fim/xdf2/S00000094V1.0");
    let xml = std::fs::read_to_string(dir.join("S00000094V1.0_xdf2.xml")).expect("fixture");
    let lists: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with("_genericode.xml"))
        .map(|p| parse_genericode(&std::fs::read_to_string(p).expect("code list")).expect("valid"))
        .collect();
    let mut t = Vec::new();
    for _ in 0..50 {
        let s = Instant::now();
        let (def, _) = import_xdf(&xml, &lists).expect("imports");
        t.push(s.elapsed().as_micros());
        drop(def);
    }
    percentiles(
        &format!(
            "import FIM S00000094 ({} KiB) with 4 code lists",
            xml.len() / 1024
        ),
        t,
    );
}
