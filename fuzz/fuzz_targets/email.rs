//! E-mails (`.eml`) as the intake reads them: headers, MIME parts, attachments.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = eingang_capture::email::read_eml("post.eml", data, eingang_capture::Limits::default());
});
