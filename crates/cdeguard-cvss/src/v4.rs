//! CVSS v4.0 score (specification section 8.2 and FIRST's reference calculator): the
//! vector falls into a MacroVector (six equivalence classes EQ1…EQ6), whose expert-ranked
//! score is then lowered by the mean proportional severity distance of the vector from
//! the highest-severity vectors of its MacroVector.
//!
//! The one formula scores every nomenclature: CVSS-B (base metrics only), CVSS-BT (with
//! Exploit Maturity), CVSS-BE (with requirements and modified base metrics) and CVSS-BTE.
//! Not-defined threat and requirement metrics take their worst case (E:A, CR/IR/AR:H);
//! a modified base metric replaces its base metric. Supplemental metrics (S, AU, R, V, RE,
//! U) never change the score. Floating point operations follow the reference
//! implementations in the same order, and the final rounding adds their 10^-6 guard before
//! rounding half up (8.6 − 7.15 = 1.4499999999999993 must round to 1.5).
//!
//! ```
//! // CVE-2020-3549 in the v4.0 examples document: 7.7 as CVSS-B, 5.2 as CVSS-BT.
//! let cvss = cdeguard_cvss::parse("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")?;
//! assert_eq!(cvss.base_score, 5.2);
//! # Ok::<(), cdeguard_cvss::CvssError>(())
//! ```

use crate::metrics::{MetricDef, Metrics, base, optional};
use crate::rounding;
use crate::v4_lookup::{
    EQ1_DEPTH, EQ1_MAXES, EQ2_DEPTH, EQ2_MAXES, EQ3_EQ6_DEPTH, EQ3_EQ6_MAXES, EQ4_DEPTH, EQ4_MAXES,
    macrovector_score,
};
use crate::{Cvss, CvssError, CvssVersion, Rating};

/// The metrics in specification order (section 7 of the v4.0 document).
static METRICS: [MetricDef; 32] = [
    base("AV", &["N", "A", "L", "P"]),
    base("AC", &["L", "H"]),
    base("AT", &["N", "P"]),
    base("PR", &["N", "L", "H"]),
    base("UI", &["N", "P", "A"]),
    base("VC", &["H", "L", "N"]),
    base("VI", &["H", "L", "N"]),
    base("VA", &["H", "L", "N"]),
    base("SC", &["H", "L", "N"]),
    base("SI", &["H", "L", "N"]),
    base("SA", &["H", "L", "N"]),
    optional("E", &["X", "A", "P", "U"]),
    optional("CR", &["X", "H", "M", "L"]),
    optional("IR", &["X", "H", "M", "L"]),
    optional("AR", &["X", "H", "M", "L"]),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MAT", &["X", "N", "P"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "P", "A"]),
    optional("MVC", &["X", "H", "L", "N"]),
    optional("MVI", &["X", "H", "L", "N"]),
    optional("MVA", &["X", "H", "L", "N"]),
    optional("MSC", &["X", "H", "L", "N"]),
    optional("MSI", &["X", "S", "H", "L", "N"]),
    optional("MSA", &["X", "S", "H", "L", "N"]),
    optional("S", &["X", "N", "P"]),
    optional("AU", &["X", "N", "Y"]),
    optional("R", &["X", "A", "U", "I"]),
    optional("V", &["X", "D", "C"]),
    optional("RE", &["X", "L", "M", "H"]),
    optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

/// Index of the first modified base metric (MAV); MAV…MSA follow AV…SA in the same order.
const FIRST_MODIFIED: usize = 15;
const E: usize = 11;
const CR: usize = 12;

/// The metric values the score is computed from: modified base metrics replace base
/// metrics, not-defined E and CR/IR/AR take their worst case.
struct Effective {
    av: &'static str,
    ac: &'static str,
    at: &'static str,
    pr: &'static str,
    ui: &'static str,
    vc: &'static str,
    vi: &'static str,
    va: &'static str,
    sc: &'static str,
    si: &'static str,
    sa: &'static str,
    e: &'static str,
    cr: &'static str,
    ir: &'static str,
    ar: &'static str,
}

impl Effective {
    fn new(metrics: &Metrics) -> Self {
        let defined = |index: usize| metrics.get(index).filter(|value| *value != "X");
        let base = |index: usize| {
            defined(FIRST_MODIFIED + index)
                .or_else(|| metrics.get(index))
                .unwrap_or_default()
        };
        let requirement = |index: usize| defined(index).unwrap_or("H");
        Self {
            av: base(0),
            ac: base(1),
            at: base(2),
            pr: base(3),
            ui: base(4),
            vc: base(5),
            vi: base(6),
            va: base(7),
            sc: base(8),
            si: base(9),
            sa: base(10),
            e: defined(E).unwrap_or("A"),
            cr: requirement(CR),
            ir: requirement(CR + 1),
            ar: requirement(CR + 2),
        }
    }

    /// The MacroVector: the level of each equivalence class EQ1…EQ6 (section 8.2, table 24).
    fn macrovector(&self) -> [u8; 6] {
        let eq1 = if self.av == "N" && self.pr == "N" && self.ui == "N" {
            0
        } else if (self.av == "N" || self.pr == "N" || self.ui == "N") && self.av != "P" {
            1
        } else {
            2
        };
        let eq2 = u8::from(!(self.ac == "L" && self.at == "N"));
        let eq3 = if self.vc == "H" && self.vi == "H" {
            0
        } else if self.vc == "H" || self.vi == "H" || self.va == "H" {
            1
        } else {
            2
        };
        let eq4 = if self.si == "S" || self.sa == "S" {
            0
        } else if self.sc == "H" || self.si == "H" || self.sa == "H" {
            1
        } else {
            2
        };
        let eq5 = match self.e {
            "A" => 0,
            "P" => 1,
            _ => 2, // Unreported
        };
        let eq6 = u8::from(
            !((self.cr == "H" && self.vc == "H")
                || (self.ir == "H" && self.vi == "H")
                || (self.ar == "H" && self.va == "H")),
        );
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }
}

/// The severity level of a metric value, in steps of 0.1 from the most severe value
/// (`cvss_score.js` `*_levels`).
fn level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "L") | ("CR" | "IR" | "AR", "M") => 0.1,
        ("VC" | "VI" | "VA", "N") | ("CR" | "IR" | "AR", "L") => 0.2,
        ("SC" | "SI" | "SA", "H") => 0.1,
        ("SC" | "SI" | "SA", "L") => 0.2,
        ("SC" | "SI" | "SA", "N") => 0.3,
        _ => 0.0, // the most severe value: N for AV/PR/UI, L for AC, N for AT, H, S
    }
}

