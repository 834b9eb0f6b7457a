//! The PDF reader: parse, refusals, and the image-only analysis of every page (rendering
//! is poppler's, in its own process).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = eingang_capture::Limits {
        max_file_bytes: 1 << 20,
        max_pixels: 4_000_000,
        max_pages: 64,
    };
    let _ = eingang_capture::pdf_pages::structure("post.pdf", data, limits);
});
