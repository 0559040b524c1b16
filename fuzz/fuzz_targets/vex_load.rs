//! Fuzzes the VEX reader (format detection, OpenVEX and CycloneDX models, BOM-Link and
//! bom-ref resolution, timestamp parsing, override resolution) and purl matching of the
//! products it returns. Any panic is a bug; malformed input must be a `VexError`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(statements) = cdeguard_vex::load_bytes(Path::new("fuzz.json"), data) {
        for statement in &statements {
            for product in &statement.products {
                assert!(cdeguard_vex::product_matches(product, product), "{product}");
                let _ = cdeguard_vex::product_matches(
                    product,
                    "pkg:npm/%40scope/name@1.0.0?arch=x86_64",
                );
            }
        }
    }
});
