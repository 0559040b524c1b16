//! Malformed vectors are errors that name the bad metric, never panics.

use cdeguard_cvss::{CvssError, CvssVersion, parse};

#[test]
fn duplicate_metric() {
    assert_eq!(
        parse("CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(CvssError::DuplicateMetric {
            version: CvssVersion::V3_1,
            metric: "AV".into()
        })
    );
    assert_eq!(
        parse("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/E:H"),
        Err(CvssError::DuplicateMetric {
            version: CvssVersion::V2,
            metric: "E".into()
        })
    );
}

#[test]
fn missing_mandatory_metric() {
    assert_eq!(
        parse("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H"),
        Err(CvssError::MissingMetric {
            version: CvssVersion::V3_0,
            metric: "S"
        })
    );
    assert_eq!(
        parse("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        Err(CvssError::MissingMetric {
            version: CvssVersion::V4_0,
            metric: "AT"
        })
    );
    assert_eq!(
        parse("AV:N/AC:L/Au:N/C:N/I:N"),
        Err(CvssError::MissingMetric {
            version: CvssVersion::V2,
            metric: "A"
        })
    );
}

#[test]
fn unknown_value_and_metric() {
    assert_eq!(
        parse("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(CvssError::UnknownValue {
            version: CvssVersion::V3_1,
            metric: "AV".into(),
            value: "X".into()
        })
    );
    // MSI:S exists in v4.0, but SI:S does not.
    assert!(matches!(
        parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N"),
        Err(CvssError::UnknownValue { metric, .. }) if metric == "SI"
    ));
    // v2 metric names are case-sensitive (`Au`), and v3 has no `Au`.
    assert!(matches!(
        parse("CVSS:3.1/AV:N/AC:L/Au:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(CvssError::UnknownMetric { metric, .. }) if metric == "Au"
    ));
    let message = parse("CVSS:3.1/AV:N/AC:L/PR:Q/UI:N/S:U/C:H/I:H/A:H")
        .expect_err("bad")
        .to_string();
    assert!(
        message.contains("`PR`") && message.contains("`Q`"),
        "{message}"
    );
}

#[test]
fn wrong_prefix_and_malformed_fields() {
    assert_eq!(
        parse("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(CvssError::UnsupportedVersion("CVSS:3.2".into()))
    );
    assert_eq!(parse("  "), Err(CvssError::Empty));
    assert_eq!(parse("()"), Err(CvssError::Empty));
    for malformed in [
        "CVSS:3.1",
        "CVSS:3.1/",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
        "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    ] {
        assert!(
            matches!(parse(malformed), Err(CvssError::MalformedField { .. })),
            "{malformed}"
        );
    }
    // A v3 vector without its prefix is read as v2 and rejected by v2's table.
    assert!(matches!(
        parse("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(CvssError::UnknownMetric { version: CvssVersion::V2, metric }) if metric == "PR"
    ));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A deterministic sweep of short strings over the vector alphabet.
    let alphabet = [
        "CVSS:", "3.1", "4.0", "2.0", "/", ":", "AV", "N", "MSI", "S", "X", "(", ")", "é", "",
    ];
    let mut state = 7_u64;
    for _ in 0..20_000 {
        let mut input = String::new();
        for _ in 0..(state % 12) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            input
                .push_str(alphabet[usize::try_from(state >> 60).expect("4 bits") % alphabet.len()]);
        }
        let _ = parse(&input);
    }
}
