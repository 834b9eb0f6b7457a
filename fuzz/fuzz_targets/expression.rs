//! The expression language: parse, then evaluate against fields that hold the input's
//! own numbers and words.
#![no_main]
use eingang_forms::expr::{Env, Expr, Value};
use libfuzzer_sys::fuzz_target;

struct Fields;

impl Env for Fields {
    fn lookup(&self, path: &[String]) -> Value {
        match path.first().map(String::len).unwrap_or(0) % 4 {
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

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(e) = Expr::parse(src) {
        let _ = e.eval(&Fields);
        let _ = e.references();
    }
});