fn lookup(eqs: [u8; 6]) -> f64 {
    let key: String = eqs.iter().map(|digit| char::from(b'0' + digit)).collect();
    macrovector_score(&key).unwrap_or(f64::NAN)
}

fn with(eqs: [u8; 6], index: usize, increment: u8) -> [u8; 6] {
    let mut next = eqs;
    next[index] += increment;
    next
}

/// Severity distances of the vector from one highest-severity vector, per metric.
struct Distances {
    eq1: [f64; 3],
    eq2: [f64; 2],
    eq3_eq6: [f64; 6],
    eq4: [f64; 3],
}

impl Distances {
    fn between(vector: &Effective, max: ([&str; 3], [&str; 2], [&str; 6], [&str; 3])) -> Self {
        let d = |metric: &str, value: &str, max_value: &str| {
            level(metric, value) - level(metric, max_value)
        };
        let (eq1, eq2, eq3_eq6, eq4) = max;
        Self {
            eq1: [
                d("AV", vector.av, eq1[0]),
                d("PR", vector.pr, eq1[1]),
                d("UI", vector.ui, eq1[2]),
            ],
            eq2: [d("AC", vector.ac, eq2[0]), d("AT", vector.at, eq2[1])],
            eq3_eq6: [
                d("VC", vector.vc, eq3_eq6[0]),
                d("VI", vector.vi, eq3_eq6[1]),
                d("VA", vector.va, eq3_eq6[2]),
                d("CR", vector.cr, eq3_eq6[3]),
                d("IR", vector.ir, eq3_eq6[4]),
                d("AR", vector.ar, eq3_eq6[5]),
            ],
            eq4: [
                d("SC", vector.sc, eq4[0]),
                d("SI", vector.si, eq4[1]),
                d("SA", vector.sa, eq4[2]),
            ],
        }
    }

    fn any_negative(&self) -> bool {
        self.eq1
            .iter()
            .chain(&self.eq2)
            .chain(&self.eq3_eq6)
            .chain(&self.eq4)
            .any(|d| *d < 0.0)
    }
}

