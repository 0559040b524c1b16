//! Whether a version is affected, by the OSV schema's evaluation algorithm
//! (`IsVulnerable` in the schema's "Evaluation" section): listed in `versions`, or inside
//! a range: before any `limit`, then the events sorted by version switch "vulnerable" on
//! at `introduced` and off at `fixed` (inclusive) or after `last_affected`.
//!
//! Versions compare with the ecosystem's own ordering (`cdeguard-version`) for
//! `ECOSYSTEM` ranges and with SemVer 2.0 for `SEMVER` ranges. `GIT` ranges name
//! commits, which an installed package does not carry: they are reported as not
//! applicable, never guessed.

use std::cmp::Ordering;

use cdeguard_model::Ecosystem;
use cdeguard_version::VersionError;

use crate::osv::RangeKind;
use crate::store::{AffectedView, AsEventRef, EventKind, EventRef, RangeView, StoredAffected};

/// The answer for one (version, affected entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Affected,
    NotAffected,
    /// A version (installed or from the record) the ordering rejects: the record
    /// cannot be evaluated and the caller reports that instead of guessing.
    Undecidable(VersionError),
}

/// An installed version, parsed once for its comparisons with every event and listed
/// version of a package's advisories (re-parsing it per comparison dominated matching
/// profiles).
#[derive(Debug)]
pub struct Installed<'a> {
    text: &'a str,
    pep440: Option<cdeguard_version::pep440::Pep440>,
    semver: Option<cdeguard_version::semver::SemVer<'a>>,
}

impl<'a> Installed<'a> {
    #[must_use]
    pub fn new(ecosystem: Ecosystem, text: &'a str) -> Self {
        let pep440 = (ecosystem == Ecosystem::PyPI)
            .then(|| cdeguard_version::pep440::parse(text).ok())
            .flatten();
        let semver = matches!(
            ecosystem,
            Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go
        )
        .then(|| cdeguard_version::semver::parse(text).ok())
        .flatten();
        Self {
            text,
            pep440,
            semver,
        }
    }

    /// The installed version against `other`, exactly as [`compare`] orders them.
    fn cmp(
        &self,
        ecosystem: Ecosystem,
        kind: RangeKind,
        other: &str,
    ) -> Result<Ordering, VersionError> {
        match (kind, &self.pep440, &self.semver) {
            (RangeKind::Ecosystem, Some(mine), _) => {
                // As `pep440::compare`: a version PEP 440 rejects sorts before every
                // valid one.
                Ok(match cdeguard_version::pep440::parse(other) {
                    Ok(theirs) => mine.cmp(&theirs),
                    Err(_) => Ordering::Greater,
                })
            }
            // The ecosystem's order is SemVer, and SEMVER ranges are SemVer anyway.
            (_, _, Some(mine)) => Ok(mine.precedence(&cdeguard_version::semver::parse(other)?)),
            _ => compare(ecosystem, kind, self.text, other),
        }
    }
}

/// Evaluates one `affected[]` entry for `version`.
#[must_use]
pub fn evaluate(ecosystem: Ecosystem, version: &str, affected: &StoredAffected) -> Verdict {
    evaluate_installed(
        ecosystem,
        &Installed::new(ecosystem, version),
        &affected.view(),
    )
}

