//! RPM version ordering (`rpmvercmp` plus epoch and release), used by Red Hat, Rocky
//! Linux, AlmaLinux and SUSE: `[epoch:]version[-release]`; segments of digits (numeric) or
//! letters (lexical), separators ignored; a digit segment is newer than a letter segment;
//! `~` sorts before everything (pre-releases), `^` after the end but before anything else
//! (snapshots).

use std::cmp::Ordering;

fn split_evr(evr: &str) -> (u64, &str, Option<&str>) {
    let evr = evr.trim();
    let (epoch, rest) = match evr.split_once(':') {
        Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => (e.parse().unwrap_or(0), rest),
        _ => (0, evr),
    };
    let (version, release) = rest
        .rsplit_once('-')
        .map_or((rest, None), |(v, r)| (v, Some(r)));
    (epoch, version, release)
}

/// `rpmvercmp` on one version or release string.
#[must_use]
pub fn vercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let separator = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        while one.first().is_some_and(separator) {
            one = &one[1..];
        }
        while two.first().is_some_and(separator) {
            two = &two[1..];
        }
        match (one.first(), two.first()) {
            (Some(b'~'), Some(b'~')) => {
                one = &one[1..];
                two = &two[1..];
                continue;
            }
            (Some(b'~'), _) => return Ordering::Less,
            (_, Some(b'~')) => return Ordering::Greater,
            (Some(b'^'), Some(b'^')) => {
                one = &one[1..];
                two = &two[1..];
                continue;
            }
            (Some(b'^'), None) => return Ordering::Greater,
            (Some(b'^'), _) => return Ordering::Less,
            (None, Some(b'^')) => return Ordering::Less,
            (_, Some(b'^')) => return Ordering::Greater,
            (None, _) | (_, None) => break,
            _ => {}
        }
        let numeric = one[0].is_ascii_digit();
        let take = |s: &[u8]| -> usize {
            s.iter()
                .take_while(|c| {
                    if numeric {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (n1, n2) = (take(one), take(two));
        let (seg1, seg2) = (&one[..n1], &two[..n2]);
        one = &one[n1..];
        two = &two[n2..];
        if seg2.is_empty() {
            // Segments of different types: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ordering = if numeric {
            let s1 = trim_zeros(seg1);
            let s2 = trim_zeros(seg2);
            s1.len().cmp(&s2.len()).then_with(|| s1.cmp(s2))
        } else {
            seg1.cmp(seg2)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

/// Compares `[epoch:]version[-release]`.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let (e1, v1, r1) = split_evr(a);
    let (e2, v2, r2) = split_evr(b);
    // A release, even an empty one, sorts after no release at all.
    e1.cmp(&e2)
        .then_with(|| vercmp(v1, v2))
        .then_with(|| match (r1, r2) {
            (Some(r1), Some(r2)) => vercmp(r1, r2),
            (r1, r2) => r1.is_some().cmp(&r2.is_some()),
        })
}

#[cfg(test)]
mod tests {
    use super::{compare, vercmp};
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn rpmvercmp_rules() {
        assert_eq!(vercmp("1.0", "1.0"), Equal);
        assert_eq!(vercmp("1.0a", "1.0"), Greater);
        assert_eq!(vercmp("1.0~rc1", "1.0"), Less);
        assert_eq!(vercmp("1.0^git1", "1.0"), Greater);
        assert_eq!(vercmp("1.0^git1", "1.0.1"), Less);
        assert_eq!(vercmp("1.010", "1.9"), Greater);
        assert_eq!(vercmp("a", "1"), Less);
        assert_eq!(compare("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(compare("1.0-1.el9", "1.0-1.el9_2"), Less);
    }
}
