//! CVSS v2 base, temporal and environmental scores ("A Complete Guide to the Common
//! Vulnerability Scoring System Version 2.0", section 3.2), in exact integer arithmetic.
//!
//! The v2 weights have at most three decimals, so every equation fits an `i128` of fixed
//! decimal units, and "round to one decimal" rounds the exact value half away from zero
//! instead of a floating point approximation of it (0.6×Impact + 0.4×Exploitability − 1.5
//! lands exactly on .x5 for some vectors). The adjusted base score of the environmental
//! equation can be negative (low requirements); it is rounded as such and only the final
//! score is clamped at 0, as the guide's equations read.

use crate::metrics::{MetricDef, Metrics, base, optional};
use crate::{Cvss, CvssError, CvssVersion, Rating, TemporalEnvironmental};

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
fn weight_milli(metric: &str, value: &str) -> i128 {
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

/// A temporal or environmental weight in hundredths; not defined (`ND` or absent) is the
/// neutral value (1, or 0 for CDP).
fn weight_centi(metric: &str, value: Option<&str>) -> i128 {
    match (metric, value.unwrap_or("ND")) {
        ("E", "U") => 85,
        ("E", "POC") | ("RL", "TF") | ("RC", "UC") => 90,
        ("E", "F") | ("RL", "W") | ("RC", "UR") => 95,
        ("RL", "OF") => 87,
        ("CDP", "L") => 10,
        ("CDP", "LM") => 30,
        ("CDP", "MH") => 40,
        ("CDP", "H") => 50,
        ("CDP", _) | ("TD", "N") => 0,
        ("TD", "L") => 25,
        ("TD", "M") => 75,
        ("CR" | "IR" | "AR", "L") => 50,
        ("CR" | "IR" | "AR", "H") => 151,
        _ => 100, // H, U, C, M and ND of the others
    }
}

/// `value` / `unit` rounded half away from zero: the guide's round_to_1_decimal when
/// `unit` is the size of one tenth.
fn round_half_away(value: i128, unit: i128) -> i128 {
    let magnitude = (value.abs() + unit / 2) / unit;
    if value < 0 { -magnitude } else { magnitude }
}

#[allow(clippy::cast_precision_loss)] // |tenths| <= 100
fn tenths_to_f64(tenths: i128) -> f64 {
    tenths as f64 / 10.0
}

/// BaseScore (or AdjustedBase) in tenths from an impact in 10^-k units (`impact_unit` =
/// 10^k, k >= 9) and the exploitability in 10^-9 units:
/// round((0.6 × Impact + 0.4 × Exploitability − 1.5) × f(Impact)), f = 0 if Impact = 0,
/// else 1.176.
fn base_equation(impact: i128, impact_unit: i128, exploitability: i128) -> i128 {
    if impact == 0 {
        return 0;
    }
    let scale = impact_unit / 1_000_000_000;
    // In 10^-(k+1) units, times 1.176 in thousandths: 10^-(k+4) units.
    let raw = (6 * impact + 4 * exploitability * scale - 15 * impact_unit) * 1176;
    round_half_away(raw, impact_unit * 1000)
}

pub(crate) fn score(body: &str) -> Result<(Cvss, TemporalEnvironmental), CvssError> {
    let metrics = Metrics::parse(CvssVersion::V2, &METRICS, body)?;
    let value = |name: &str| {
        let index = METRICS
            .iter()
            .position(|metric| metric.name == name)
            .unwrap_or_default();
        metrics.get(index)
    };
    let base = |name: &str| weight_milli(name, value(name).unwrap_or_default());
    let centi = |name: &str| weight_centi(name, value(name));
    let defined = |names: &[&str]| {
        names
            .iter()
            .any(|name| value(name).is_some_and(|v| v != "ND"))
    };

    // Impact = 10.41 × (1 − (1−C)(1−I)(1−A)), in 10^-11 units (10^-9 × 10^-2).
    let (c, i, a) = (base("C"), base("I"), base("A"));
    let impact = 1041 * (1_000_000_000 - (1000 - c) * (1000 - i) * (1000 - a));
    // Exploitability = 20 × AV × AC × Au, in 10^-9 units.
    let exploitability = 20 * base("AV") * base("AC") * base("Au");
    let base_tenths = base_equation(impact, 100_000_000_000, exploitability).max(0);
    let base_score = tenths_to_f64(base_tenths);

    // TemporalScore = round(Base × E × RL × RC): tenths × 10^-6.
    let temporal_factor = centi("E") * centi("RL") * centi("RC");
    let temporal = defined(&["E", "RL", "RC"])
        .then(|| tenths_to_f64(round_half_away(base_tenths * temporal_factor, 1_000_000).max(0)));

    // AdjustedImpact = min(10, 10.41 × (1 − (1−C×CR)(1−I×IR)(1−A×AR))), in 10^-17 units.
    let kept =
        (100_000 - c * centi("CR")) * (100_000 - i * centi("IR")) * (100_000 - a * centi("AR"));
    let adjusted_impact = (1041 * (1_000_000_000_000_000 - kept)).min(10 * 100_000_000_000_000_000);
    let adjusted_base = base_equation(adjusted_impact, 100_000_000_000_000_000, exploitability);
    let adjusted_temporal = round_half_away(adjusted_base * temporal_factor, 1_000_000);
    // Environmental = round((AdjustedTemporal + (10 − AdjustedTemporal) × CDP) × TD), in
    // tenths × 10^-2 (CDP) × 10^-2 (TD).
    let environmental_units =
        (adjusted_temporal * 100 + (100 - adjusted_temporal) * centi("CDP")) * centi("TD");
    let environmental = defined(&["CDP", "TD", "CR", "IR", "AR"])
        .then(|| tenths_to_f64(round_half_away(environmental_units, 10_000).max(0)));

    let cvss = Cvss {
        version: CvssVersion::V2,
        vector: metrics.normalised(&METRICS, "", "ND"),
        base_score,
        rating: Rating::of(CvssVersion::V2, base_score),
    };
    Ok((
        cvss,
        TemporalEnvironmental {
            temporal,
            environmental,
        },
    ))
}
