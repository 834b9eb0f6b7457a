//! Form definitions (JSON) as imported and compiled.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    let _ = eingang_forms::Form::from_json(json);
});
