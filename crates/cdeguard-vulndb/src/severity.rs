//! The rank of a vulnerability (PCI DSS 6.3.1 risk ranking): the best available score,
//! and where it came from. Preference: a CVSS vector of the matched `affected` entry,
//! then of the record (newest CVSS version first, highest base score among advisories of
//! the alias group), then the qualitative severity the database states
//! (`database_specific.severity`, Debian urgency, ...). A vulnerability with neither is
//! ranked medium and says so, so it is never silently dropped below the report's
//! thresholds.

use cdeguard_model::Severity;

use crate::store::StoredAdvisory;

/// The rank and its provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    pub severity: Severity,
    pub score: Option<f64>,
    pub vector: Option<String>,
    pub source: String,
}

/// Ranks one alias group.
#[must_use]
pub fn assess(advisories: &[StoredAdvisory]) -> Assessment {
    best_cvss(advisories)
        .or_else(|| stated(advisories))
        .unwrap_or_else(|| Assessment {
            severity: Severity::Medium,
            score: None,
            vector: None,
            source: "unranked: no CVSS vector or stated severity; ranked medium by default".into(),
        })
}

fn best_cvss(advisories: &[StoredAdvisory]) -> Option<Assessment> {
    let mut best: Option<(u8, f64, Assessment)> = None;
    for advisory in advisories {
        let entry_scores = advisory.affected.iter().flat_map(|a| &a.severity);
        for (kind, vector) in entry_scores.chain(&advisory.severity) {
            if !kind.starts_with("CVSS_") {
                continue;
            }
            let Ok(cvss) = cdeguard_cvss::parse(vector) else {
                continue;
            };
            let rank = match cvss.version {
                cdeguard_cvss::CvssVersion::V4_0 => 4,
                cdeguard_cvss::CvssVersion::V3_1 => 3,
                cdeguard_cvss::CvssVersion::V3_0 => 2,
                cdeguard_cvss::CvssVersion::V2 => 1,
            };
            let better = best
                .as_ref()
                .is_none_or(|(r, s, _)| rank > *r || (rank == *r && cvss.base_score > *s));
            if better {
                let assessment = Assessment {
                    severity: rating_severity(cvss.rating),
                    score: Some(cvss.base_score),
                    vector: Some(cvss.vector.clone()),
                    source: format!(
                        "CVSS {} base score {} ({})",
                        cvss.version, cvss.base_score, advisory.id
                    ),
                };
                best = Some((rank, cvss.base_score, assessment));
            }
        }
    }
    best.map(|(_, _, a)| a)
}

fn rating_severity(rating: cdeguard_cvss::Rating) -> Severity {
    match rating {
        cdeguard_cvss::Rating::Critical => Severity::Critical,
        cdeguard_cvss::Rating::High => Severity::High,
        cdeguard_cvss::Rating::Medium => Severity::Medium,
        cdeguard_cvss::Rating::Low => Severity::Low,
        cdeguard_cvss::Rating::None => Severity::Info,
    }
}

/// Maps the qualitative words databases use (GHSA, PyPA, Debian urgency, Ubuntu
/// priority, Red Hat impact, Alpine) onto cdeguard's scale.
#[must_use]
pub fn stated_severity(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "moderate" | "medium" => Severity::Medium,
        "low" | "unimportant" | "negligible" => Severity::Low,
        _ => return None,
    })
}

fn stated(advisories: &[StoredAdvisory]) -> Option<Assessment> {
    advisories
        .iter()
        .flat_map(|a| {
            let entries = a
                .affected
                .iter()
                .filter_map(|e| e.stated_severity.as_deref());
            entries
                .chain(a.stated_severity.as_deref())
                .filter_map(move |word| Some((stated_severity(word)?, word, &a.id)))
        })
        .max_by_key(|(severity, _, _)| *severity)
        .map(|(severity, word, id)| Assessment {
            severity,
            score: None,
            vector: None,
            source: format!("stated severity {word} ({id})"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredAffected;

    fn advisory(id: &str, severity: &[(&str, &str)], stated: Option<&str>) -> StoredAdvisory {
        StoredAdvisory {
            id: id.into(),
            aliases: Vec::new(),
            upstream: Vec::new(),
            summary: None,
            published: None,
            modified: None,
            severity: severity
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            stated_severity: stated.map(str::to_owned),
            affected: vec![StoredAffected {
                ranges: Vec::new(),
                versions: Vec::new(),
                versions_sorted: false,
                severity: Vec::new(),
                stated_severity: None,
            }],
            references: Vec::new(),
        }
    }

    #[test]
    fn newest_cvss_version_wins_over_stated_words() {
        let group = [
            advisory(
                "PYSEC-1",
                &[("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C")],
                None,
            ),
            advisory(
                "GHSA-1",
                &[("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")],
                Some("LOW"),
            ),
        ];
        let a = assess(&group);
        assert_eq!(a.score, Some(7.5));
        assert_eq!(a.severity, Severity::High);
        assert!(a.source.contains("GHSA-1"), "{}", a.source);
    }

    #[test]
    fn stated_words_then_medium_by_default() {
        let a = assess(&[
            advisory("GHSA-2", &[], Some("MODERATE")),
            advisory("X", &[], Some("HIGH")),
        ]);
        assert_eq!(a.severity, Severity::High);
        let unranked = assess(&[advisory("X", &[], Some("not yet assigned"))]);
        assert_eq!(unranked.severity, Severity::Medium);
        assert!(unranked.source.starts_with("unranked"));
    }
}
