//! What the database keeps of an OSV record for one package: everything matching and
//! reporting read, nothing else (no `details` text, references capped). The owned types
//! are what the builder assembles and reports carry; matching reads borrowed views of
//! the ranges and version lists ([`AffectedView`]) straight from the mapped file.

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

/// The kind of a range event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// A range event borrowed from the database (or from an owned [`Event`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub kind: EventKind,
    pub version: &'a str,
}

impl EventRef<'_> {
    /// `introduced: "0"` sorts before every version.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.kind == EventKind::Introduced && self.version == "0"
    }

    /// `limit: "*"` sorts after every version.
    #[must_use]
    pub fn is_infinite(&self) -> bool {
        self.kind == EventKind::Limit && self.version.contains('*')
    }
}

/// Owned and borrowed events read alike (sorting and matching take either).
pub trait AsEventRef {
    fn event_ref(&self) -> EventRef<'_>;
}

impl AsEventRef for EventRef<'_> {
    fn event_ref(&self) -> EventRef<'_> {
        *self
    }
}

impl AsEventRef for Event {
    fn event_ref(&self) -> EventRef<'_> {
        let (kind, version) = match self {
            Event::Introduced(v) => (EventKind::Introduced, v),
            Event::Fixed(v) => (EventKind::Fixed, v),
            Event::LastAffected(v) => (EventKind::LastAffected, v),
            Event::Limit(v) => (EventKind::Limit, v),
        };
        EventRef { kind, version }
    }
}

/// What matching reads of one range.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeView<'a> {
    pub kind: RangeKind,
    pub sorted: bool,
    pub events: Vec<EventRef<'a>>,
}

/// What matching reads of one `affected[]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct AffectedView<'a> {
    pub ranges: Vec<RangeView<'a>>,
    pub versions: Vec<&'a str>,
    pub versions_sorted: bool,
}

impl StoredAffected {
    /// The entry as matching reads it.
    #[must_use]
    pub fn view(&self) -> AffectedView<'_> {
        AffectedView {
            ranges: self
                .ranges
                .iter()
                .map(|r| RangeView {
                    kind: r.kind,
                    sorted: r.sorted,
                    events: r.events.iter().map(AsEventRef::event_ref).collect(),
                })
                .collect(),
            versions: self.versions.iter().map(String::as_str).collect(),
            versions_sorted: self.versions_sorted,
        }
    }

    #[must_use]
    pub fn from_osv(affected: &osv::Affected, ecosystem: cdeguard_model::Ecosystem) -> Self {
        let mut stored = Self {
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
            versions: affected.versions.clone(),
            versions_sorted: false,
            severity: scores(&affected.severity),
            stated_severity: osv::stated_severity(affected.ecosystem_specific.as_ref())
                .or_else(|| osv::stated_severity(affected.database_specific.as_ref())),
        };
        stored.drop_versions_inside_ranges(ecosystem);
        stored.versions_sorted =
            crate::range::sort_versions(ecosystem, &mut stored.versions).is_ok();
        stored
    }

    /// A listed version inside the entry's ranges adds nothing to matching: an installed
    /// version equal to it by the ecosystem's order compares with every event as it does,
    /// so the ranges match it already. Most records list exactly their ranges' versions
    /// (hundreds for PyPI), so dropping those keeps lookups small; versions outside every
    /// range, or that do not parse, stay.
    fn drop_versions_inside_ranges(&mut self, ecosystem: cdeguard_model::Ecosystem) {
        use crate::range::{Installed, Verdict, evaluate_installed};
        let ranges_only = AffectedView {
            ranges: self.view().ranges,
            versions: Vec::new(),
            versions_sorted: false,
        };
        let inside: Vec<bool> = self
            .versions
            .iter()
            .map(|v| {
                evaluate_installed(ecosystem, &Installed::new(ecosystem, v), &ranges_only)
                    == Verdict::Affected
            })
            .collect();
        let mut inside = inside.into_iter();
        self.versions.retain(|_| !inside.next().unwrap_or(false));
    }
}

impl StoredAdvisory {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::range::{Verdict, evaluate};
    use cdeguard_model::Ecosystem;

    #[test]
    fn listed_versions_inside_the_ranges_are_dropped_and_still_match() {
        let record: osv::Affected = serde_json::from_str(
            r#"{"package":{"ecosystem":"PyPI","name":"x"},
                "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.2"}]}],
                "versions":["1.0","1.1","1.1.1","0.9","2.0.post1","not a version!"]}"#,
        )
        .unwrap();
        let stored = StoredAffected::from_osv(&record, Ecosystem::PyPI);
        // 0.9, 2.0.post1 and the legacy (non-PEP 440) version, which sorts before every
        // valid one, lie outside the range and stay, sorted.
        assert_eq!(stored.versions, ["not a version!", "0.9", "2.0.post1"]);
        assert!(stored.versions_sorted);
        for (version, verdict) in [
            ("1.0.0", Verdict::Affected),
            ("1.1.1", Verdict::Affected),
            ("0.9", Verdict::Affected),
            ("2.0.post1", Verdict::Affected),
            ("1.2", Verdict::NotAffected),
            ("0.8", Verdict::NotAffected),
            ("not a version!", Verdict::Affected),
        ] {
            assert_eq!(
                evaluate(Ecosystem::PyPI, version, &stored),
                verdict,
                "{version}"
            );
        }
    }
}
