//! WebDAV `PROPFIND` answers (multistatus XML) as the connector reads them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    let _ = eingang_sync::webdav::parse_multistatus(xml);
});
