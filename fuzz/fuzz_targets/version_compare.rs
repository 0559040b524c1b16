//! Fuzzes version ordering: any two strings, compared in every ecosystem, in both orders.
//! A panic is a bug (versions come from scanned images and advisories, i.e. untrusted);
//! so is an answer that is not antisymmetric (`a < b` but not `b > a`) or not reflexive,
//! since vulnerability matching and sorting rely on both.
#![no_main]

use cdeguard_model::Ecosystem;
use cdeguard_version::compare;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\t').unwrap_or((&text, "1.0"));
    for ecosystem in Ecosystem::ALL {
        let forward = compare(ecosystem, a, b);
        let backward = compare(ecosystem, b, a);
        if let (Ok(f), Ok(r)) = (&forward, &backward) {
            assert_eq!(
                *f,
                r.reverse(),
                "{ecosystem:?}: `{a}` vs `{b}` not antisymmetric"
            );
        }
        if let Ok(same) = compare(ecosystem, a, a) {
            assert!(same.is_eq(), "{ecosystem:?}: `{a}` not equal to itself");
        }
    }
});
