//! RubyGems version ordering, as `Gem::Version#<=>` orders versions.
//!
//! Surrounding whitespace is ignored and a blank version means `0`. `-` reads as `.pre.`,
//! so `1.0-beta` is `1.0.pre.beta`. The version splits into numeric and alphabetic segments (`rc1` is
//! `rc`, `1`); trailing zeros are dropped from the release part and from the pre-release
//! part. Segments compare pairwise, missing ones counting as 0: numbers numerically,
//! strings byte-wise, and a string (pre-release) sorts before a number.
//!
//! `Gem::Version.new` rejects strings outside its pattern (`1beta`, `1.0_1`); OSV still
//! orders them, and so does this module, by the same segment scan (`1beta` = `1.beta`,
//! other characters separate segments).
//!
//! Why: RubyGems advisories (PCI DSS 6.3.3) list fixed versions like `6.1.7.1`;
//! `6.1.7.1.rc1` must stay vulnerable.
//! Example: `1.0.a < 1.0.b1 < 1.0 = 1.0.0 < 1.0.0.1`.

use std::cmp::Ordering;

use crate::decimal;

#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Number(&'a str),
    Text(&'a str),
}

fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn without_trailing_zeros(mut part: Vec<Segment<'_>>) -> Vec<Segment<'_>> {
    while matches!(part.last(), Some(Segment::Number(d)) if decimal::cmp(d, "0").is_eq()) {
        part.pop();
    }
    part
}

/// The canonical segments: the numeric release and the pre-release part, each without
/// trailing zeros.
fn canonical_segments(version: &str) -> Vec<Segment<'_>> {
    let v = version.trim_matches(is_ruby_space);
    let mut segments = Vec::new();
    // `-` stands for `.pre.`; the scan below reads `pre` as one more text segment.
    let mut rest = v;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let (digits, after) = decimal::split_digits(rest);
            segments.push(Segment::Number(digits));
            rest = after;
        } else if c.is_ascii_alphabetic() {
            let len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            segments.push(Segment::Text(&rest[..len]));
            rest = &rest[len..];
        } else {
            if c == '-' {
                segments.push(Segment::Text("pre"));
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let pre = segments.split_off(split);
    let mut canonical = without_trailing_zeros(segments);
    canonical.extend(without_trailing_zeros(pre));
    canonical
}

/// Compares two RubyGems versions. Never fails (see the module docs on malformed ones).
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (canonical_segments(a), canonical_segments(b));
    const ZERO: Segment<'static> = Segment::Number("0");
    (0..a.len().max(b.len()))
        .map(
            |i| match (a.get(i).unwrap_or(&ZERO), b.get(i).unwrap_or(&ZERO)) {
                (Segment::Number(x), Segment::Number(y)) => decimal::cmp(x, y),
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            },
        )
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Less};

    #[test]
    fn gem_version_order() {
        let ascending = [
            "1.0.a",
            "1.0.a1",
            "1.0.b1",
            "1.0-beta",
            "1.0.rc1",
            "1.0",
            "1.0.0.1",
            "1.1",
            "6.1.7.1.rc1",
            "6.1.7.1",
        ];
        crate::assert_ascending(compare, &ascending);
        assert_eq!(compare("1.0.0", "1"), Equal);
        assert_eq!(
            compare("1.0.a.0", "1.a"),
            Equal,
            "trailing zeros of both parts"
        );
        assert_eq!(compare(" 1.2 ", "1.2"), Equal);
        assert_eq!(compare("", "0"), Equal);
        assert_eq!(compare("1.0-beta", "1.0.pre.beta"), Equal);
    }

    #[test]
    fn malformed_versions_still_order() {
        assert_eq!(compare("1beta", "1"), Less);
        assert_eq!(compare("1beta", "1.beta"), Equal);
        assert_eq!(compare("1.0_1", "1.0.1"), Equal);
        assert_eq!(compare("v1.0", "1.0"), Less, "`v` is a pre-release word");
        assert_eq!(
            compare("1.é2", "1.2"),
            Equal,
            "non-ASCII characters separate"
        );
    }
}
