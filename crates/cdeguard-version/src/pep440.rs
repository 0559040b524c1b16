//! PEP 440 version ordering (PyPI), as Python `packaging.version` orders versions:
//! epoch, release (trailing zeros insignificant), pre-release (a < b < rc), post-release,
//! development release, local version; with PEP 440's normalisation of spellings
//! (`alpha` = `a`, `c`/`pre`/`preview` = `rc`, `rev`/`r` = `post`, separators, `v` prefix).

use std::cmp::Ordering;

use crate::VersionError;

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: Num,
    release: Vec<Num>,
    pre: Option<(u8, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Vec<LocalPart>,
}

/// A non-negative integer of any size (`packaging` uses Python integers, so
/// `1.99999999999999999999` is a valid release). Numbers that fit a `u64` (all real
/// ones) are kept as one, so parsing does not allocate; larger ones keep their digits
/// (without leading zeros) and, being larger, sort after every `Small`: declaration order
/// plus (length, digits) order is numeric order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Num {
    Small(u64),
    Big { len: usize, digits: String },
}

impl Default for Num {
    fn default() -> Self {
        Num::Small(0)
    }
}

impl Num {
    fn new(digits: &str) -> Self {
        let digits = digits.trim_start_matches('0');
        match digits.parse::<u64>() {
            Ok(n) => Num::Small(n),
            Err(_) if digits.is_empty() => Num::Small(0),
            Err(_) => Num::Big {
                len: digits.len(),
                digits: digits.to_owned(),
            },
        }
    }