/// Left-to-right sum, the order the reference implementations add in.
fn sum(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |total, value| total + value)
}

/// The score before rounding (`cvss_score` of the reference calculator).
fn unrounded(vector: &Effective) -> f64 {
    if [
        vector.vc, vector.vi, vector.va, vector.sc, vector.si, vector.sa,
    ]
    .iter()
    .all(|v| *v == "N")
    {
        return 0.0;
    }
    let eqs = vector.macrovector();
    let [eq1, eq2, eq3, eq4, _, eq6] = eqs.map(usize::from);
    let value = lookup(eqs);

    // Score of the next lower MacroVector of each EQ (NaN where there is none); EQ3 and
    // EQ6 are lowered together, and from 00 along the higher-scoring of the two ways.
    let lower_eq1 = lookup(with(eqs, 0, 1));
    let lower_eq2 = lookup(with(eqs, 1, 1));
    let lower_eq3_eq6 = match (eq3, eq6) {
        (0, 0) => {
            let left = lookup(with(eqs, 5, 1));
            let right = lookup(with(eqs, 2, 1));
            if right > left { right } else { left }
        }
        (1, 0) => lookup(with(eqs, 5, 1)),
        (0 | 1, 1) => lookup(with(eqs, 2, 1)),
        _ => lookup(with(with(eqs, 2, 1), 5, 1)),
    };
    let lower_eq4 = lookup(with(eqs, 3, 1));
    let lower_eq5 = lookup(with(eqs, 4, 1));

    // The first highest-severity vector the vector does not exceed in any metric.
    let mut distances = None;
    'search: for eq1_max in EQ1_MAXES[eq1] {
        for eq2_max in EQ2_MAXES[eq2] {
            for eq3_eq6_max in EQ3_EQ6_MAXES[eq3][eq6] {
                let candidate =
                    Distances::between(vector, (*eq1_max, *eq2_max, *eq3_eq6_max, EQ4_MAXES[eq4]));
                let fits = !candidate.any_negative();
                distances = Some(candidate);
                if fits {
                    break 'search;
                }
            }
        }
    }
    let Some(distances) = distances else {
        return value;
    };

    let step = 0.1;
    let current = [
        sum(&distances.eq1),
        sum(&distances.eq2),
        sum(&distances.eq3_eq6),
        sum(&distances.eq4),
    ];
    let depth = [
        f64::from(EQ1_DEPTH[eq1]) * step,
        f64::from(EQ2_DEPTH[eq2]) * step,
        f64::from(EQ3_EQ6_DEPTH[eq3][eq6]) * step,
        f64::from(EQ4_DEPTH[eq4]) * step,
    ];
    let available = [
        value - lower_eq1,
        value - lower_eq2,
        value - lower_eq3_eq6,
        value - lower_eq4,
    ];
    // A lower MacroVector counts when it exists (not NaN). The `cvss` Python package also
    // requires a non-negative distance, FIRST's calculator does not; no MacroVector of the
    // table scores below any of its next lower ones, so both give the same scores.
    let mut normalized = [0.0; 5];
    let mut existing_lower = 0_u32;
    for eq in 0..4 {
        if available[eq] >= 0.0 {
            existing_lower += 1;
            normalized[eq] = available[eq] * (current[eq] / depth[eq]);
        }
    }
    // EQ5 has no severity distance within a MacroVector: it counts, with distance 0.
    if value - lower_eq5 >= 0.0 {
        existing_lower += 1;
    }
    let mean_distance = if existing_lower == 0 {
        0.0
    } else {
        sum(&normalized) / f64::from(existing_lower)
    };
    (value - mean_distance).clamp(0.0, 10.0)
}

pub(crate) fn score(body: &str) -> Result<Cvss, CvssError> {
    let metrics = Metrics::parse(CvssVersion::V4_0, &METRICS, body)?;
    let effective = Effective::new(&metrics);
    let base_score = rounding::half_up_tenth(unrounded(&effective) + 1e-6);
    Ok(Cvss {
        version: CvssVersion::V4_0,
        vector: metrics.normalised(&METRICS, "CVSS:4.0", "X"),
        base_score,
        rating: Rating::of(CvssVersion::V4_0, base_score),
    })
}
