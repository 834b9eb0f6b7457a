//! FIM XDatenfelder 2.0/3.0 and genericode code lists.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    let _ = eingang_forms::fim::import_xdf(xml, &[]);
    let _ = eingang_forms::fim::parse_genericode(xml);
});
