//! Alpine (apk) version ordering, as OSV matches Alpine advisories (osv-scalibr's reading
//! of apk-tools' rules): `number{.number}{letter}{_suffix{number}}{~hash}{-rN}`.
//!
//! - Number components compare numerically, except that after the first one a component
//!   with a leading zero compares as a string (`1.05 < 1.5`, apk's Gentoo-style
//!   "fractional" rule). Missing components count as 0.
//! - One optional lower-case letter: no letter < `a` < … < `z`.
//! - Suffixes in the order `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git <
//!   _hg < _p`, each with an optional number; compared pairwise, a missing one counts as
//!   "none" (as in apk-tools; osv-scalibr counts it as `_cvs`, making `1_cvs` = `1`).
//! - `~hash` (commit hash): as apk-tools orders them, a version with a hash sorts after
//!   one without, and two hashes compare as strings (OSV ignores hashes; apk-tools' own
//!   test data orders them, and no OSV vector contradicts that).
//! - `-rN` package release, numerically.
//! - Anything left over makes the version invalid: a valid version sorts after an invalid
//!   one that agrees with it so far, and two invalid versions compare as strings.
//!
//! Why: Alpine advisories (PCI DSS 6.3.3, patching known vulnerabilities) give fixed
//! versions such as `3.0.15-r0`; `3.0.15_rc1-r0` must stay vulnerable.
//! Example: `1.2_rc1 < 1.2 < 1.2-r1 < 1.2_p1 < 1.2a < 1.2.1`.

use std::cmp::Ordering;

use crate::decimal;

/// Suffix names in ascending order; "no suffix" sits between `rc` and `cvs`.
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// The rank of "no suffix" among `SUFFIXES` (just above `rc`).
const NO_SUFFIX_RANK: usize = 4;

#[derive(Debug)]
struct Component<'a> {
    digits: &'a str,
    /// Position among the number components (the first never compares as a string).
    index: usize,
}

#[derive(Debug, Clone, Copy)]
struct Suffix<'a> {
    /// Rank in the suffix order, "no suffix" included (see `NO_SUFFIX_RANK`).
    rank: usize,
    number: &'a str,
}

#[derive(Debug)]
struct AlpineVersion<'a> {
    original: &'a str,
    components: Vec<Component<'a>>,
    letter: Option<u8>,
    suffixes: Vec<Suffix<'a>>,
    hash: Option<&'a str>,
    release: &'a str,
    /// Text no rule consumed (non-empty means the version is invalid).
    remainder: &'a str,
    invalid: bool,
}

/// Finds `_name[digits]` at the start of `s` (names tried in list order, so `_pre`
/// wins over `_p`); returns the suffix and its length.
fn suffix_at(s: &str) -> Option<(Suffix<'_>, usize)> {
    let rest = s.strip_prefix('_')?;
    SUFFIXES.iter().enumerate().find_map(|(i, name)| {
        let after = rest.strip_prefix(name)?;
        let (number, _) = decimal::split_digits(after);
        let rank = if i < NO_SUFFIX_RANK { i } else { i + 1 };
        Some((Suffix { rank, number }, 1 + name.len() + number.len()))
    })
}

