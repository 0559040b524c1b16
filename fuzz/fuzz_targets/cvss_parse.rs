//! Fuzzes CVSS vector parsing and scoring (all versions): any panic (index, overflow,
//! NaN-to-int) is a bug, and every accepted vector must score within 0.0..=10.0 and
//! re-parse from its normalised form to the same score.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cvss) = cdeguard_cvss::parse(text) {
        assert!(
            (0.0..=10.0).contains(&cvss.base_score),
            "{text}: {}",
            cvss.base_score
        );
        let again = cdeguard_cvss::parse(&cvss.vector).expect("normalised vector parses");
        assert_eq!(again.base_score, cvss.base_score, "{text}");
    }
});
