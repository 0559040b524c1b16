//! Fuzzes the secret and card data engine on arbitrary bytes: content expansion (gzip,
//! tar, zip nested, UTF-16 by BOM or NUL pattern, printable strings of binaries), the
//! keyword prefilter and windowed regexes, the checks (entropy, placeholders, docker
//! auths, private key encryption), PAN and track data, masking and fingerprints. Any
//! panic is a bug; limits are small so that archive bombs stay fast.
#![no_main]

use std::sync::LazyLock;

use cdeguard_secrets::content::Limits;
use cdeguard_secrets::{FingerprintKey, Scanner};
use libfuzzer_sys::fuzz_target;

static SCANNER: LazyLock<Scanner> = LazyLock::new(|| Scanner::new(FingerprintKey::new(b"fuzz")));

const LIMITS: Limits = Limits {
    max_depth: 3,
    max_entries: 64,
    max_expanded_bytes: 4 << 20,
    max_entry_bytes: 1 << 20,
};

fuzz_target!(|data: &[u8]| {
    let (found, _) = cdeguard_secrets::files::scan_bytes(&SCANNER, "fuzz.bin", data, LIMITS);
    for file in &found {
        for d in &file.detections {
            assert!(!d.masked.is_empty() && !d.fingerprint.is_empty(), "{d:?}");
        }
    }
    // The raw text paths, with and without line numbers.
    let _ = SCANNER.scan_text(data, true);
    let _ = SCANNER.scan_text(data, false);
});