/// Evaluates one `affected[]` entry for an installed version parsed once.
#[must_use]
pub fn evaluate_installed(
    ecosystem: Ecosystem,
    installed: &Installed<'_>,
    affected: &AffectedView<'_>,
) -> Verdict {
    let version = installed.text;
    // `versions` lists run to hundreds of entries: stored sorted, they are binary
    // searched by the ecosystem's equality (PEP 440 `1.0 == 1.0.0`).
    let mut undecidable = None;
    // Most lists are empty once their in-range versions are dropped at build: skip the
    // search and its parse of the installed version.
    if affected.versions_sorted && !affected.versions.is_empty() {
        let found = affected.versions.binary_search_by(|listed| {
            installed
                .cmp(ecosystem, RangeKind::Ecosystem, listed)
                .map_or(Ordering::Less, Ordering::reverse)
        });
        match installed.cmp(ecosystem, RangeKind::Ecosystem, version) {
            Err(e) => undecidable = Some(e),
            Ok(_) if found.is_ok() => return Verdict::Affected,
            Ok(_) => {}
        }
    } else if affected.versions.contains(&version) {
        return Verdict::Affected;
    }
    for range in &affected.ranges {
        match in_range(ecosystem, installed, range) {
            Ok(true) => return Verdict::Affected,
            Ok(false) => {}
            Err(e) => {
                undecidable.get_or_insert(e);
            }
        }
    }
    for listed in affected
        .versions
        .iter()
        .filter(|_| !affected.versions_sorted)
    {
        match installed.cmp(ecosystem, RangeKind::Ecosystem, listed) {
            Ok(Ordering::Equal) => return Verdict::Affected,
            Ok(_) => {}
            Err(e) => {
                undecidable.get_or_insert(e);
            }
        }
    }
    undecidable.map_or(Verdict::NotAffected, Verdict::Undecidable)
}

/// The versions that fix the vulnerability in the ranges of an affected entry.
#[must_use]
pub fn fixed_versions(affected: &AffectedView<'_>) -> Vec<String> {
    affected
        .ranges
        .iter()
        .filter(|r| r.kind != RangeKind::Git)
        .flat_map(|r| &r.events)
        .filter(|e| e.kind == EventKind::Fixed)
        .map(|e| e.version.to_owned())
        .collect()
}

fn compare(
    ecosystem: Ecosystem,
    kind: RangeKind,
    a: &str,
    b: &str,
) -> Result<Ordering, VersionError> {
    match kind {
        // SEMVER ranges use SemVer 2.0 whatever the ecosystem (the schema says so).
        RangeKind::Semver => cdeguard_version::compare(Ecosystem::CratesIo, a, b),
        _ => cdeguard_version::compare(ecosystem, a, b),
    }
}

fn in_range(
    ecosystem: Ecosystem,
    installed: &Installed<'_>,
    range: &RangeView<'_>,
) -> Result<bool, VersionError> {
    if range.kind == RangeKind::Git {
        return Ok(false);
    }
    let against = |other: &str| installed.cmp(ecosystem, range.kind, other);
    // BeforeLimits: with no limit events an implicit "*" applies.
    let mut limits = range
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Limit)
        .peekable();
    if limits.peek().is_some() {
        let mut before_any = false;
        for limit in limits {
            if limit.is_infinite() || against(limit.version)? == Ordering::Less {
                before_any = true;
                break;
            }
        }
        if !before_any {
            return Ok(false);
        }
    }
    let mut sorted;
    let events: &[EventRef<'_>] = if range.sorted {
        &range.events
    } else {
        sorted = range.events.clone();
        sort_events(ecosystem, range.kind, &mut sorted)?;
        &sorted
    };
    let mut vulnerable = false;
    for event in events {
        if event.kind == EventKind::Limit {
            continue;
        }
        let position = if event.is_zero() {
            Ordering::Greater
        } else {
            against(event.version)?
        };
        match (event.kind, position) {
            // Every later event is at or above this one, so none applies to `version`.
            (_, Ordering::Less) => break,
            (EventKind::Introduced, _) => vulnerable = true,
            (EventKind::Fixed, _) | (EventKind::LastAffected, Ordering::Greater) => {
                vulnerable = false;
            }
            _ => {}
        }
    }
    Ok(vulnerable)
}

/// Sorts an `affected[].versions` list by the ecosystem's order.
///
/// # Errors
/// A version the ordering rejects (the list is left as it was).
pub fn sort_versions(ecosystem: Ecosystem, versions: &mut [String]) -> Result<(), VersionError> {
    for v in versions.iter() {
        compare(ecosystem, RangeKind::Ecosystem, v, v)?;
    }
    versions
        .sort_by(|a, b| compare(ecosystem, RangeKind::Ecosystem, a, b).unwrap_or(Ordering::Equal));
    Ok(())
}

