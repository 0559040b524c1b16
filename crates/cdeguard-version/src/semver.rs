//! Semantic Versioning 2.0.0 precedence (npm, crates.io, Go modules): `major.minor.patch`
//! with an optional `-pre.release` (identifiers compared numerically when numeric, else
//! ASCII-wise; numeric before alphanumeric; fewer identifiers first) and `+build` metadata
//! ignored. A leading `v` (Go) is accepted, as are missing minor/patch numbers
//! (`1.2` = `1.2.0`) since OSV data contains them.
//!
//! Go needs no rules of its own: `golang.org/x/mod/semver` is SemVer precedence with a
//! required `v` (OSV's Go events omit it, so both spellings are accepted) and the `v1` =
//! `v1.0.0` shorthand; `+incompatible` is build metadata, hence ignored; a pseudo-version
//! `v0.0.0-20191109021931-daa7c04131f5` is an ordinary pre-release whose fixed-width
//! timestamp orders it ASCII-wise before the release it precedes.

use std::cmp::Ordering;

use crate::VersionError;

/// A parsed version, borrowing from its text (so a version compared with many others is
/// parsed once; see [`SemVer::precedence`]).
#[derive(Debug, PartialEq, Eq)]
pub struct SemVer<'a> {
    /// Numeric components as digit strings (leading zeros stripped), so any size compares
    /// numerically; usually major, minor, patch.
    core: Vec<&'a str>,
    pre: Vec<&'a str>,
}

fn numeric_cmp(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Parses a SemVer version (leniently, as described in the module documentation).
///
/// # Errors
/// A version that is not SemVer.
pub fn parse(version: &str) -> Result<SemVer<'_>, VersionError> {
    let invalid = |reason| VersionError {
        ecosystem: "SemVer",
        version: version.to_owned(),
        reason,
    };
    let v = version.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split_once('+').map_or(v, |(v, _)| v);
    let (core, pre) = match v.split_once('-') {
        Some((core, pre)) => (core, pre.split('.').collect()),
        None => (v, Vec::new()),
    };
    let mut numbers = Vec::new();
    for field in core.split('.') {
        if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("version numbers must be digits"));
        }
        numbers.push(field.trim_start_matches('0'));
    }
    if pre.iter().any(|p: &&str| p.is_empty()) {
        return Err(invalid("empty pre-release identifier"));
    }
    Ok(SemVer { core: numbers, pre })
}

fn identifier_cmp(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => numeric_cmp(a.trim_start_matches('0'), b.trim_start_matches('0')),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Compares two SemVer versions.
///
/// # Errors
/// A version that is not SemVer.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.precedence(&parse(b)?))
}

impl SemVer<'_> {
    /// SemVer precedence: build metadata ignored, so `Equal` is not identity.
    #[must_use]
    pub fn precedence(&self, other: &SemVer<'_>) -> Ordering {
        let (a, b) = (self, other);
        // Missing components count as 0 (`1.2` = `1.2.0`; loose versions may have more).
        let width = a.core.len().max(b.core.len());
        fn component<'a>(v: &SemVer<'a>, i: usize) -> &'a str {
            v.core.get(i).copied().unwrap_or("")
        }
        let core = (0..width)
            .map(|i| numeric_cmp(component(a, i), component(b, i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal);
        core.then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a
                .pre
                .iter()
                .zip(&b.pre)
                .map(|(x, y)| identifier_cmp(x, y))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| a.pre.len().cmp(&b.pre.len())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn precedence() {
        assert_eq!(compare("1.0.0-alpha", "1.0.0-alpha.1"), Ok(Less));
        assert_eq!(compare("1.0.0-beta.11", "1.0.0-rc.1"), Ok(Less));
        assert_eq!(compare("v2.0.0", "1.2.3"), Ok(Greater));
        assert_eq!(compare("1.0.0+build.1", "1.0.0"), Ok(Equal));
        assert_eq!(compare("1.2", "1.2.0"), Ok(Equal));
        assert!(compare("1.x", "1.0").is_err());
    }

    #[test]
    fn go_module_versions() {
        assert_eq!(compare("v2.0.0+incompatible", "2.0.0"), Ok(Equal));
        assert_eq!(
            compare(
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-0123456789ab"
            ),
            Ok(Less)
        );
        assert_eq!(
            compare("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"),
            Ok(Less)
        );
        assert_eq!(
            compare("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"),
            Ok(Greater),
            "a pseudo-version after v1.2.3 sorts above it"
        );
        assert_eq!(compare("v1", "v1.0.0"), Ok(Equal));
    }
}
