//! Version ordering per package ecosystem, as each ecosystem's own tools order versions.
//! Vulnerability matching compares installed versions with OSV range events; one wrong
//! comparison is a missed vulnerability or a false alarm, so every module is checked
//! against upstream test vectors (and, in CI, against the reference implementations).

pub mod alpine;
mod decimal;
pub mod dpkg;
pub mod maven;
pub mod nuget;
pub mod packagist;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

use std::cmp::Ordering;

use cdeguard_model::Ecosystem;

/// A version string the ecosystem's rules cannot parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {ecosystem} version `{version}`: {reason}")]
pub struct VersionError {
    pub ecosystem: &'static str,
    pub version: String,
    pub reason: &'static str,
}

/// Compares two versions of one ecosystem.
///
/// # Errors
/// A version the ecosystem's rules reject: only SemVer (npm, crates.io, Go) has a grammar
/// that rejects versions; the other ecosystems order every string, as their tools or OSV
/// do (PEP 440 falls back to the legacy order).
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    match ecosystem {
        Ecosystem::Debian | Ecosystem::Ubuntu => Ok(dpkg::compare(a, b)),
        Ecosystem::RedHat | Ecosystem::RockyLinux | Ecosystem::AlmaLinux | Ecosystem::Suse => {
            Ok(rpm::compare(a, b))
        }
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go => semver::compare(a, b),
        Ecosystem::PyPI => pep440::compare(a, b),
        Ecosystem::Alpine => Ok(alpine::compare(a, b)),
        Ecosystem::Maven => Ok(maven::compare(a, b)),
        Ecosystem::RubyGems => Ok(rubygems::compare(a, b)),
        Ecosystem::Packagist => Ok(packagist::compare(a, b)),
        Ecosystem::NuGet => Ok(nuget::compare(a, b)),
    }
}

/// Parses a test-vector line `A < B`, `A = B` or `A > B` (blank lines and `#` comments
/// give `None`).
#[must_use]
pub fn parse_relation(line: &str) -> Option<(String, Ordering, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
        return None;
    }
    for (symbol, ordering) in [
        (" < ", Ordering::Less),
        (" = ", Ordering::Equal),
        (" > ", Ordering::Greater),
    ] {
        if let Some((a, b)) = line.split_once(symbol) {
            return Some((a.trim().to_owned(), ordering, b.trim().to_owned()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_parse() {
        assert_eq!(
            parse_relation("1.0 < 2.0"),
            Some(("1.0".into(), Ordering::Less, "2.0".into()))
        );
        assert_eq!(parse_relation("# comment"), None);
        assert_eq!(compare(Ecosystem::Maven, "1", "2"), Ok(Ordering::Less));
        assert!(compare(Ecosystem::Npm, "junk", "2").is_err());
    }
}

/// A line of a relation file whose relation cdeguard computes differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub line: usize,
    pub text: String,
    /// What cdeguard computes (or why it cannot).
    pub computed: Result<Ordering, VersionError>,
}

/// A relation file that cannot be checked: unreadable, or a line that is not `A op B`.
#[derive(Debug, thiserror::Error)]
pub enum RelationFileError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: expected `A < B`, `A = B` or `A > B`")]
    Syntax { path: String, line: usize },
}

/// Checks every `A op B` line of a file; returns the lines cdeguard disagrees with.
///
/// # Errors
/// An unreadable file or a malformed line (with its number).
pub fn check_relations(
    ecosystem: Ecosystem,
    path: &std::path::Path,
) -> Result<Vec<Mismatch>, RelationFileError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RelationFileError::Read {
        path: display.clone(),
        source,
    })?;
    let mut mismatches = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let (a, expected, b) = parse_relation(line).ok_or(RelationFileError::Syntax {
            path: display.clone(),
            line: i + 1,
        })?;
        let computed = compare(ecosystem, &a, &b);
        if computed != Ok(expected) {
            mismatches.push(Mismatch {
                line: i + 1,
                text: trimmed.to_owned(),
                computed,
            });
        }
    }
    Ok(mismatches)
}

/// The relation symbol of an ordering.
#[must_use]
pub fn symbol(ordering: Ordering) -> &'static str {
    match ordering {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

/// Asserts that `compare` orders `versions` strictly ascending, in both directions.
#[cfg(test)]
fn assert_ascending(compare: fn(&str, &str) -> Ordering, versions: &[&str]) {
    for pair in versions.windows(2) {
        assert_eq!(
            compare(pair[0], pair[1]),
            Ordering::Less,
            "{} < {}",
            pair[0],
            pair[1]
        );
        assert_eq!(
            compare(pair[1], pair[0]),
            Ordering::Greater,
            "{} > {}",
            pair[1],
            pair[0]
        );
    }
}
