//! CVSS v3.0 and v3.1 base, temporal and environmental scores (specification section 7).
//!
//! Both versions share the base and temporal equations and the weights. They differ in
//! `Roundup`: v3.1 defines it on an integer of 1/100000 units (Appendix A) so that
//! 4.000000000000001 is 4.0, while v3.0 defines it as "the smallest number, specified to
//! one decimal place, that is equal to or higher than its input" (v3.0 section 8.5); and
//! in the Modified Impact of a changed modified scope, where v3.1 has
//! 7.52 × (MISS − 0.029) − 3.25 × (MISS × 0.9731 − 0.02)^13 instead of v3.0's
//! 7.52 × (MISS − 0.029) − 3.25 × (MISS − 0.02)^15.

use crate::metrics::{MetricDef, Metrics, base, optional};
use crate::rounding;
use crate::{Cvss, CvssError, CvssVersion, Rating, TemporalEnvironmental};

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

/// The weight of a base or modified base metric value (section 7.4); `value` is one the
/// parser accepted for the base metric. Privileges Required depends on the (modified) scope.
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

/// The weight of a temporal metric or security requirement; not defined (`X` or absent) is 1.
fn weight_optional(metric: &str, value: Option<&str>) -> f64 {
    match (metric, value.unwrap_or("X")) {
        ("E", "F") | ("RL", "W") => 0.97,
        ("E", "P") => 0.94,
        ("E", "U") => 0.91,
        ("RL", "T") | ("RC", "R") => 0.96,
        ("RL", "O") => 0.95,
        ("RC", "U") => 0.92,
        ("CR" | "IR" | "AR", "H") => 1.5,
        ("CR" | "IR" | "AR", "L") => 0.5,
        _ => 1.0,
    }
}

/// Impact and Exploitability sub scores to the (modified) base score: 0 without impact,
/// else Roundup(min(Impact + Exploitability, 10)), times 1.08 inside when scope changed.
fn combine(impact: f64, exploitability: f64, scope_changed: bool, roundup: fn(f64) -> f64) -> f64 {
    if impact <= 0.0 {
        0.0
    } else if scope_changed {
        roundup(f64::min(1.08 * (impact + exploitability), 10.0))
    } else {
        roundup(f64::min(impact + exploitability, 10.0))
    }
}

pub(crate) fn score(
    version: CvssVersion,
    body: &str,
) -> Result<(Cvss, TemporalEnvironmental), CvssError> {
    let metrics = Metrics::parse(version, &METRICS, body)?;
    let value = |name: &str| {
        let index = METRICS
            .iter()
            .position(|metric| metric.name == name)
            .unwrap_or_default();
        metrics.get(index)
    };
    let defined = |name: &str| value(name).filter(|value| *value != "X");
    // A modified base metric, or its base metric when not defined.
    let modified = |name: &str| {
        defined(&format!("M{name}"))
            .or_else(|| value(name))
            .unwrap_or_default()
    };
    let optional = |name: &str| weight_optional(name, value(name));
    let roundup = match version {
        CvssVersion::V3_0 => rounding::roundup_v3_0,
        _ => rounding::roundup_v3_1,
    };

    let scope_changed = value("S") == Some("C");
    let w = |name: &str| weight(name, value(name).unwrap_or_default(), scope_changed);
    let iss = 1.0 - ((1.0 - w("C")) * (1.0 - w("I")) * (1.0 - w("A")));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * w("AV") * w("AC") * w("PR") * w("UI");
    let base_score = combine(impact, exploitability, scope_changed, roundup);

    let temporal_factor = optional("E") * optional("RL") * optional("RC");
    let temporal = ["E", "RL", "RC"]
        .iter()
        .any(|name| defined(name).is_some())
        .then(|| roundup(base_score * temporal_factor));

    let modified_scope_changed = modified("S") == "C";
    let m = |name: &str| weight(name, modified(name), modified_scope_changed);
    let modified_iss = f64::min(
        1.0 - ((1.0 - m("C") * optional("CR"))
            * (1.0 - m("I") * optional("IR"))
            * (1.0 - m("A") * optional("AR"))),
        0.915,
    );
    let modified_impact = match (modified_scope_changed, version) {
        (false, _) => 6.42 * modified_iss,
        (true, CvssVersion::V3_0) => {
            7.52 * (modified_iss - 0.029) - 3.25 * (modified_iss - 0.02).powi(15)
        }
        (true, _) => 7.52 * (modified_iss - 0.029) - 3.25 * (modified_iss * 0.9731 - 0.02).powi(13),
    };
    let modified_exploitability = 8.22 * m("AV") * m("AC") * m("PR") * m("UI");
    let environmental = ENVIRONMENTAL
        .iter()
        .any(|name| defined(name).is_some())
        .then(|| {
            let modified_base = combine(
                modified_impact,
                modified_exploitability,
                modified_scope_changed,
                roundup,
            );
            roundup(modified_base * temporal_factor)
        });

    let cvss = Cvss {
        version,
        vector: metrics.normalised(&METRICS, &format!("CVSS:{version}"), "X"),
        base_score,
        rating: Rating::of(version, base_score),
    };
    Ok((
        cvss,
        TemporalEnvironmental {
            temporal,
            environmental,
        },
    ))
}

/// The environmental metrics (section 4), whose presence makes an environmental score.
const ENVIRONMENTAL: [&str; 11] = [
    "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
];
