//! The worked examples the FIRST documents publish, with their published scores:
//! - v2: "A Complete Guide to the CVSS Version 2.0", section 3.3 (CVE-2002-0392,
//!   CVE-2003-0818, CVE-2003-0062);
//! - v3.0 / v3.1: "CVSS v3.1: Examples" (also published for v3.0 with the same base scores);
//! - v4.0: "CVSS v4.0: Examples" (<https://www.first.org/cvss/v4.0/examples>), including
//!   its CVSS-BT and CVSS-BTE examples and supplemental metrics that must not change the score.

use cdeguard_cvss::{CvssVersion, Rating, parse};

fn assert_scores(examples: &[(&str, f64)]) {
    for (vector, expected) in examples {
        let cvss = parse(vector).unwrap_or_else(|error| panic!("{vector}: {error}"));
        assert_eq!(cvss.base_score, *expected, "{vector}");
    }
}

#[test]
fn v2_guide_examples() {
    assert_scores(&[
        ("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8), // CVE-2002-0392 Apache chunked encoding
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // CVE-2003-0818 Microsoft ASN.1
        ("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2), // CVE-2003-0062 NOD32 buffer overflow
        ("(AV:N/AC:L/Au:N/C:N/I:N/A:C)", 7.8), // NVD's parenthesised form
        ("CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // with a version prefix
        ("CVSS2#AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // as scanners (Nessus) write it
        // The guide's temporal and environmental metrics do not change the base score.
        (
            "AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H",
            7.8,
        ),
    ]);
    assert_eq!(
        parse("AV:L/AC:H/Au:N/C:C/I:C/A:C").map(|c| c.rating),
        Ok(Rating::Medium)
    );
    assert_eq!(
        parse("AV:N/AC:L/Au:N/C:N/I:N/A:N").map(|c| c.rating),
        Ok(Rating::Low)
    );
}

/// (CVE, vector without prefix, base score) from the v3.1 examples document.
const V3_EXAMPLES: &[(&str, &str, f64)] = &[
    ("CVE-2013-1937", "AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVE-2013-0375", "AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
    ("CVE-2014-3566", "AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
    ("CVE-2012-1516", "AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
    ("CVE-2009-0783", "AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),
    ("CVE-2012-0384", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2015-1098", "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
    ("CVE-2014-0160", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
    ("CVE-2014-6271", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVE-2008-1447", "AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8),
    ("CVE-2014-2005", "AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8),
    ("CVE-2010-0467", "AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8),
    ("CVE-2012-1342", "AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8),
    ("CVE-2013-6014", "AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3),
    ("CVE-2014-9253", "AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4),
    ("CVE-2009-0658", "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
    ("CVE-2011-1265", "AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2014-2019", "AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6),
    ("CVE-2015-0970", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2014-0224", "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4),
    ("CVE-2016-1645", "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2016-0128", "AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8),
];

#[test]
fn v3_examples_document() {
    for (prefix, version) in [
        ("CVSS:3.1", CvssVersion::V3_1),
        ("CVSS:3.0", CvssVersion::V3_0),
    ] {
        for (cve, body, expected) in V3_EXAMPLES {
            let vector = format!("{prefix}/{body}");
            let cvss = parse(&vector).unwrap_or_else(|error| panic!("{cve} {vector}: {error}"));
            assert_eq!(cvss.base_score, *expected, "{cve} {vector}");
            assert_eq!(cvss.version, version);
            assert_eq!(cvss.vector, vector, "already normalised");
        }
    }
}

#[test]
fn v3_ratings_and_normalisation() {
    let cvss = parse("CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:X/RL:O/MAV:X").expect("valid");
    assert_eq!(
        cvss.vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O"
    );
    assert_eq!(cvss.base_score, 9.8);
    assert_eq!(cvss.rating, Rating::Critical);
    assert_eq!(cvss.rating.to_string(), "Critical");
    assert_eq!(cvss.version.to_string(), "3.1");
    let none = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N").expect("valid");
    assert_eq!((none.base_score, none.rating), (0.0, Rating::None));
    let low = parse("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N").expect("valid");
    assert_eq!(low.rating, Rating::Low);
    let high = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N").expect("valid");
    assert_eq!(high.rating, Rating::High);
}

#[test]
fn v4_examples_document() {
    assert_scores(&[
        (
            "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            7.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            7.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
            5.2,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N",
            8.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L",
            8.1,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
            4.6,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
            5.1,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
            6.9,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N",
            5.9,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            9.4,
        ),
        (
            "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D",
            8.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A",
            8.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A",
            10.0,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A",
            9.3,
        ),
        (
            "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H",
            6.4,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I",
            9.3,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I",
            8.7,
        ),
        (
            "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            8.6,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            7.1,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            8.2,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L",
            8.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L/E:U",
            6.6,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
            5.1,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            7.7,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N",
            8.3,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U",
            5.6,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            8.5,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A",
            9.2,
        ),
        (
            "CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            5.4,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            8.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            6.9,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N",
            6.9,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P",
            8.5,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:Y/V:C/RE:L",
            9.4,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:L/IR:H/AR:L/MAV:L/MAC:H/MAT:N/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L/MSC:N/MSI:S/MSA:L",
            7.0,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:A/MAC:H/MAT:N/MPR:L/MUI:N/MVC:L/MVI:H/MVA:H/MSC:L/MSI:S/MSA:S/CR:L/IR:H/AR:H/E:P",
            7.4,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:N/MAC:H/MAT:N/MPR:L/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:H/CR:M/IR:H/AR:M/E:P",
            8.7,
        ),
        (
            "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/S:P",
            8.6,
        ),
        (
            "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P",
            9.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/V:C",
            8.7,
        ),
    ]);
}

#[test]
fn v4_normalised_vector_and_rating() {
    let cvss =
        parse("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P/E:X")
            .expect("valid");
    assert_eq!(
        cvss.vector,
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P"
    );
    assert_eq!(
        (cvss.version, cvss.rating),
        (CvssVersion::V4_0, Rating::Critical)
    );
    let none =
        parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N").expect("valid");
    assert_eq!((none.base_score, none.rating), (0.0, Rating::None));
}

fn temporal_environmental(vector: &str) -> (f64, Option<f64>, Option<f64>) {
    let (cvss, scores) = cdeguard_cvss::parse_with_temporal_environmental(vector)
        .unwrap_or_else(|error| panic!("{vector}: {error}"));
    let scores =
        scores.unwrap_or_else(|| panic!("{vector}: v2/v3 has temporal/environmental scores"));
    (cvss.base_score, scores.temporal, scores.environmental)
}

#[test]
fn v2_guide_temporal_and_environmental_examples() {
    // Guide section 3.3: each example's base, temporal and environmental score.
    for (vector, expected) in [
        (
            "AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H",
            (7.8, Some(6.4), Some(9.2)),
        ),
        (
            "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:L",
            (10.0, Some(8.3), Some(9.0)),
        ),
        (
            "AV:L/AC:H/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:M",
            (6.2, Some(4.9), Some(7.5)),
        ),
        ("AV:N/AC:L/Au:N/C:N/I:N/A:C", (7.8, None, None)),
    ] {
        assert_eq!(temporal_environmental(vector), expected, "{vector}");
    }
}

#[test]
fn v3_temporal_and_environmental_examples() {
    // Scores as FIRST's and NVD's v3.1 calculators show them.
    for (vector, expected) in [
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:F/RL:O/RC:R",
            (9.8, Some(8.7), None),
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/CR:L/IR:M/AR:H/MAV:N/MAC:L/MPR:H/MUI:R/MS:C/MC:L/MI:H/MA:N",
            (3.8, Some(3.7), Some(6.5)),
        ),
        (
            // MPR:H weighs 0.50 under a changed modified scope.
            "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/CR:M/IR:M/AR:M/MAV:N/MAC:L/MPR:H/MUI:N/MS:C/MC:L/MI:L/MA:N",
            (3.8, None, Some(5.5)),
        ),
        // v3.0's Round up is the exact ceiling: 5.0 × 0.92 is 4.6, not 4.7.
        (
            "CVSS:3.0/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:L/RC:U",
            (5.0, Some(4.6), None),
        ),
    ] {
        assert_eq!(temporal_environmental(vector), expected, "{vector}");
    }
    assert_eq!(
        cdeguard_cvss::parse_with_temporal_environmental(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:U"
        )
        .map(|(_, scores)| scores),
        Ok(None)
    );
}
