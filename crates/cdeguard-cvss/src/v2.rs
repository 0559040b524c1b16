//! CVSS v2 base score ("A Complete Guide to the Common Vulnerability Scoring System
//! Version 2.0", section 3.2.1), computed in exact integer arithmetic.
//!
//! The v2 weights have at most three decimals, so the whole equation fits an `i64` of
//! 10^-15 units, and "round to one decimal" then rounds the exact value half up instead of
//! a floating point approximation of it (the guide's 0.6×Impact + 0.4×Exploitability − 1.5
//! lands exactly on .x5 for some vectors).
//!
//! Temporal (E, RL, RC) and environmental (CDP, TD, CR, IR, AR) metrics are accepted and
//! kept in the normalised vector; they do not change the base score.

use crate::metrics::{MetricDef, Metrics};
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

static METRICS: [MetricDef; 14] = [
    base("AV", &["L", "A", "N"]),
    base("AC", &["H", "M", "L"]),
    base("Au", &["M", "S", "N"]),
    base("C", &["N", "P", "C"]),
    base("I", &["N", "P", "C"]),
    base("A", &["N", "P", "C"]),
    optional("E", &["U", "POC", "F", "H", "ND"]),
    optional("RL", &["OF", "TF", "W", "U", "ND"]),
    optional("RC", &["UC", "UR", "C", "ND"]),
    optional("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    optional("TD", &["N", "L", "M", "H", "ND"]),
    optional("CR", &["L", "M", "H", "ND"]),
    optional("IR", &["L", "M", "H", "ND"]),
    optional("AR", &["L", "M", "H", "ND"]),
];

/// A weight of the guide in thousandths (all v2 base weights have three decimals or fewer).
/// `value` is one of the table's values for `metric` (checked by the parser).
fn weight_milli(metric: &str, value: &str) -> i64 {
    match (metric, value) {
        ("AV", "L") => 395,
        ("AV", "A") => 646,
        ("AV", _) => 1000, // Network
        ("AC", "H") => 350,
        ("AC", "M") => 610,
        ("AC", _) => 710, // Low
        ("Au", "M") => 450,
        ("Au", "S") => 560,
        ("Au", _) => 704, // None
        (_, "P") => 275,  // C, I, A: Partial
        (_, "C") => 660,  // Complete
        _ => 0,           // None
    }
}

pub(crate) fn score(body: &str) -> Result<Cvss, CvssError> {
    let metrics = Metrics::parse(CvssVersion::V2, &METRICS, body)?;
    let weight = |index: usize| {
        let def = &METRICS[index];
        weight_milli(def.name, metrics.get(index).unwrap_or_default())
    };
    let (av, ac, au, c, i, a) = (
        weight(0),
        weight(1),
        weight(2),
        weight(3),
        weight(4),
        weight(5),
    );

    // Impact = 10.41 × (1 − (1−C)(1−I)(1−A)), in 10^-11 units (10^-9 × 10^-2).
    let kept = (1000 - c) * (1000 - i) * (1000 - a);
    let impact = 1041 * (1_000_000_000 - kept);
    // Exploitability = 20 × AV × AC × Au, in 10^-9 units.
    let exploitability = 20 * av * ac * au;
    // BaseScore = (0.6 × Impact + 0.4 × Exploitability − 1.5) × f(Impact), in 10^-15 units;
    // f(Impact) is 0 when Impact is 0, else 1.176.
    let base_units = if impact == 0 {
        0
    } else {
        (6 * impact + 4 * exploitability * 100 - 1_500_000_000_000) * 1176
    };
    // Round half up to one decimal (10^14 units per tenth); never below zero.
    let tenths = ((base_units + 50_000_000_000_000) / 100_000_000_000_000).max(0);
    #[allow(clippy::cast_precision_loss)] // tenths <= 100
    let base_score = tenths as f64 / 10.0;
    Ok(Cvss {
        version: CvssVersion::V2,
        vector: metrics.normalised(&METRICS, "", "ND"),
        base_score,
        rating: Rating::of(CvssVersion::V2, base_score),
    })
}
