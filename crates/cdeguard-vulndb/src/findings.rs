//! Turns matches into findings: one per vulnerability of a package in an artifact (image,
//! root filesystem, SBOM, lockfile), ranked (PCI DSS 6.3.1), tied to 11.3.1 when high or
//! critical, and to 6.3.3 when its patch deadline has passed.
//!
//! PCI DSS v4.0.1 6.3.3: patches for critical vulnerabilities are installed within one
//! month of release (high ones too when [`Policy::deadline_includes_high`] is set, as
//! many assessors still expect from v3.2.1). OSV records carry no release date of the
//! fixed version, so the clock starts at the advisory's publication: advisories are
//! published with or after the fix in the ecosystems cdeguard reads, so the deadline is
//! never later than the real one.

use cdeguard_model::{Finding, Package, Resource, Severity, Vulnerability};

use crate::matcher::Match;
use crate::severity;

pub const RULE_ID: &str = "CDG-VULN-001";
pub const RULE_TITLE: &str = "Known vulnerability in an installed package";
/// Every requirement a vulnerability finding can carry.
pub const PCI: &[&str] = &["6.3.1", "6.3.3", "11.3.1"];

/// The patch-deadline policy.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Apply the one-month deadline to high vulnerabilities too.
    pub deadline_includes_high: bool,
    /// The scan date.
    pub today: jiff::civil::Date,
}

/// The finding for one match of a package of `artifact` (the image, root filesystem,
/// SBOM or lockfile as named on the command line).
#[must_use]
pub fn finding(m: &Match, package: &Package, artifact: &str, policy: Policy) -> Finding {
    let rank = severity::assess(&m.advisories);
    let published = m
        .advisories
        .iter()
        .filter_map(|a| a.published.as_deref())
        .min()
        .map(str::to_owned);
    let deadline_applies = rank.severity == Severity::Critical
        || (policy.deadline_includes_high && rank.severity == Severity::High);
    let deadline = published
        .as_deref()
        .filter(|_| deadline_applies && !m.fixed_versions.is_empty())
        .and_then(date_of)
        .and_then(|d| d.checked_add(jiff::Span::new().months(1)).ok());
    let overdue = deadline.is_some_and(|d| policy.today > d);
    let mut pci = vec!["6.3.1".to_owned()];
    if rank.severity >= Severity::High {
        pci.push("11.3.1".to_owned());
    }
    if overdue {
        pci.push("6.3.3".to_owned());
    }
    let summary = m
        .advisories
        .iter()
        .find_map(|a| a.summary.clone())
        .unwrap_or_default();
    let fixes = if m.fixed_versions.is_empty() {
        "no fix published".to_owned()
    } else {
        format!("fixed in {}", m.fixed_versions.join(", "))
    };
    let mut message = format!(
        "{} {} is affected by {}{}; {fixes}",
        package.name,
        package.version,
        m.id,
        if summary.is_empty() {
            String::new()
        } else {
            format!(" ({summary})")
        }
    );
    if let Some(deadline) = deadline {
        message.push_str(&format!(
            "; PCI DSS 6.3.3 patch deadline {deadline}{}",
            if overdue { " is overdue" } else { "" }
        ));
    }
    let remediation = if m.fixed_versions.is_empty() {
        "No fixed version is published: mitigate (remove the package, disable the affected feature, compensating controls), then record the risk ranking and an accepted risk with justification (PCI DSS 6.3.1).".to_owned()
    } else {
        format!(
            "Upgrade {} to {} or later and rebuild (PCI DSS 6.3.3: patches for critical vulnerabilities within one month of release).",
            package.name,
            m.fixed_versions.join(" / ")
        )
    };
    let evidence = format!(
        "{}@{} ({}) in {}{}; severity: {}",
        package.name,
        package.version,
        package.ecosystem,
        package.found_in,
        package
            .layer
            .as_deref()
            .map(|l| format!(", layer {l}"))
            .unwrap_or_default(),
        rank.source
    );
    let references = m
        .advisories
        .iter()
        .flat_map(|a| a.references.iter().cloned())
        .fold(Vec::new(), |mut acc: Vec<String>, r| {
            if !acc.contains(&r) {
                acc.push(r);
            }
            acc
        });
    Finding {
        rule_id: RULE_ID.to_owned(),
        title: RULE_TITLE.to_owned(),
        severity: rank.severity,
        pci,
        cis: Vec::new(),
        resource: Resource {
            kind: "Package".to_owned(),
            namespace: None,
            name: format!("{}@{}", package.name, package.version),
            container: None,
            file: artifact.to_owned(),
            line: None,
            layer: None,
        },
        message,
        evidence,
        remediation,
        fingerprint: None,
        vulnerability: Some(Box::new(Vulnerability {
            id: m.id.clone(),
            aliases: m.aliases.clone(),
            advisories: m.advisories.iter().map(|a| a.id.clone()).collect(),
            ecosystem: package.ecosystem,
            package: package.name.clone(),
            installed_version: package.version.clone(),
            purl: package.purl.clone(),
            fixed_versions: m.fixed_versions.clone(),
            score: rank.score,
            vector: rank.vector,
            severity_source: rank.source,
            published,
            patch_deadline: deadline.map(|d| d.to_string()),
            overdue,
            summary,
            references,
            found_in: package.found_in.clone(),
            layer: package.layer.clone(),
        })),
        suppressed: None,
    }
}

