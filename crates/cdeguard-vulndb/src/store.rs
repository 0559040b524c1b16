//! What the database keeps of an OSV record for one package: everything matching and
//! reporting read, nothing else (no `details` text, references capped), so a lookup
//! decodes a few hundred bytes per advisory.

use serde::{Deserialize, Serialize};

use crate::osv::{self, Event, RangeKind, Record};

/// Reference URLs kept per advisory (advisory pages and fixes first).
const MAX_REFERENCES: usize = 8;

/// One advisory as stored under a package key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAdvisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// `severity[]` of the record: (type, score) pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<(String, String)>,
    /// `database_specific.severity` of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_severity: Option<String>,
    /// The `affected[]` entries naming this package.
    pub affected: Vec<StoredAffected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAffected {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<StoredRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// `versions` sorted by the ecosystem's order at build time, so matching binary
    /// searches them; false when one does not parse (then they are scanned one by one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub versions_sorted: bool,
    /// `affected[].severity[]`, which overrides the record's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<(String, String)>,
    /// `ecosystem_specific` / `database_specific` severity or urgency of this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_severity: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRange {
    pub kind: RangeKind,
    pub events: Vec<Event>,
    /// Events sorted by version at build time ([`crate::range::sort_events`]); false when
    /// a version does not parse, and matching then reports the range undecidable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sorted: bool,
}

fn scores(list: &[osv::SeverityScore]) -> Vec<(String, String)> {
    list.iter()
        .map(|s| (s.kind.clone(), s.score.clone()))
        .collect()
}

impl StoredAffected {
    #[must_use]
    pub fn from_osv(affected: &osv::Affected, ecosystem: cdeguard_model::Ecosystem) -> Self {
        let mut versions = affected.versions.clone();
        let versions_sorted = crate::range::sort_versions(ecosystem, &mut versions).is_ok();
        Self {
            ranges: affected
                .ranges
                .iter()
                .map(|r| {
                    let mut events = r.events.clone();
                    let sorted = r.kind != RangeKind::Git
                        && crate::range::sort_events(ecosystem, r.kind, &mut events).is_ok();
                    StoredRange {
                        kind: r.kind,
                        events,
                        sorted,
                    }
                })
                .collect(),
            versions,
            versions_sorted,
            severity: scores(&affected.severity),
            stated_severity: osv::stated_severity(affected.ecosystem_specific.as_ref())
                .or_else(|| osv::stated_severity(affected.database_specific.as_ref())),
        }
    }
}

impl StoredAdvisory {
    /// A copy for reports: the `affected` entries keep their severities but drop the
    /// ranges and version lists (often hundreds of versions) that only matching reads.
    #[must_use]
    pub fn for_report(&self) -> Self {
        Self {
            id: self.id.clone(),
            aliases: self.aliases.clone(),
            upstream: self.upstream.clone(),
            summary: self.summary.clone(),
            published: self.published.clone(),
            modified: self.modified.clone(),
            severity: self.severity.clone(),
            stated_severity: self.stated_severity.clone(),
            affected: self
                .affected
                .iter()
                .map(|a| StoredAffected {
                    ranges: Vec::new(),
                    versions: Vec::new(),
                    versions_sorted: false,
                    severity: a.severity.clone(),
                    stated_severity: a.stated_severity.clone(),
                })
                .collect(),
            references: self.references.clone(),
        }
    }

    /// The advisory without its `affected` entries (added per package by the builder).
    #[must_use]
    pub fn header(record: &Record) -> Self {
        let mut references: Vec<&osv::Reference> = record.references.iter().collect();
        // Advisory pages and fixes are what a reader needs first.
        references.sort_by_key(|r| match r.kind.as_str() {
            "ADVISORY" => 0,
            "FIX" => 1,
            "PACKAGE" | "WEB" => 2,
            _ => 3,
        });
        Self {
            id: record.id.clone(),
            aliases: record.aliases.clone(),
            upstream: record.upstream.clone(),
            summary: record.summary.clone().filter(|s| !s.is_empty()),
            published: record.published.clone(),
            modified: record.modified.clone(),
            severity: scores(&record.severity),
            stated_severity: osv::stated_severity(record.database_specific.as_ref()),
            affected: Vec::new(),
            references: references
                .into_iter()
                .take(MAX_REFERENCES)
                .map(|r| r.url.clone())
                .collect(),
        }
    }
}