    fn is_zero(&self) -> bool {
        *self == Num::Small(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    // Declared first: a string segment sorts before a numeric one.
    Text(String),
    Number(Num),
}

/// Splits `s` at the first character that is not part of a number.
fn number(s: &str) -> (Option<Num>, &str) {
    let (digits, rest) = crate::decimal::split_digits(s);
    ((!digits.is_empty()).then(|| Num::new(digits)), rest)
}

fn strip_separator(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

/// Parses a version per PEP 440 (case-insensitive, whitespace trimmed).
///
/// # Errors
/// Text that is not a PEP 440 version.
pub fn parse(version: &str) -> Result<Pep440, VersionError> {
    let invalid = |reason| VersionError {
        ecosystem: "PyPI",
        version: version.to_owned(),
        reason,
    };
    let lower = version.trim().to_ascii_lowercase();
    let mut s = lower.strip_prefix('v').unwrap_or(&lower);
    let (public, local_text) = s.split_once('+').map_or((s, None), |(p, l)| (p, Some(l)));
    s = public;
    let mut epoch = Num::default();
    if let Some((e, rest)) = s.split_once('!') {
        if !crate::decimal::is_digits(e) {
            return Err(invalid("bad epoch"));
        }
        epoch = Num::new(e);
        s = rest;
    }
    let mut release = Vec::new();
    loop {
        let (n, rest) = number(s);
        release.push(n.ok_or_else(|| invalid("release segment must be a number"))?);
        s = rest;
        match s.strip_prefix('.') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => s = rest,
            _ => break,
        }
    }
    let mut pre = None;
    let after = strip_separator(s);
    for (spelling, kind) in [
        ("alpha", 0u8),
        ("beta", 1),
        ("preview", 2),
        ("pre", 2),
        ("rc", 2),
        ("a", 0),
        ("b", 1),
        ("c", 2),
    ] {
        if let Some(rest) = after.strip_prefix(spelling) {
            let rest = strip_separator(rest);
            let (n, rest) = number(rest);
            pre = Some((kind, n.unwrap_or_default()));
            s = rest;
            break;
        }
    }
    let mut post = None;
    if let Some(rest) = s
        .strip_prefix('-')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        let (n, rest) = number(rest);
        post = n;
        s = rest;
    } else {
        let after = strip_separator(s);
        for spelling in ["post", "rev", "r"] {
            if let Some(rest) = after.strip_prefix(spelling) {
                let (n, rest) = number(strip_separator(rest));
                post = Some(n.unwrap_or_default());
                s = rest;
                break;
            }
        }
    }
    let mut dev = None;
    if let Some(rest) = strip_separator(s).strip_prefix("dev") {
        let (n, rest) = number(strip_separator(rest));
        dev = Some(n.unwrap_or_default());
        s = rest;
    }
    if !s.is_empty() {
        return Err(invalid("unexpected trailing text"));
    }
    let local = match local_text {
        None => Vec::new(),
        Some(text) => {
            let parts: Vec<LocalPart> = text
                .split(['.', '-', '_'])
                .map(|p| {
                    if crate::decimal::is_digits(p) {
                        LocalPart::Number(Num::new(p))
                    } else {
                        LocalPart::Text(p.into())
                    }
                })
                .collect();
            if parts.iter().any(|p| matches!(p, LocalPart::Text(t) if t.is_empty() || !t.bytes().all(|b| b.is_ascii_alphanumeric()))) {
                return Err(invalid("bad local version"));
            }
            parts
        }
    };
    Ok(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        fn release(r: &[Num]) -> &[Num] {
            let end = r.iter().rposition(|n| !n.is_zero()).map_or(0, |i| i + 1);
            &r[..end]
        }
        // packaging's sort key: a dev release without pre or post sorts before any
        // pre-release of the same release; no pre-release sorts after all of them.
        fn pre_key(v: &Pep440) -> (i8, u8, Option<&Num>) {
            match (&v.pre, &v.post, &v.dev) {
                (None, None, Some(_)) => (-1, 0, None),
                (None, _, _) => (1, 0, None),
                (Some((kind, n)), _, _) => (0, *kind, Some(n)),
            }
        }
        // No post-release sorts first; no dev release sorts last.
        fn post_key(v: &Pep440) -> Option<&Num> {
            v.post.as_ref()
        }
        fn dev_key(v: &Pep440) -> (bool, Option<&Num>) {
            (v.dev.is_none(), v.dev.as_ref())
        }
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| release(&self.release).cmp(release(&other.release)))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| post_key(self).cmp(&post_key(other)))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The sort key `packaging` (before 22.0) gave versions PEP 440 rejects ("legacy"
/// versions, still present in old PyPI releases and OSV data): numbers zero-padded,
/// words prefixed with `*`, `pre`/`preview`/`rc` read as `c`, `dev` as `@`, `-` as
/// `final-`, trailing zeros and `final-` markers dropped before a pre-release word.
fn legacy_key(version: &str) -> Vec<String> {
    let lower = version.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut other = String::new();
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        let class = |c: char| {
            if c.is_ascii_digit() {
                1
            } else if c.is_ascii_lowercase() {
                2
            } else {
                0
            }
        };
        if class(c) == 0 && c != '.' && c != '-' {
            other.push(c);
            continue;
        }
        if !other.is_empty() {
            pieces.push(std::mem::take(&mut other));
        }
        let mut token = c.to_string();
        if class(c) != 0 {
            while let Some(&n) = chars.peek().filter(|n| class(**n) == class(c)) {
                token.push(n);
                chars.next();
            }
        }
        pieces.push(token);
    }
    if !other.is_empty() {
        pieces.push(other);
    }
    let mut parts: Vec<String> = Vec::new();
    for piece in pieces {
        let piece = match piece.as_str() {
            "pre" | "preview" | "rc" => "c".to_owned(),
            "-" => "final-".to_owned(),
            "dev" => "@".to_owned(),
            "." => continue,
            _ => piece,
        };
        let part = if piece.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{piece:0>8}")
        } else {
            format!("*{piece}")
        };
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts.push("*final".to_owned());
    parts
}

/// Compares two PyPI versions. Versions PEP 440 rejects compare as `packaging`'s legacy
/// versions did: before every valid version, and among themselves by [`legacy_key`].
///
/// # Errors
/// Never for now: every string has a legacy order; kept fallible like the other
/// ecosystems.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(match (parse(a), parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Err(_), Ok(_)) => Ordering::Less,
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Err(_)) => legacy_key(a).cmp(&legacy_key(b)),
    })
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn packaging_order() {
        let ordered = [
            "1.0.dev0",
            "1.0a0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(
                compare(pair[0], pair[1]),
                Ok(Less),
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(compare("1.0", "1.0.0"), Ok(Equal));
        assert_eq!(compare("1.0-1", "1.0.post1"), Ok(Equal));
        assert_eq!(compare("1.0alpha1", "1.0a1"), Ok(Equal));
        assert_eq!(compare("v1.0", "1.0"), Ok(Equal));
        assert_eq!(compare("1.0+abc.5", "1.0+abc.10"), Ok(Less));
        assert_eq!(compare("1.0+5", "1.0+abc"), Ok(Greater));
        assert_eq!(
            compare("1.0-foo", "1.0"),
            Ok(Less),
            "legacy versions sort first"
        );
        assert!(super::parse("1.0-foo").is_err());
        assert_eq!(
            compare("1.99999999999999999999", "1.99999999999999999998.post1"),
            Ok(Greater),
            "numbers beyond 64 bits"
        );
        assert_eq!(compare("1!1.0", "18446744073709551616!0.1"), Ok(Less));
    }
}