/// The date of an RFC 3339 timestamp (or plain date).
fn date_of(text: &str) -> Option<jiff::civil::Date> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .or_else(|_| text.get(..10).unwrap_or(text).parse())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{StoredAdvisory, StoredAffected};
    use cdeguard_model::Ecosystem;

    fn fixture(vector: &str, published: &str, fixed: &[&str]) -> (Match, Package, &'static str) {
        let advisory = StoredAdvisory {
            id: "GHSA-x".into(),
            aliases: vec!["CVE-2024-1".into()],
            upstream: Vec::new(),
            summary: Some("SQL injection".into()),
            published: Some(published.into()),
            modified: None,
            severity: vec![("CVSS_V3".into(), vector.into())],
            stated_severity: None,
            affected: vec![StoredAffected {
                ranges: Vec::new(),
                versions: Vec::new(),
                versions_sorted: false,
                severity: Vec::new(),
                stated_severity: None,
            }],
            references: vec!["https://example.test/advisory".into()],
        };
        let m = Match {
            package: 0,
            advisories: vec![advisory],
            id: "CVE-2024-1".into(),
            aliases: vec!["GHSA-x".into()],
            fixed_versions: fixed.iter().map(|f| (*f).to_owned()).collect(),
        };
        let package = Package {
            ecosystem: Ecosystem::PyPI,
            name: "django".into(),
            version: "3.2.0".into(),
            purl: "pkg:pypi/django@3.2.0".into(),
            distro_release: None,
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            layer: Some("sha256:abc".into()),
            found_in: "app/requirements.txt".into(),
        };
        (m, package, "app/requirements.txt")
    }

    const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";

    fn policy(today: &str, high: bool) -> Policy {
        Policy {
            deadline_includes_high: high,
            today: today.parse().unwrap(),
        }
    }

    #[test]
    fn critical_with_fix_past_one_month_fails_6_3_3() {
        let (m, p, a) = fixture(CRITICAL, "2024-01-31T10:00:00Z", &["3.2.1"]);
        let f = finding(&m, &p, a, policy("2024-03-01", false));
        let v = f.vulnerability.as_deref().unwrap();
        assert_eq!(v.patch_deadline.as_deref(), Some("2024-02-29"));
        assert!(v.overdue);
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.pci, ["6.3.1", "11.3.1", "6.3.3"]);
        let on_time = finding(&m, &p, a, policy("2024-02-29", false));
        assert!(!on_time.vulnerability.unwrap().overdue);
        assert!(!on_time.pci.contains(&"6.3.3".to_owned()));
    }

    #[test]
    fn high_counts_only_when_configured_and_no_fix_means_no_deadline() {
        let (m, p, a) = fixture(HIGH, "2020-01-01T00:00:00Z", &["3.2.1"]);
        assert!(
            finding(&m, &p, a, policy("2024-01-01", false))
                .vulnerability
                .unwrap()
                .patch_deadline
                .is_none()
        );
        assert!(
            finding(&m, &p, a, policy("2024-01-01", true))
                .vulnerability
                .unwrap()
                .overdue
        );
        let (m, p, a) = fixture(CRITICAL, "2020-01-01T00:00:00Z", &[]);
        let f = finding(&m, &p, a, policy("2024-01-01", true));
        assert!(f.vulnerability.as_ref().unwrap().patch_deadline.is_none());
        assert!(f.message.contains("no fix published"), "{}", f.message);
    }
}
