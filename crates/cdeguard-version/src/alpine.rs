//! Alpine (apk) version ordering, as apk-tools orders versions:
//! `number{.number}{letter}{_suffix{number}}{~hash}{-rN}`.
//!
//! A version is read as a stream of tokens (first number, further `.number`s, one
//! lower-case letter, `_suffix` and its number, `~hash`, `-rN`), each kind allowed only
//! after the kinds before it; anything else is an invalid token. Two versions compare
//! token by token while both have a token of the same kind:
//! - numbers numerically, except that after the first one a number with a leading zero
//!   compares as a string (`1.05 < 1.5`, the Gentoo "fractional" rule);
//! - letters and hashes as strings; suffixes in the order `_alpha < _beta < _pre < _rc <
//!   (none) < _cvs < _svn < _git < _hg < _p`.
//!
//! When the kinds differ, a pre-release suffix (`_alpha` … `_rc`) sorts first; otherwise
//! the version whose next token comes earlier in the grammar is greater (`1.0 > 1`,
//! `1.0 > 1a > 1_p1 > 1-r1 > 1`).
//!
//! apk stops at the first invalid token and calls the rest equal (`a` = `b`). Such
//! malformed versions never occur in Alpine's repositories but do in scanned data; for a
//! pair with a malformed version this module uses OSV's (osv-scalibr's) lenient reading
//! instead, which orders them (the upstream vectors pin it). That order is not transitive
//! across the two kinds (`is_well_formed` tells them apart).
//!
//! Why: Alpine advisories (PCI DSS 6.3.3, patching known vulnerabilities) give fixed
//! versions such as `3.0.15-r0`; `3.0.15_rc1-r0` must stay vulnerable.
//! Example: `1.2_rc1 < 1.2 < 1.2-r1 < 1.2_p1 < 1.2a < 1.2.1`.

use std::cmp::Ordering;

use crate::decimal;

/// Token kinds in grammar order; the order matters when two versions' kinds differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    FirstNumber,
    Number,
    Letter,
    Suffix,
    SuffixNumber,
    Hash,
    Release,
    End,
    Invalid,
}

/// Suffix names in ascending order; "no suffix" ranks between `rc` and `cvs`.
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
const NO_SUFFIX_RANK: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    /// Rank of a suffix (see `NO_SUFFIX_RANK`).
    suffix: usize,
}

/// Reads the tokens of one version.
struct Tokens<'a> {
    rest: &'a str,
    token: Token<'a>,
}

impl<'a> Tokens<'a> {
    fn new(version: &'a str) -> Self {
        let mut t = Tokens {
            rest: version,
            token: Token {
                kind: Kind::FirstNumber,
                text: "",
                suffix: 0,
            },
        };
        t.digits();
        t
    }

    fn set(&mut self, kind: Kind, len: usize) {
        self.token.kind = kind;
        self.token.text = &self.rest[..len];
        self.rest = &self.rest[len..];
    }

    fn invalid(&mut self) {
        self.token.kind = Kind::Invalid;
    }

    /// A run of digits for the current kind (none at all is invalid).
    fn digits(&mut self) {
        let len = decimal::split_digits(self.rest).0.len();
        if len == 0 {
            self.invalid();
        } else {
            let kind = self.token.kind;
            self.set(kind, len);
        }
    }

