//! Numeric comparison of decimal digit strings of any length. Version numbers such as
//! `20240101123456789012` overflow machine integers, and a wrong overflow fallback would
//! misorder exactly the timestamp-style versions distributions use, so every module
//! compares digit runs with this instead of parsing them.
//!
//! Example: `cmp("007", "10") == Ordering::Less`.

use std::cmp::Ordering;

/// Compares two runs of ASCII digits by value (leading zeros ignored; `""` counts as 0).
#[must_use]
pub(crate) fn cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
#[must_use]
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `s` after its leading run of ASCII digits.
#[must_use]
pub(crate) fn split_digits(s: &str) -> (&str, &str) {
    s.split_at(s.bytes().take_while(u8::is_ascii_digit).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_by_value_at_any_length() {
        assert_eq!(cmp("007", "10"), Ordering::Less);
        assert_eq!(cmp("000", ""), Ordering::Equal);
        assert_eq!(
            cmp(
                "123456789012345678901234567890",
                "99999999999999999999999999999"
            ),
            Ordering::Greater
        );
        assert!(is_digits("0123") && !is_digits("") && !is_digits("1a"));
        assert_eq!(split_digits("12ab3"), ("12", "ab3"));
    }
}
