//! Page images as the importer reads them (JPEG, PNG, TIFF, PNM; the first byte picks the
//! name the file arrives under, so every decoder sees every input).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let name = ["scan.jpg", "scan.png", "scan.tif", "scan.pnm"][usize::from(*first) % 4];
    let limits = eingang_capture::Limits {
        max_file_bytes: 1 << 20,
        max_pixels: 4_000_000,
        max_pages: 16,
    };
    let _ = eingang_capture::read_bytes(name, rest.to_vec(), limits);
});