/// Sorts a range's events by version (`introduced: "0"` first, `limit`s last, ties in
/// record order), as the OSV algorithm evaluates them. The database stores ranges sorted
/// so matching is one pass.
///
/// # Errors
/// An event version the ordering rejects (the events are left as they were).
pub fn sort_events<E: AsEventRef>(
    ecosystem: Ecosystem,
    kind: RangeKind,
    events: &mut [E],
) -> Result<(), VersionError> {
    let cmp = |a: &str, b: &str| compare(ecosystem, kind, a, b);
    // Validate every version first so the sort never sees an error.
    for event in events.iter().map(AsEventRef::event_ref) {
        if !event.is_zero() && !event.is_infinite() {
            cmp(event.version, event.version)?;
        }
    }
    let rank = |e: EventRef<'_>| match e.kind {
        _ if e.is_zero() => 0,
        EventKind::Limit => 2,
        _ => 1,
    };
    events.sort_by(|a, b| {
        let (a, b) = (a.event_ref(), b.event_ref());
        rank(a).cmp(&rank(b)).then_with(|| {
            if rank(a) == 1 {
                cmp(a.version, b.version).unwrap_or(Ordering::Equal)
            } else {
                Ordering::Equal
            }
        })
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::Event;
    use crate::store::StoredRange;

    fn affected(kind: RangeKind, events: &[Event], versions: &[&str]) -> StoredAffected {
        StoredAffected {
            ranges: vec![StoredRange {
                kind,
                events: events.to_vec(),
                sorted: false,
            }],
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
            versions_sorted: false,
            severity: Vec::new(),
            stated_severity: None,
        }
    }

    fn intro(v: &str) -> Event {
        Event::Introduced(v.into())
    }
    fn fixed(v: &str) -> Event {
        Event::Fixed(v.into())
    }

    #[test]
    fn unsorted_events_with_several_introduced_fixed_pairs() {
        // PYSEC-2019-13 lists its pairs out of order.
        let a = affected(
            RangeKind::Ecosystem,
            &[
                intro("2.1"),
                fixed("2.1.11"),
                intro("1.11"),
                fixed("1.11.23"),
                intro("2.2"),
                fixed("2.2.4"),
            ],
            &[],
        );
        let eval = |v| evaluate(Ecosystem::PyPI, v, &a);
        assert_eq!(eval("1.10"), Verdict::NotAffected);
        assert_eq!(eval("1.11.22"), Verdict::Affected);
        assert_eq!(eval("1.11.23"), Verdict::NotAffected);
        assert_eq!(eval("2.0"), Verdict::NotAffected);
        assert_eq!(eval("2.1.10"), Verdict::Affected);
        assert_eq!(eval("2.2.3"), Verdict::Affected);
        assert_eq!(eval("2.2.4"), Verdict::NotAffected);
        assert_eq!(eval("3.0"), Verdict::NotAffected);
    }

    #[test]
    fn presorted_ranges_answer_like_unsorted_ones() {
        let events = [
            intro("2.1"),
            fixed("2.1.11"),
            Event::Limit("3.0".into()),
            intro("1.11"),
            fixed("1.11.23"),
            intro("0"),
            Event::LastAffected("0.5".into()),
        ];
        let unsorted = affected(RangeKind::Ecosystem, &events, &[]);
        let mut presorted = unsorted.clone();
        sort_events(
            Ecosystem::PyPI,
            RangeKind::Ecosystem,
            &mut presorted.ranges[0].events,
        )
        .unwrap();
        presorted.ranges[0].sorted = true;
        assert_eq!(presorted.ranges[0].events[0], intro("0"));
        assert!(matches!(
            presorted.ranges[0].events.last(),
            Some(Event::Limit(_))
        ));
        for v in [
            "0.1", "0.5", "0.6", "1.11", "1.11.23", "2.0", "2.1", "2.1.10", "2.1.11", "2.9", "3.0",
            "4",
        ] {
            assert_eq!(
                evaluate(Ecosystem::PyPI, v, &presorted),
                evaluate(Ecosystem::PyPI, v, &unsorted),
                "{v}"
            );
        }
        assert_eq!(
            evaluate(Ecosystem::PyPI, "0.5", &presorted),
            Verdict::Affected
        );
        assert_eq!(
            evaluate(Ecosystem::PyPI, "2.1.10", &presorted),
            Verdict::Affected
        );
        assert_eq!(
            evaluate(Ecosystem::PyPI, "3.0", &presorted),
            Verdict::NotAffected
        );
    }

    #[test]
    fn last_affected_is_inclusive_and_zero_is_the_bottom() {
        let a = affected(
            RangeKind::Ecosystem,
            &[intro("0"), Event::LastAffected("1.4.2".into())],
            &[],
        );
        assert_eq!(evaluate(Ecosystem::PyPI, "0.0.1", &a), Verdict::Affected);
        assert_eq!(evaluate(Ecosystem::PyPI, "1.4.2", &a), Verdict::Affected);
        assert_eq!(
            evaluate(Ecosystem::PyPI, "1.4.2.post1", &a),
            Verdict::NotAffected
        );
    }

    #[test]
    fn limits_bound_the_range() {
        let a = affected(
            RangeKind::Semver,
            &[intro("0"), Event::Limit("2.0.0".into())],
            &[],
        );
        assert_eq!(evaluate(Ecosystem::Npm, "1.9.9", &a), Verdict::Affected);
        assert_eq!(evaluate(Ecosystem::Npm, "2.0.0", &a), Verdict::NotAffected);
        let star = affected(
            RangeKind::Semver,
            &[intro("1.0.0"), Event::Limit("*".into())],
            &[],
        );
        assert_eq!(evaluate(Ecosystem::Npm, "9.0.0", &star), Verdict::Affected);
    }

    #[test]
    fn versions_list_matches_by_ecosystem_equality() {
        let a = affected(
            RangeKind::Ecosystem,
            &[],
            &["2.0.post1", "1.0", "1.5rc1", "0.9"],
        );
        let mut sorted = a.clone();
        sort_versions(Ecosystem::PyPI, &mut sorted.versions).unwrap();
        sorted.versions_sorted = true;
        assert_eq!(sorted.versions, ["0.9", "1.0", "1.5rc1", "2.0.post1"]);
        for list in [&a, &sorted] {
            // PEP 440: 1.0 == 1.0.0.
            assert_eq!(evaluate(Ecosystem::PyPI, "1.0.0", list), Verdict::Affected);
            assert_eq!(
                evaluate(Ecosystem::PyPI, "1.5.0rc1", list),
                Verdict::Affected
            );
            assert_eq!(evaluate(Ecosystem::PyPI, "2.0", list), Verdict::NotAffected);
            assert_eq!(evaluate(Ecosystem::PyPI, "0.1", list), Verdict::NotAffected);
        }
    }

    #[test]
    fn git_ranges_never_match_and_bad_versions_are_undecidable() {
        let git = affected(RangeKind::Git, &[intro("0"), fixed("abc123")], &[]);
        assert_eq!(evaluate(Ecosystem::Go, "1.0.0", &git), Verdict::NotAffected);
        let semver = affected(RangeKind::Semver, &[intro("0"), fixed("1.2.3")], &[]);
        assert!(matches!(
            evaluate(Ecosystem::Npm, "not a version", &semver),
            Verdict::Undecidable(_)
        ));
    }

    #[test]
    fn debian_epochs_and_tildes() {
        let a = affected(
            RangeKind::Ecosystem,
            &[intro("0"), fixed("1:2.3-1~deb12u1")],
            &[],
        );
        assert_eq!(evaluate(Ecosystem::Debian, "2.9-1", &a), Verdict::Affected);
        assert_eq!(
            evaluate(Ecosystem::Debian, "1:2.3-1~deb12u0", &a),
            Verdict::Affected
        );
        assert_eq!(
            evaluate(Ecosystem::Debian, "1:2.3-1", &a),
            Verdict::NotAffected
        );
    }
}
