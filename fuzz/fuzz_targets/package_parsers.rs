//! Fuzzes every package parser: the bytes go to each registered cataloger (OS package
//! databases including the RPM SQLite, Berkeley DB and NDB readers, lockfiles, installed
//! package metadata, binaries through their `reduce` step) and to OS detection. A parse
//! failure must be a `CatalogError`, never a panic, hang or unbounded allocation.
#![no_main]

use cdeguard_packages::{CATALOGERS, Context, os};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let detected = os::detect(|path| (path == "/etc/os-release").then_some(data));
    let ctx = Context {
        os: detected.as_ref(),
    };
    for cataloger in CATALOGERS {
        let _ = cataloger.catalog("/fuzz/input", data, &ctx);
        if let Some(reduced) = cataloger.reduce(data) {
            let _ = cataloger.catalog("/fuzz/input", &reduced, &ctx);
        }
    }
});
