//! NuGet version ordering (SemVer 2 with NuGet's extensions), as OSV reads it: up to four
//! numeric parts (`1.0` = `1.0.0.0`; missing parts count as 0), an optional `-prerelease`
//! compared identifier by identifier case-insensitively (numbers numerically and before
//! words, more identifiers sort later, no pre-release after any pre-release), and `+build`
//! metadata ignored. A leading `v` is accepted; numeric parts beyond the fourth are read
//! as pre-release text, as OSV does.
//!
//! Why: NuGet advisories (PCI DSS 6.3.3) give fixed versions like `13.0.1`;
//! `13.0.1-beta1` must stay vulnerable.
//! Example: `1.0.0-BETA < 1.0.0-beta.1 < 1.0.0 = 1.0.0.0+meta < 1.0.0.1`.

use std::cmp::Ordering;

use crate::decimal;

const MAX_NUMERIC_PARTS: usize = 4;

#[derive(Debug)]
struct NuGetVersion {
    numbers: Vec<String>,
    /// Pre-release text (lower-cased, without `-` and `+metadata`); empty for a release.
    pre: String,
}

fn parse(version: &str) -> NuGetVersion {
    let v = version.strip_prefix('v').unwrap_or(version);
    // Dot-separated digit runs up to the first other character; the rest is the
    // pre-release/build text (its first character included).
    let split = v
        .bytes()
        .position(|b| !b.is_ascii_digit() && b != b'.')
        .unwrap_or(v.len());
    let (numeric, tail) = v.split_at(split);
    let mut numbers: Vec<String> = numeric
        .split('.')
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let mut text = tail.to_owned();
    for extra in numbers.split_off(numbers.len().min(MAX_NUMERIC_PARTS)) {
        text.push('.');
        text.push_str(extra.trim_start_matches('0'));
        if extra.bytes().all(|b| b == b'0') {
            text.push('0');
        }
    }
    let without_build = text.split_once('+').map_or(text.as_str(), |(p, _)| p);
    let pre = without_build
        .strip_prefix('-')
        .unwrap_or(without_build)
        .to_lowercase();
    NuGetVersion { numbers, pre }
}

fn cmp_identifier(a: &str, b: &str) -> Ordering {
    match (decimal::is_digits(a), decimal::is_digits(b)) {
        (true, true) => decimal::cmp(a, b),
        (false, false) => a.cmp(b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

/// Compares two NuGet versions. Never fails: OSV orders every string.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parse(a), parse(b));
    let numbers = (0..a.numbers.len().max(b.numbers.len()))
        .map(|i| {
            decimal::cmp(
                a.numbers.get(i).map_or("0", String::as_str),
                b.numbers.get(i).map_or("0", String::as_str),
            )
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal);
    numbers.then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            let (x, y): (Vec<&str>, Vec<&str>) =
                (a.pre.split('.').collect(), b.pre.split('.').collect());
            x.iter()
                .zip(&y)
                .map(|(p, q)| cmp_identifier(p, q))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| x.len().cmp(&y.len()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::Equal;

    #[test]
    fn nuget_order() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-BETA",
            "1.0.0-beta.1",
            "1.0.0-beta.2",
            "1.0.0-beta.10",
            "1.0.0-beta.x",
            "1.0.0",
            "1.0.0.1-alpha",
            "1.0.0.1",
            "1.0.1",
            "13.0.1",
        ];
        crate::assert_ascending(compare, &ascending);
        assert_eq!(compare("1.0", "1.0.0.0"), Equal);
        assert_eq!(compare("1.0.0+build.5", "1.0.0"), Equal);
        assert_eq!(compare("1.0.0-RC.1", "1.0.0-rc.1"), Equal);
        assert_eq!(compare("v1.2.3", "1.2.3"), Equal);
    }
}
