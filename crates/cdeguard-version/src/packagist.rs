//! Packagist (Composer) version ordering: PHP's `version_compare`, which Composer uses,
//! after dropping one leading `v`/`V` as Composer's normaliser does.
//!
//! The version is canonicalised (`-`, `_`, `+` and other non-alphanumerics but `#` become `.`,
//! runs of separators collapse, and a `.` goes between digits and non-digits), then split
//! at `.`. Parts compare pairwise: numbers numerically; words by their prefix class
//! `anything else < dev < alpha = a < beta = b < RC = rc < number < pl = p`. When one
//! version runs out, a following number makes the longer one greater, and a following word
//! compares against a number (so `1.0-beta < 1.0 < 1.0-p1`).
//! Differences from PHP, kept on purpose (as OSV does): numbers are compared exactly at any
//! length, where PHP saturates them at 2^63-1; and `#`, PHP's internal marker for "a
//! number here", is kept as a part ranking like a number, where PHP turns it into a
//! separator and becomes irreflexive (`1.2.3.#` < `1.2.3.#`). Composer rejects `#`, so
//! no published version has one. Trailing separators are dropped (`1.0-` = `1.0`): PHP
//! reads them as an empty part and then orders such versions inconsistently (`1-` < `1-`),
//! and Composer rejects them; so a version of separators only (`.`) equals the empty one.
//!
//! Why: Composer advisories (PCI DSS 6.3.3) give fixed versions like `5.4.31`;
//! `5.4.31-RC1` must stay vulnerable.
//! Example: `1.0-dev < 1.0-alpha < 1.0-beta2 < 1.0-RC1 < 1.0 < 1.0.0 < 1.0.1 < 1.0-pl1`.

use std::cmp::Ordering;

use crate::decimal;

/// PHP's canonical form (see the module docs). The first byte is copied as is.
fn canonicalize(version: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = version.split_first() else {
        return Vec::new();
    };
    let digit = |b: u8| b.is_ascii_digit();
    let non_digit = |b: u8| !b.is_ascii_digit() && b != b'.';
    let mut out = vec![first];
    let mut previous = first;
    for &b in rest {
        let last_is_dot = out.last() == Some(&b'.');
        if matches!(b, b'-' | b'_' | b'+') {
            if !last_is_dot {
                out.push(b'.');
            }
        } else if (non_digit(previous) && digit(b)) || (digit(previous) && non_digit(b)) {
            if !last_is_dot {
                out.push(b'.');
            }
            out.push(b);
        } else if !b.is_ascii_alphanumeric() && b != b'#' {
            if !last_is_dot {
                out.push(b'.');
            }
        } else {
            out.push(b);
        }
        previous = b;
    }
    out
}

/// PHP's special-form class of a word, by prefix; unknown words rank lowest.
fn special_rank(word: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |(_, rank)| *rank)
}

/// The marker PHP compares words against when a number stands opposite.
const NUMBER: &[u8] = b"#N#";

fn starts_with_digit(part: &[u8]) -> bool {
    part.first().is_some_and(u8::is_ascii_digit)
}

fn cmp_parts(a: &[u8], b: &[u8]) -> Ordering {
    match (starts_with_digit(a), starts_with_digit(b)) {
        (true, true) => {
            let digits = |p: &[u8]| p.iter().take_while(|c| c.is_ascii_digit()).count();
            let (x, y) = (&a[..digits(a)], &b[..digits(b)]);
            // Digit runs are ASCII, hence valid UTF-8.
            decimal::cmp(
                std::str::from_utf8(x).unwrap_or_default(),
                std::str::from_utf8(y).unwrap_or_default(),
            )
        }
        (false, false) => special_rank(a).cmp(&special_rank(b)),
        (true, false) => special_rank(NUMBER).cmp(&special_rank(b)),
        (false, true) => special_rank(a).cmp(&special_rank(NUMBER)),
    }
}

/// PHP's `php_version_compare` on raw bytes.
fn version_compare(a: &[u8], b: &[u8]) -> Ordering {
    let canonical = |v: &[u8]| {
        let mut c = if v.first() == Some(&b'#') {
            v.to_vec()
        } else {
            canonicalize(v)
        };
        // A trailing separator would leave an empty last part, which PHP orders
        // inconsistently (`1-` < `1-`; `1-` < `1.beta` and `1.beta` < `1-`).
        while c.last() == Some(&b'.') {
            c.pop();
        }
        c
    };
    let (a, b) = (canonical(a), canonical(b));
    if a.is_empty() || b.is_empty() {
        return (!a.is_empty()).cmp(&!b.is_empty());
    }
    // Cursor positions and "a dot follows the current part" flags, as PHP walks them.
    let (mut p1, mut p2) = (0, 0);
    let (mut more1, mut more2) = (true, true);
    let mut result = Ordering::Equal;
    while p1 < a.len() && p2 < b.len() && more1 && more2 {
        let end1 = a[p1..].iter().position(|&c| c == b'.').map(|i| p1 + i);
        let end2 = b[p2..].iter().position(|&c| c == b'.').map(|i| p2 + i);
        more1 = end1.is_some();
        more2 = end2.is_some();
        result = cmp_parts(
            &a[p1..end1.unwrap_or(a.len())],
            &b[p2..end2.unwrap_or(b.len())],
        );
        if result.is_ne() {
            break;
        }
        if let Some(e) = end1 {
            p1 = e + 1;
        }
        if let Some(e) = end2 {
            p2 = e + 1;
        }
    }
    if result.is_eq() {
        if more1 {
            result = if starts_with_digit(&a[p1..]) {
                Ordering::Greater
            } else {
                version_compare(&a[p1..], NUMBER)
            };
        } else if more2 {
            result = if starts_with_digit(&b[p2..]) {
                Ordering::Less
            } else {
                version_compare(NUMBER, &b[p2..])
            };
        }
    }
    result
}

fn strip_v(version: &str) -> &str {
    version.strip_prefix(['v', 'V']).unwrap_or(version)
}

/// Compares two Packagist versions. Never fails: PHP orders every string.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    version_compare(strip_v(a).as_bytes(), strip_v(b).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn php_order() {
        let ascending = [
            "1.0-foo",
            "1.0-dev",
            "1.0-alpha",
            "1.0a2",
            "1.0-beta2",
            "1.0-RC1",
            "1.0",
            "1.0.0",
            "1.0.1",
            "1.0-pl1",
        ];
        crate::assert_ascending(compare, &ascending);
        assert_eq!(compare("v1.2.3", "1.2.3"), Equal);
        assert_eq!(compare("1.0rc1", "1.0-RC-1"), Equal);
        assert_eq!(compare("1..0", "1.0"), Equal, "separator runs collapse");
        assert_eq!(compare("", "0"), Less);
        assert_eq!(compare("1.2.3.#", "1.2.3.#"), Equal);
        assert_eq!(compare("1-", "1-"), Equal);
        assert_eq!(compare(".", "."), Equal);
        assert_eq!(compare("1-", "1.beta"), Greater);
        assert_eq!(compare("1.beta", "1-"), Less);
        assert_eq!(
            compare("1.2.3.#", "1.2.3.4"),
            Equal,
            "`#` ranks as a number"
        );
        assert_eq!(
            compare("1.99999999999999999999", "1.99999999999999999998"),
            Greater,
            "exact beyond 64 bits"
        );
    }
}