    fn advance(&mut self) {
        let kind = self.token.kind;
        let Some(&first) = self.rest.as_bytes().first() else {
            self.token.kind = Kind::End;
            return;
        };
        match first {
            b'a'..=b'z' if kind <= Kind::Number => self.set(Kind::Letter, 1),
            b'.' | b'0'..=b'9' => {
                if first == b'.' {
                    if kind > Kind::Number {
                        return self.invalid();
                    }
                    self.rest = &self.rest[1..];
                }
                self.token.kind = match kind {
                    Kind::FirstNumber | Kind::Number => Kind::Number,
                    Kind::Suffix => Kind::SuffixNumber,
                    _ => return self.invalid(),
                };
                self.digits();
            }
            b'_' if kind <= Kind::SuffixNumber => {
                let name_len = self.rest[1..]
                    .bytes()
                    .take_while(u8::is_ascii_lowercase)
                    .count();
                let name = &self.rest[1..=name_len];
                match SUFFIXES.iter().position(|s| *s == name) {
                    Some(i) => {
                        self.token.suffix = if i < NO_SUFFIX_RANK { i } else { i + 1 };
                        self.rest = &self.rest[1..];
                        self.set(Kind::Suffix, name_len);
                    }
                    None => self.invalid(),
                }
            }
            b'~' if kind < Kind::Hash => {
                let len = self.rest[1..]
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
                    .count();
                if len == 0 {
                    return self.invalid();
                }
                self.rest = &self.rest[1..];
                self.set(Kind::Hash, len);
            }
            b'-' if kind < Kind::Release => match self.rest.strip_prefix("-r") {
                Some(rest) => {
                    self.rest = rest;
                    self.token.kind = Kind::Release;
                    self.digits();
                }
                None => self.invalid(),
            },
            _ => self.invalid(),
        }
    }
}

fn cmp_tokens(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Number if a.text.starts_with('0') || b.text.starts_with('0') => a.text.cmp(b.text),
        Kind::FirstNumber | Kind::Number | Kind::SuffixNumber | Kind::Release => {
            decimal::cmp(a.text, b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.text.cmp(b.text),
    }
}

// --- OSV's lenient reading, for malformed versions ----------------------------------

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

/// OSV's (osv-scalibr's) order, used when either version is malformed: parts are read
/// leniently (every `_suffix` anywhere counts; a leftover makes the version invalid), a
/// valid version sorts after an invalid one that agrees with it so far, and two invalid
/// versions compare as strings.
fn compare_malformed(a: &str, b: &str) -> Ordering {
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

/// Whether `version` follows the apk grammar throughout (apk's own validity check).
#[must_use]
pub fn is_well_formed(version: &str) -> bool {
    let mut t = Tokens::new(version);
    while t.token.kind < Kind::End {
        t.advance();
    }
    t.token.kind == Kind::End
}

/// Compares two Alpine versions. Never fails: malformed versions are ordered as OSV
/// orders them.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    if is_well_formed(a) && is_well_formed(b) {
        compare_well_formed(a, b)
    } else {
        compare_malformed(a, b)
    }
}

/// apk-tools' token-by-token order.
fn compare_well_formed(a: &str, b: &str) -> Ordering {
    let (mut ta, mut tb) = (Tokens::new(a), Tokens::new(b));
    while ta.token.kind == tb.token.kind && ta.token.kind < Kind::End {
        let ordering = cmp_tokens(&ta.token, &tb.token);
        if ordering.is_ne() {
            return ordering;
        }
        ta.advance();
        tb.advance();
    }
    let (x, y) = (ta.token, tb.token);
    let pre_release = |t: Token<'_>| t.kind == Kind::Suffix && t.suffix < NO_SUFFIX_RANK;
    if x.kind == y.kind {
        Ordering::Equal
    } else if pre_release(x) {
        Ordering::Less
    } else if pre_release(y) {
        Ordering::Greater
    } else {
        // The version whose next token is earlier in the grammar is greater.
        y.kind.cmp(&x.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::{compare, is_well_formed};
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
        crate::assert_ascending(compare, &ascending);
    }

    #[test]
    fn numbers_leading_zeros_and_releases() {
        assert_eq!(compare("1.10", "1.9"), Greater);
        assert_eq!(
            compare("1.05", "1.5"),
            Less,
            "leading zero compares as a string"
        );
        assert_eq!(compare("01.5", "1.5"), Equal, "not for the first number");
        assert_eq!(compare("1.0", "1"), Greater, "more numbers sort later");
        assert_eq!(compare("1.2-r10", "1.2-r9"), Greater);
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
        assert_eq!(
            compare("1-ruff2", "1-ruff1"),
            Equal,
            "invalid from the same place"
        );
        assert_eq!(compare("1_é_p1", "1_é_p1"), Equal, "non-ASCII text");
        assert!(is_well_formed("1.2.3a_rc1_p2~ab12-r3"));
        for bad in ["1.2_blah", "1-ruff", "1-r", "a", "1.2ab", "1~", ""] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }
}
