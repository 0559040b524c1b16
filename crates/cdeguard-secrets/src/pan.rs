//! Cardholder data: primary account numbers (13–19 digits, optionally grouped by spaces or
//! dashes, Luhn-valid, with an issuer prefix of a known network) and magnetic-stripe track
//! data. A PAN next to a CVV or expiry field is sensitive authentication data territory
//! (PCI DSS 3.3.1). The networks' and gateways' published test numbers are reported as
//! test data. Digits never leave this module unmasked.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// A card network, identified by issuer identification number (IIN) prefix and length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    UnionPay,
    Maestro,
    Mir,
}

impl Brand {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::Amex => "American Express",
            Brand::Discover => "Discover",
            Brand::Jcb => "JCB",
            Brand::DinersClub => "Diners Club",
            Brand::UnionPay => "UnionPay",
            Brand::Maestro => "Maestro",
            Brand::Mir => "Mir",
        }
    }
}

/// (brand, prefix range low..=high over the first `digits` digits, allowed lengths).
struct Iin {
    brand: Brand,
    digits: usize,
    low: u32,
    high: u32,
    lengths: std::ops::RangeInclusive<usize>,
}

const fn iin(
    brand: Brand,
    digits: usize,
    low: u32,
    high: u32,
    lengths: std::ops::RangeInclusive<usize>,
) -> Iin {
    Iin {
        brand,
        digits,
        low,
        high,
        lengths,
    }
}

/// IIN table of the major networks (public ranges). More specific ranges first.
const IINS: &[Iin] = &[
    iin(Brand::Amex, 2, 34, 34, 15..=15),
    iin(Brand::Amex, 2, 37, 37, 15..=15),
    iin(Brand::Mastercard, 2, 51, 55, 16..=16),
    iin(Brand::Mastercard, 4, 2221, 2720, 16..=16),
    iin(Brand::Mir, 4, 2200, 2204, 16..=19),
    iin(Brand::Discover, 4, 6011, 6011, 16..=19),
    iin(Brand::Discover, 3, 644, 649, 16..=19),
    iin(Brand::Discover, 2, 65, 65, 16..=19),
    iin(Brand::Discover, 6, 622_126, 622_925, 16..=19),
    iin(Brand::UnionPay, 2, 62, 62, 16..=19),
    iin(Brand::UnionPay, 2, 81, 81, 16..=19),
    iin(Brand::Jcb, 4, 3528, 3589, 16..=19),
    iin(Brand::DinersClub, 3, 300, 305, 14..=19),
    iin(Brand::DinersClub, 2, 36, 36, 14..=19),
    iin(Brand::DinersClub, 2, 38, 39, 14..=19),
    iin(Brand::Maestro, 2, 50, 50, 13..=19),
    iin(Brand::Maestro, 2, 56, 58, 13..=19),
    iin(Brand::Maestro, 4, 6304, 6304, 13..=19),
    iin(Brand::Maestro, 4, 6759, 6759, 13..=19),
    iin(Brand::Maestro, 4, 6761, 6763, 13..=19),
    iin(Brand::Visa, 1, 4, 4, 13..=19),
];

/// The brand of a PAN, if its prefix and length match a known network.
#[must_use]
pub fn brand(digits: &str) -> Option<Brand> {
    IINS.iter().find_map(|entry| {
        let prefix: u32 = digits.get(..entry.digits)?.parse().ok()?;
        (entry.low <= prefix && prefix <= entry.high && entry.lengths.contains(&digits.len()))
            .then_some(entry.brand)
    })
}

/// The Luhn (mod 10) check.
#[must_use]
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

static TEST_PANS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/test-pans.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether a PAN is a published test number.
#[must_use]
pub fn is_test_pan(digits: &str) -> bool {
    TEST_PANS.contains(digits)
}

