//! Maven version ordering, as Maven's own `ComparableVersion` (3.8.x) orders versions.
//!
//! A version is lower-cased and split into a tree of items: `.` separates items of one
//! list, `-` opens a nested list, and a switch between digits and non-digits opens a
//! nested list too (`1.0alpha1` = `1.0-alpha-1`). Numbers compare numerically; qualifiers
//! in the order `alpha < beta < milestone < rc (= cr) < snapshot < "" (= ga = final =
//! release) < sp`, then unknown qualifiers alphabetically; `a1`, `b1`, `m1` abbreviate
//! `alpha-1`, `beta-1`, `milestone-1`. Trailing "null" items (`0`, `""`, empty lists) are
//! dropped, so `1.0.0` = `1` = `1-ga`. A number beats a qualifier or a list at the same
//! position; a list beats a qualifier.
//!
//! Why: Maven advisories (PCI DSS 6.3.3) name fixed versions like `2.17.1` or
//! `5.3.18.RELEASE`; `2.17.1-rc1` must stay vulnerable and `2.17.1.RELEASE` must not.
//! Example: `1-alpha < 1-beta1 < 1-rc < 1-SNAPSHOT < 1 = 1.0.0 < 1-sp < 1.0.1`.
//! Only ASCII digits are digits here (Java's `Character.isDigit` also takes other
//! scripts' digits; no published Maven version uses them).

use std::cmp::Ordering;

/// Qualifiers in ascending order; the release qualifier `""` sits at `RELEASE_RANK`.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_RANK: &str = "5";

/// Numbers keep Maven's three storage widths: a wider kind always compares greater, even
/// when its digits are all zeros (`000…0` with more than 18 digits > `5`, as in Maven).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    Int,
    Long,
    Big,
}

#[derive(Debug)]
enum Item {
    Number {
        width: Width,
        digits: String,
    },
    Qualifier(String),
    /// Index of a nested list in the version's arena.
    List(usize),
}

/// A parsed version: `lists[0]` is the root list; nested lists are referred to by index.
#[derive(Debug)]
struct MavenVersion {
    lists: Vec<Vec<Item>>,
}

fn number(digits: &str) -> Item {
    // Maven strips leading zeros unless the run is all zeros.
    let stripped = digits.trim_start_matches('0');
    let digits = if stripped.is_empty() {
        digits
    } else {
        stripped
    };
    let width = match digits.len() {
        0..=9 => Width::Int,
        10..=18 => Width::Long,
        _ => Width::Big,
    };
    Item::Number {
        width,
        digits: digits.to_owned(),
    }
}

fn qualifier(text: &str, followed_by_digit: bool) -> Item {
    let expanded = match (followed_by_digit, text) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        _ => text,
    };
    let canonical = match expanded {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Qualifier(canonical.to_owned())
}

fn item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        number(text)
    } else {
        qualifier(text, false)
    }
}

/// The sortable rank of a qualifier: its index in `QUALIFIERS`, or `7-name` for unknown
/// ones (so they sort after all known qualifiers, alphabetically among themselves).
fn rank(qualifier: &str) -> String {
    QUALIFIERS.iter().position(|q| *q == qualifier).map_or_else(
        || format!("{}-{qualifier}", QUALIFIERS.len()),
        |i| i.to_string(),
    )
}

/// Java's `String.compareTo`: UTF-16 code units.
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

impl MavenVersion {
    fn parse(version: &str) -> Self {
        let text = version.to_lowercase();
        let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
        let mut current = 0;
        let open = |lists: &mut Vec<Vec<Item>>, current: &mut usize| {
            lists.push(Vec::new());
            let child = lists.len() - 1;
            lists[*current].push(Item::List(child));
            *current = child;
        };
        let mut is_digit = false;
        let mut start = 0;
        for (i, c) in text.char_indices() {
            match c {
                '.' | '-' => {
                    let it = if i == start {
                        number("0")
                    } else {
                        item(is_digit, &text[start..i])
                    };
                    lists[current].push(it);
                    start = i + 1;
                    if c == '-' {
                        open(&mut lists, &mut current);
                    }
                }
                _ if c.is_ascii_digit() => {
                    if !is_digit && i > start {
                        // `.X1` is read as `-X1`: the qualifier gets a list of its own.
                        if !lists[current].is_empty() {
                            open(&mut lists, &mut current);
                        }
                        lists[current].push(qualifier(&text[start..i], true));
                        start = i;
                        open(&mut lists, &mut current);
                    }
                    is_digit = true;
                }
                _ => {
                    if is_digit && i > start {
                        lists[current].push(number(&text[start..i]));
                        start = i;
                        open(&mut lists, &mut current);
                    }
                    is_digit = false;
                }
            }
        }
        if text.len() > start {
            if !is_digit && !lists[current].is_empty() {
                open(&mut lists, &mut current);
            }
            lists[current].push(item(is_digit, &text[start..]));
        }
        let mut version = MavenVersion { lists };
        // Innermost lists first, so an emptied child list counts as null in its parent.
        for index in (0..version.lists.len()).rev() {
            version.normalize(index);
        }
        version
    }

