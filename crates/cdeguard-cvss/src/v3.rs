//! CVSS v3.0 and v3.1 base score (specification section 7.1, "Base Metrics Equations").
//!
//! Both versions share the base equations and weights; they differ in `Roundup`: v3.1
//! defines it on an integer of 1/100000 units (Appendix A) so that 4.000000000000001 is
//! 4.0, while v3.0 defines it as "the smallest number, specified to one decimal place,
//! that is equal to or higher than its input" (section 8.5 of the v3.0 document).
//! Temporal and environmental metrics are accepted and kept in the normalised vector.

use crate::metrics::{MetricDef, Metrics};
use crate::rounding;
use crate::{Cvss, CvssError, CvssVersion, Rating};

const fn base(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: true,
    }
}
const fn optional(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: false,
    }
}

static METRICS: [MetricDef; 22] = [
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "R"]),
    base("S", &["U", "C"]),
    base("C", &["H", "L", "N"]),
    base("I", &["H", "L", "N"]),
    base("A", &["H", "L", "N"]),
    optional("E", &["X", "H", "F", "P", "U"]),
    optional("RL", &["X", "U", "W", "T", "O"]),
    optional("RC", &["X", "C", "R", "U"]),
    optional("CR", &["X", "H", "M", "L"]),
    optional("IR", &["X", "H", "M", "L"]),
    optional("AR", &["X", "H", "M", "L"]),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "R"]),
    optional("MS", &["X", "U", "C"]),
    optional("MC", &["X", "H", "L", "N"]),
    optional("MI", &["X", "H", "L", "N"]),
    optional("MA", &["X", "H", "L", "N"]),
];

/// The base metric weights of section 7.4; `value` is one the parser accepted.
fn weight(metric: &str, value: &str, scope_changed: bool) -> f64 {
    match metric {
        "AV" => match value {
            "N" => 0.85,
            "A" => 0.62,
            "L" => 0.55,
            _ => 0.2, // Physical
        },
        "AC" => match value {
            "L" => 0.77,
            _ => 0.44, // High
        },
        "PR" => match (value, scope_changed) {
            ("N", _) => 0.85,
            ("L", false) => 0.62,
            ("L", true) => 0.68,
            (_, false) => 0.27, // High
            (_, true) => 0.5,
        },
        "UI" => match value {
            "N" => 0.85,
            _ => 0.62, // Required
        },
        _ => match value {
            // C, I, A
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0, // None
        },
    }
}

pub(crate) fn score(version: CvssVersion, body: &str) -> Result<Cvss, CvssError> {
    let metrics = Metrics::parse(version, &METRICS, body)?;
    let scope_changed = metrics.get(4) == Some("C");
    let w = |index: usize| {
        weight(
            METRICS[index].name,
            metrics.get(index).unwrap_or_default(),
            scope_changed,
        )
    };
    let (av, ac, pr, ui, c, i, a) = (w(0), w(1), w(2), w(3), w(5), w(6), w(7));

    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let roundup = match version {
        CvssVersion::V3_0 => rounding::roundup_v3_0,
        _ => rounding::roundup_v3_1,
    };
    let base_score = if impact <= 0.0 {
        0.0
    } else if scope_changed {
        roundup(f64::min(1.08 * (impact + exploitability), 10.0))
    } else {
        roundup(f64::min(impact + exploitability, 10.0))
    };
    Ok(Cvss {
        version,
        vector: metrics.normalised(&METRICS, &format!("CVSS:{version}"), "X"),
        base_score,
        rating: Rating::of(version, base_score),
    })
}