static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9A-Za-z_.+-])(\d(?:[ -]?\d){12,18})(?:$|[^0-9A-Za-z_+-]|[.-][^0-9])")
        .expect("valid")
});
static TRACK1: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"%?B(\d{13,19})\^[A-Za-z /.'-]{2,26}\^\d{4}\d{3}").expect("valid")
});
static TRACK2: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r";(\d{13,19})=\d{4}\d{3}\d*\??").expect("valid"));
static CVV_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:cvv2?|cvc2?|cid|csc|card[ _-]?verification|security[ _-]?code)\b")
        .expect("valid")
});
static EXPIRY_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:exp(?:iry|iration)?(?:[ _-]?date)?|valid[ _-]?thru)\b|\b(?:0[1-9]|1[0-2])\s?/\s?(?:20)?\d{2}\b").expect("valid")
});

/// How far around a PAN to look for CVV / expiry context.
const CONTEXT_BYTES: usize = 64;

/// Which kind of cardholder data was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardDataKind {
    Pan,
    Track1,
    Track2,
}

/// One PAN or track found. `digits` stays inside the crate.
#[derive(Clone, Debug)]
pub(crate) struct PanMatch {
    pub kind: CardDataKind,
    pub start: usize,
    pub end: usize,
    pub digits: String,
    pub brand: Brand,
    pub test: bool,
    pub near_cvv: bool,
    pub near_expiry: bool,
}

fn context(haystack: &[u8], start: usize, end: usize) -> &[u8] {
    &haystack[start.saturating_sub(CONTEXT_BYTES)..(end + CONTEXT_BYTES).min(haystack.len())]
}

/// Separators must be one kind (spaces or dashes) and split the number in groups of
/// 3 to 6 digits, as printed cards and forms do; otherwise it is some other number.
fn plausible_grouping(raw: &[u8]) -> bool {
    let separators: HashSet<u8> = raw
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_digit())
        .collect();
    if separators.is_empty() {
        return true;
    }
    if separators.len() > 1 {
        return false;
    }
    let sep = *separators.iter().next().expect("one separator");
    raw.split(|b| *b == sep).all(|g| (3..=6).contains(&g.len()))
}

fn make(
    kind: CardDataKind,
    haystack: &[u8],
    start: usize,
    end: usize,
    digits: String,
) -> Option<PanMatch> {
    if !luhn_valid(&digits) {
        return None;
    }
    let brand = brand(&digits)?;
    let around = context(haystack, start, end);
    Some(PanMatch {
        kind,
        start,
        end,
        test: is_test_pan(&digits),
        near_cvv: CVV_CONTEXT.is_match(around),
        near_expiry: kind != CardDataKind::Pan || EXPIRY_CONTEXT.is_match(around),
        digits,
        brand,
    })
}

static CARD_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)card|\bpan\b|cc_?num|credit|debit|visa|master|amex|track|account")
        .expect("valid")
});

