//! Master data files (CSV, JSON) for the index station.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let name = if first % 2 == 0 { "stammdaten.csv" } else { "stammdaten.json" };
    let _ = eingang_capture::masterdata::parse(name, rest);
});
