//! CVSS vectors (v2, v3.0, v3.1, v4.0): parsing and scoring exactly as the FIRST
//! specifications define them.
//!
//! Vulnerability matching (PCI DSS v4.0.1 req. 6.3.1: rank vulnerabilities by risk; 11.3.1:
//! resolve high-risk and critical ones) needs one severity per advisory. Advisories carry
//! CVSS vectors more reliably than scores, and the scores they do carry are sometimes
//! stale or computed with the wrong rounding, so the score is recomputed from the vector.
//!
//! ```
//! let cvss = cdeguard_cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")?;
//! assert_eq!(cvss.base_score, 9.8);
//! assert_eq!(cvss.rating, cdeguard_cvss::Rating::Critical);
//! # Ok::<(), cdeguard_cvss::CvssError>(())
//! ```
//!
//! `base_score` is the spec's headline score: the v2 and v3 base score (temporal and
//! environmental metrics are accepted, kept in the normalised vector, and scored by
//! [`parse_with_temporal_environmental`]), and for v4.0 the single CVSS-B / CVSS-BT /
//! CVSS-BE / CVSS-BTE score, which includes the threat and environmental metrics present
//! in the vector.

mod metrics;
mod rounding;
mod v2;
mod v3;
mod v4;
mod v4_lookup;

use std::fmt;

/// The CVSS version a vector is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CvssVersion {
    V2,
    V3_0,
    V3_1,
    V4_0,
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V2 => "2.0",
            Self::V3_0 => "3.0",
            Self::V3_1 => "3.1",
            Self::V4_0 => "4.0",
        })
    }
}

/// The qualitative severity rating scale (v3.x and v4.0 specifications; for v2 the NVD
/// scale Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0, which has no None or Critical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Critical => "Critical",
        })
    }
}

impl Rating {
    /// The rating of a score under `version`'s scale.
    #[must_use]
    pub fn of(version: CvssVersion, score: f64) -> Self {
        match version {
            CvssVersion::V2 if score < 4.0 => Self::Low,
            CvssVersion::V2 if score < 7.0 => Self::Medium,
            CvssVersion::V2 => Self::High,
            _ if score == 0.0 => Self::None,
            _ if score < 4.0 => Self::Low,
            _ if score < 7.0 => Self::Medium,
            _ if score < 9.0 => Self::High,
            _ => Self::Critical,
        }
    }
}

/// A parsed and scored CVSS vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Cvss {
    pub version: CvssVersion,
    /// The vector with its version prefix (none for v2, as NVD writes v2 vectors), metrics
    /// in specification order, "Not Defined" (`X`/`ND`) metrics left out.
    pub vector: String,
    /// The score rounded to one decimal as the version's specification rounds.
    pub base_score: f64,
    pub rating: Rating,
}

/// The temporal and environmental scores of a v2 or v3.x vector, each `None` when the
/// vector defines none of that group's metrics (as NVD leaves them blank; note that a
/// v3.1 environmental score computed from base values alone can differ from the base
/// score by 0.1, because v3.1 changed the modified impact equation only). CVSS v4.0 has no
/// separate scores: its one score ([`Cvss::base_score`]) already includes the threat and
/// environmental metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TemporalEnvironmental {
    pub temporal: Option<f64>,
    pub environmental: Option<f64>,
}

/// Why a vector was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("empty CVSS vector")]
    Empty,
    #[error("unsupported CVSS prefix `{0}` (expected CVSS:2.0, CVSS:3.0, CVSS:3.1 or CVSS:4.0)")]
    UnsupportedVersion(String),
    #[error("malformed CVSS field `{field}` (expected METRIC:VALUE)")]
    MalformedField { field: String },
    #[error("unknown CVSS v{version} metric `{metric}`")]
    UnknownMetric {
        version: CvssVersion,
        metric: String,
    },
    #[error("unknown value `{value}` for CVSS v{version} metric `{metric}`")]
    UnknownValue {
        version: CvssVersion,
        metric: String,
        value: String,
    },
    #[error("CVSS v{version} metric `{metric}` appears twice")]
    DuplicateMetric {
        version: CvssVersion,
        metric: String,
    },
    #[error("CVSS v{version} vector lacks the mandatory metric `{metric}`")]
    MissingMetric {
        version: CvssVersion,
        metric: &'static str,
    },
}

/// Parses and scores a CVSS vector: `CVSS:3.1/AV:N/…`, `CVSS:3.0/…`, `CVSS:4.0/…`, or a
/// v2 vector `AV:N/AC:L/Au:N/C:P/I:P/A:P` (optionally in parentheses, as older NVD feeds
/// write it, or after a `CVSS:2.0/` or `CVSS2#` prefix).
///
/// # Errors
/// An unknown prefix, a field that is not `METRIC:VALUE`, an unknown metric or value, a
/// metric given twice, or a mandatory metric missing.
pub fn parse(vector: &str) -> Result<Cvss, CvssError> {
    parse_all(vector).map(|(cvss, _)| cvss)
}

/// Parses a vector like [`parse`] and also computes its temporal and environmental scores
/// (v2 guide section 3.2.2–3.2.3, v3.x specification sections 7.2–7.3); `None` for v4.0.
///
/// ```
/// let (cvss, scores) = cdeguard_cvss::parse_with_temporal_environmental(
///     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:F/RL:O/RC:R",
/// )?;
/// assert_eq!(cvss.base_score, 9.8);
/// assert_eq!(scores.and_then(|scores| scores.temporal), Some(8.7));
/// # Ok::<(), cdeguard_cvss::CvssError>(())
/// ```
///
/// # Errors
/// As [`parse`].
pub fn parse_with_temporal_environmental(
    vector: &str,
) -> Result<(Cvss, Option<TemporalEnvironmental>), CvssError> {
    parse_all(vector)
}

fn parse_all(vector: &str) -> Result<(Cvss, Option<TemporalEnvironmental>), CvssError> {
    let trimmed = vector.trim();
    let trimmed = trimmed
        .strip_prefix('(')
        .and_then(|inner| inner.strip_suffix(')'))
        .unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(CvssError::Empty);
    }
    if let Some(body) = trimmed.strip_prefix("CVSS2#") {
        return v2::score(body).map(with_scores);
    }
    let Some(rest) = trimmed.strip_prefix("CVSS:") else {
        return v2::score(trimmed).map(with_scores);
    };
    let (prefix_version, body) = rest.split_once('/').unwrap_or((rest, ""));
    match prefix_version {
        "2.0" => v2::score(body).map(with_scores),
        "3.0" => v3::score(CvssVersion::V3_0, body).map(with_scores),
        "3.1" => v3::score(CvssVersion::V3_1, body).map(with_scores),
        "4.0" => v4::score(body).map(|cvss| (cvss, None)),
        _ => Err(CvssError::UnsupportedVersion(format!(
            "CVSS:{prefix_version}"
        ))),
    }
}

fn with_scores(
    (cvss, scores): (Cvss, TemporalEnvironmental),
) -> (Cvss, Option<TemporalEnvironmental>) {
    (cvss, Some(scores))
}