fn parse(original: &str) -> AlpineVersion<'_> {
    let mut s = original;
    let mut components = Vec::new();
    // Digit runs, each optionally followed by one dot (a trailing dot is consumed).
    loop {
        let (digits, rest) = decimal::split_digits(s);
        if digits.is_empty() {
            break;
        }
        components.push(Component {
            digits,
            index: components.len(),
        });
        s = rest.strip_prefix('.').unwrap_or(rest);
    }
    let letter = s.bytes().next().filter(u8::is_ascii_lowercase);
    if letter.is_some() {
        s = &s[1..];
    }
    // Every suffix anywhere in the rest counts, but only the leading run is consumed;
    // anything after an unconsumed one leaves the version invalid (as OSV reads it).
    let mut suffixes = Vec::new();
    let mut consumed = 0;
    let mut i = 0;
    while i < s.len() {
        match suffix_at(&s[i..]) {
            Some((suffix, len)) => {
                suffixes.push(suffix);
                if i == consumed {
                    consumed += len;
                }
                i += len;
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    s = &s[consumed..];
    let mut hash = None;
    if let Some(rest) = s.strip_prefix('~') {
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        if len > 0 {
            hash = Some(&rest[..len]);
            s = &rest[len..];
        }
    }
    let mut release = "";
    let mut invalid = false;
    if !s.is_empty() {
        match s.strip_prefix("-r") {
            Some(rest) => {
                let (digits, rest) = decimal::split_digits(rest);
                release = digits;
                s = rest;
            }
            None => invalid = true,
        }
    }
    AlpineVersion {
        original,
        components,
        letter,
        suffixes,
        hash,
        release,
        remainder: s,
        invalid,
    }
}

fn cmp_component(a: &Component<'_>, b: &Component<'_>) -> Ordering {
    let leading_zero = a.digits.starts_with('0') || b.digits.starts_with('0');
    if a.index != 0 && b.index != 0 && leading_zero {
        a.digits.cmp(b.digits)
    } else {
        decimal::cmp(a.digits, b.digits)
    }
}

/// Compares two Alpine versions. Never fails: invalid versions still have an order.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    if a.invalid && b.invalid {
        return a.original.cmp(b.original);
    }
    const ZERO: Component<'static> = Component {
        digits: "0",
        index: 0,
    };
    const NONE: Suffix<'static> = Suffix {
        rank: NO_SUFFIX_RANK,
        number: "",
    };
    let components = (0..a.components.len().max(b.components.len()))
        .map(|i| {
            cmp_component(
                a.components.get(i).unwrap_or(&ZERO),
                b.components.get(i).unwrap_or(&ZERO),
            )
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal);
    let suffixes = || {
        (0..a.suffixes.len().max(b.suffixes.len()))
            .map(|i| {
                let (x, y) = (
                    a.suffixes.get(i).unwrap_or(&NONE),
                    b.suffixes.get(i).unwrap_or(&NONE),
                );
                x.rank
                    .cmp(&y.rank)
                    .then_with(|| decimal::cmp(x.number, y.number))
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    components
        .then_with(|| a.letter.cmp(&b.letter))
        .then_with(suffixes)
        .then_with(|| a.hash.cmp(&b.hash))
        .then_with(|| decimal::cmp(a.release, b.release))
        // A version with nothing left over sorts after one with leftovers.
        .then_with(|| a.remainder.is_empty().cmp(&b.remainder.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn suffix_order() {
        let ascending = [
            "1.2_alpha",
            "1.2_alpha2",
            "1.2_beta",
            "1.2_pre1",
            "1.2_rc1",
            "1.2",
            "1.2-r1",
            "1.2_cvs",
            "1.2_svn",
            "1.2_git1",
            "1.2_hg",
            "1.2_p1",
            "1.2_p2",
            "1.2a",
            "1.2.1",
        ];
        for pair in ascending.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Less, "{} < {}", pair[0], pair[1]);
            assert_eq!(
                compare(pair[1], pair[0]),
                Greater,
                "{} > {}",
                pair[1],
                pair[0]
            );
        }
    }

    #[test]
    fn numbers_leading_zeros_and_releases() {
        assert_eq!(compare("1.10", "1.9"), Greater);
        assert_eq!(
            compare("1.05", "1.5"),
            Less,
            "leading zero compares as a string"
        );
        assert_eq!(compare("01.5", "1.5"), Equal, "not for the first component");
        assert_eq!(compare("1.2-r10", "1.2-r9"), Greater);
        assert_eq!(compare("1.2-r0", "1.2"), Equal);
        assert_eq!(
            compare("1.2~abc123-r1", "1.2~fff-r0"),
            Less,
            "hash before release"
        );
        assert_eq!(
            compare("1.2~abc-r0", "1.2-r5"),
            Greater,
            "a hash sorts after none"
        );
        assert_eq!(
            compare(
                "1.0.0_pre20191002222144123456789",
                "1.0.0_pre20210530193627"
            ),
            Greater
        );
    }

    #[test]
    fn invalid_versions() {
        assert_eq!(compare("1.2", "1.2_blah"), Greater);
        assert_eq!(compare("1.0", "1.0bc"), Less);
        assert_eq!(compare("1-ruff2", "1-ruff1"), Equal);
        assert_eq!(compare("abc", "abd"), Less, "both invalid: string order");
        assert_eq!(compare("1_é_p1", "1_é_p1"), Equal, "non-ASCII text");
    }
}