    fn is_null(&self, item: &Item) -> bool {
        match item {
            Item::Number { digits, .. } => digits.bytes().all(|b| b == b'0'),
            Item::Qualifier(q) => q.is_empty(),
            Item::List(index) => self.lists[*index].is_empty(),
        }
    }

    /// Drops trailing null items, looking through trailing nested lists.
    fn normalize(&mut self, index: usize) {
        let mut i = self.lists[index].len();
        while i > 0 {
            i -= 1;
            let item = &self.lists[index][i];
            if self.is_null(item) {
                self.lists[index].remove(i);
            } else if !matches!(item, Item::List(_)) {
                break;
            }
        }
    }
}

/// Compares item `a` of version `va` with item `b` of version `vb` (`None`: padding).
fn cmp_item(va: &MavenVersion, a: &Item, vb: &MavenVersion, b: Option<&Item>) -> Ordering {
    use Item::{List, Number, Qualifier};
    match (a, b) {
        (Number { digits, .. }, None) => {
            if digits.bytes().all(|c| c == b'0') {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (
            Number {
                width: wa,
                digits: da,
            },
            Some(Number {
                width: wb,
                digits: db,
            }),
        ) => wa.cmp(wb).then_with(|| crate::decimal::cmp(da, db)),
        (Number { .. }, Some(_)) => Ordering::Greater,
        (Qualifier(q), None) => java_cmp(&rank(q), RELEASE_RANK),
        (Qualifier(q), Some(Qualifier(r))) => java_cmp(&rank(q), &rank(r)),
        (Qualifier(_), Some(_)) => Ordering::Less,
        (List(l), None) => va.lists[*l]
            .iter()
            .map(|item| cmp_item(va, item, vb, None))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
        (List(_), Some(Number { .. })) => Ordering::Less,
        (List(_), Some(Qualifier(_))) => Ordering::Greater,
        (List(l), Some(List(r))) => cmp_lists(va, *l, vb, *r),
    }
}

fn cmp_lists(va: &MavenVersion, l: usize, vb: &MavenVersion, r: usize) -> Ordering {
    let (left, right) = (&va.lists[l], &vb.lists[r]);
    (0..left.len().max(right.len()))
        .map(|i| match (left.get(i), right.get(i)) {
            (Some(x), y) => cmp_item(va, x, vb, y),
            (None, Some(y)) => cmp_item(vb, y, va, None).reverse(),
            (None, None) => Ordering::Equal,
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Compares two Maven versions. Never fails: every string is a Maven version.
#[must_use]
pub fn compare(a: &str, b: &str) -> Ordering {
    let (va, vb) = (MavenVersion::parse(a), MavenVersion::parse(b));
    cmp_lists(&va, 0, &vb, 0)
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn qualifier_order() {
        let ascending = [
            "1-alpha",
            "1-alpha1",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-1",
            "1.0.1",
            "1.1",
        ];
        crate::assert_ascending(compare, &ascending);
    }

    #[test]
    fn aliases_and_trailing_nulls() {
        assert_eq!(compare("1.0.0", "1"), Equal);
        assert_eq!(compare("1-GA", "1.0"), Equal);
        assert_eq!(compare("1.0.FINAL", "1-release"), Equal);
        assert_eq!(compare("1-cr1", "1-RC1"), Equal);
        assert_eq!(compare("1a1", "1-alpha-1"), Equal);
        assert_eq!(compare("1.0.0.X1", "1.0.0-X2"), Less);
        assert_eq!(compare("5.3.18.RELEASE", "5.3.18"), Equal);
        assert_eq!(compare("2.17.1-rc1", "2.17.1"), Less);
        assert_eq!(compare("1.10", "1.9"), Greater);
        assert_eq!(compare("1.12345678901234567890", "1.9"), Greater);
    }
}