/// In binary content (strings pulled from executables and databases), a digit run only
/// counts when it stands alone (a database field) or card context is near: executables
/// are full of long Luhn-valid numbers by chance.
fn plausible_in_binary(haystack: &[u8], start: usize, end: usize) -> bool {
    let line_start = haystack[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = haystack[end..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(haystack.len(), |i| end + i);
    let alone = haystack[line_start..start]
        .iter()
        .chain(&haystack[end..line_end])
        .all(|b| !b.is_ascii_alphanumeric());
    alone || CARD_CONTEXT.is_match(context(haystack, start, end))
}

/// Finds PANs and track data in text (`binary`: strings extracted from binary content).
pub(crate) fn find(haystack: &[u8], binary: bool) -> Vec<PanMatch> {
    // Cheap exit: no run of 13 digits-or-separators, no card number.
    if !has_digit_run(haystack, 13) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (re, kind) in [
        (&*TRACK1, CardDataKind::Track1),
        (&*TRACK2, CardDataKind::Track2),
    ] {
        for caps in re.captures_iter(haystack) {
            let whole = caps.get(0).expect("group 0");
            let digits =
                String::from_utf8_lossy(caps.get(1).expect("group 1").as_bytes()).into_owned();
            out.extend(make(kind, haystack, whole.start(), whole.end(), digits));
        }
    }
    for caps in CANDIDATE.captures_iter(haystack) {
        let m = caps.get(1).expect("group 1");
        if out
            .iter()
            .any(|t: &PanMatch| t.start <= m.start() && m.end() <= t.end)
            || !plausible_grouping(m.as_bytes())
        {
            continue;
        }
        if binary && !plausible_in_binary(haystack, m.start(), m.end()) {
            continue;
        }
        let digits: String = m
            .as_bytes()
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        out.extend(make(
            CardDataKind::Pan,
            haystack,
            m.start(),
            m.end(),
            digits,
        ));
    }
    out.sort_by_key(|p| p.start);
    out
}

/// Whether some run of digits, spaces and dashes holds at least `min` (> 0) digits (such
/// a run is at least `min` bytes long).
fn has_digit_run(haystack: &[u8], min: usize) -> bool {
    crate::runs::long_runs(haystack, min, |b| {
        b.is_ascii_digit() || b == b' ' || b == b'-'
    })
    .any(|(start, end)| {
        haystack[start..end]
            .iter()
            .filter(|b| b.is_ascii_digit())
            .count()
            >= min
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_count_digits_across_separators_only() {
        assert!(has_digit_run(b"x 4539 1488 0343 6467 y", 13));
        assert!(has_digit_run(b"1234567890123", 13));
        assert!(!has_digit_run(b"123456789012", 13));
        assert!(!has_digit_run(b"1234567 x 890123456", 13));
        // Separators alone are no digits, however long.
        assert!(!has_digit_run(b"--------------- 12345", 13));
        assert!(has_digit_run(b"ab-------1234567890123-", 13));
    }

    fn found(text: &str) -> Vec<(CardDataKind, Brand, bool)> {
        find(text.as_bytes(), false)
            .iter()
            .map(|p| (p.kind, p.brand, p.test))
            .collect()
    }

    #[test]
    fn every_bundled_test_pan_is_luhn_valid_branded_and_marked_test() {
        for pan in TEST_PANS.iter() {
            assert!(luhn_valid(pan), "{pan}");
            assert!(brand(pan).is_some(), "{pan} has no brand");
            assert_eq!(
                found(&format!("card: {pan}\n")),
                vec![(CardDataKind::Pan, brand(pan).unwrap(), true)],
                "{pan}"
            );
        }
    }

    #[test]
    fn grouped_and_plain_real_looking_pans() {
        // Luhn-valid numbers with real IINs that are not published test numbers.
        assert_eq!(
            found("pan=4539 1488 0343 6467;"),
            vec![(CardDataKind::Pan, Brand::Visa, false)]
        );
        assert_eq!(
            found("5425-2334-3010-9903"),
            vec![(CardDataKind::Pan, Brand::Mastercard, false)]
        );
        assert_eq!(
            found("{\"card\":\"374245455400126\"}"),
            vec![(CardDataKind::Pan, Brand::Amex, false)]
        );
    }

    #[test]
    fn non_pans_are_ignored() {
        assert!(found("4539148803436468").is_empty(), "Luhn-invalid");
        assert!(found("9999999999999995").is_empty(), "no known IIN");
        assert!(found("4539 1488-0343 6467").is_empty(), "mixed separators");
        assert!(
            found("id=a4539148803436467").is_empty(),
            "part of an identifier"
        );
        assert!(found("1.4539148803436467").is_empty(), "part of a decimal");
        assert!(found("timestamp 1700000000000000000").is_empty());
    }

    #[test]
    fn track_data_and_cvv_context() {
        let t1 = find(b"%B4539148803436467^DOE/JOHN^2712101123400001230?", false);
        assert_eq!((t1.len(), t1[0].kind), (1, CardDataKind::Track1));
        let t2 = find(b";4539148803436467=27121011234?", false);
        assert_eq!((t2.len(), t2[0].kind), (1, CardDataKind::Track2));
        let with_cvv = find(
            b"card_number: 4539148803436467\ncvv: 123\nexp: 12/27\n",
            false,
        );
        assert!(with_cvv[0].near_cvv && with_cvv[0].near_expiry);
        let bare = find(b"ref 4539148803436467 done", false);
        assert!(!bare[0].near_cvv && !bare[0].near_expiry);
        // In binary strings: alone on its line (a database field) or near card words only.
        assert_eq!(find(b"x\n4539148803436467\ny", true).len(), 1);
        assert_eq!(find(b"build id 4539148803436467 v2", true).len(), 0);
        assert_eq!(find(b"cardnum 4539148803436467 v2", true).len(), 1);
    }
}
