//! Sets of IP addresses (IPv4 and IPv6) as sorted inclusive ranges.
//!
//! What: [`IpSet`] holds the addresses of an `ipBlock` (`cidr` minus every `except`) and
//! [`partition`] cuts the whole address space into the atoms that every `ipBlock` of the
//! cluster either fully contains or fully excludes, so external traffic is analysed per
//! atom, exactly, instead of per address.
//!
//! Why: PCI DSS 1.3.1/1.4.1 and 11.4.5 ask which external ranges reach the CDE; an
//! `except` hole or an IPv6 block must not be rounded away.
//!
//! Example: `cidr: 10.0.0.0/8, except: [10.1.0.0/16]` is
//! `10.0.0.0-10.0.255.255, 10.2.0.0-10.255.255.255`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The address family of a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    pub family: Family,
    pub first: u128,
    pub last: u128,
}

impl IpRange {
    /// The whole address space of a family.
    #[must_use]
    pub fn everything(family: Family) -> Self {
        IpRange {
            family,
            first: 0,
            last: family.max(),
        }
    }

    /// One address.
    #[must_use]
    pub fn address(ip: IpAddr) -> Self {
        let (family, value) = split(ip);
        IpRange {
            family,
            first: value,
            last: value,
        }
    }

    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (family, value) = split(ip);
        family == self.family && self.first <= value && value <= self.last
    }
}

fn split(ip: IpAddr) -> (Family, u128) {
    match ip {
        IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (Family::V6, u128::from(v6)),
    }
}

fn join(family: Family, value: u128) -> IpAddr {
    match family {
        // A V4 range never exceeds u32::MAX (constructed from u32 values).
        Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = join(self.family, self.first);
        if self.first == self.last {
            write!(f, "{first}")
        } else {
            write!(f, "{first}-{}", join(self.family, self.last))
        }
    }
}

/// Parses `a.b.c.d/n` or `x::y/n`. Host bits below the prefix are ignored, as the API
/// server accepts them.
pub fn parse_cidr(text: &str) -> Result<IpRange, String> {
    let (addr, len) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not a CIDR (address/prefix length)"))?;
    let ip: IpAddr = addr
        .trim()
        .parse()
        .map_err(|_| format!("`{addr}` in CIDR `{text}` is not an IP address"))?;
    let (family, value) = split(ip);
    let bits: u32 = if family == Family::V4 { 32 } else { 128 };
    let len: u32 = len
        .trim()
        .parse()
        .ok()
        .filter(|l| *l <= bits)
        .ok_or_else(|| format!("prefix length of `{text}` must be 0..={bits}"))?;
    let host_bits = bits - len;
    let host_mask: u128 = if host_bits == 0 {
        0
    } else if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    Ok(IpRange {
        family,
        first: value & !host_mask,
        last: (value & !host_mask) | host_mask,
    })
}

/// A set of addresses: sorted, disjoint, non-adjacent ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IpSet(Vec<IpRange>);

impl IpSet {
    #[must_use]
    pub fn from_range(range: IpRange) -> Self {
        IpSet(vec![range])
    }

    /// IPv4 and IPv6, every address.
    #[must_use]
    pub fn everything() -> Self {
        IpSet(vec![
            IpRange::everything(Family::V4),
            IpRange::everything(Family::V6),
        ])
    }

    #[must_use]
    pub fn ranges(&self) -> &[IpRange] {
        &self.0
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn contains_range(&self, range: &IpRange) -> bool {
        self.0
            .iter()
            .any(|r| r.family == range.family && r.first <= range.first && range.last <= r.last)
    }

    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    /// This set minus `hole`.
    #[must_use]
    pub fn subtract(&self, hole: &IpRange) -> IpSet {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for r in &self.0 {
            if r.family != hole.family || hole.last < r.first || r.last < hole.first {
                out.push(*r);
                continue;
            }
            if r.first < hole.first {
                out.push(IpRange {
                    last: hole.first - 1,
                    ..*r
                });
            }
            if hole.last < r.last {
                out.push(IpRange {
                    first: hole.last + 1,
                    ..*r
                });
            }
        }
        IpSet(out)
    }

    /// Merges ranges into the canonical form.
    #[must_use]
    pub fn from_ranges(mut ranges: Vec<IpRange>) -> IpSet {
        ranges.sort_unstable();
        let mut out: Vec<IpRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match out.last_mut() {
                Some(last)
                    if last.family == r.family
                        && (last.last == u128::MAX || r.first <= last.last + 1) =>
                {
                    last.last = last.last.max(r.last);
                }
                _ => out.push(r),
            }
        }
        IpSet(out)
    }
}

impl fmt::Display for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// Cuts IPv4 and IPv6 into the coarsest ranges such that each given set contains each
/// range fully or not at all.
#[must_use]
pub fn partition<'a>(sets: impl IntoIterator<Item = &'a IpSet>) -> Vec<IpRange> {
    let mut starts: Vec<(Family, u128)> = vec![(Family::V4, 0), (Family::V6, 0)];
    for set in sets {
        for r in &set.0 {
            starts.push((r.family, r.first));
            if r.last < r.family.max() {
                starts.push((r.family, r.last + 1));
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut atoms = Vec::with_capacity(starts.len());
    for (i, &(family, first)) in starts.iter().enumerate() {
        let last = match starts.get(i + 1) {
            Some(&(next_family, next)) if next_family == family => next - 1,
            _ => family.max(),
        };
        atoms.push(IpRange {
            family,
            first,
            last,
        });
    }
    atoms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parsing_masks_host_bits_and_rejects_garbage() {
        let r = parse_cidr("10.1.2.3/8").unwrap();
        assert_eq!(r.to_string(), "10.0.0.0-10.255.255.255");
        assert_eq!(
            parse_cidr("0.0.0.0/0").unwrap(),
            IpRange::everything(Family::V4)
        );
        assert_eq!(parse_cidr("::/0").unwrap(), IpRange::everything(Family::V6));
        assert_eq!(
            parse_cidr("2001:db8::/127").unwrap().to_string(),
            "2001:db8::-2001:db8::1"
        );
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("10.0.0.0").is_err());
        assert!(parse_cidr("300.0.0.0/8").is_err());
    }

    #[test]
    fn except_punches_holes() {
        let block = IpSet::from_range(parse_cidr("10.0.0.0/8").unwrap());
        let set = block.subtract(&parse_cidr("10.1.0.0/16").unwrap());
        assert_eq!(
            set.to_string(),
            "10.0.0.0-10.0.255.255,10.2.0.0-10.255.255.255"
        );
        assert!(!set.contains("10.1.2.3".parse().unwrap()));
        assert!(set.contains("10.2.0.0".parse().unwrap()));
        let v6 = IpSet::from_range(parse_cidr("2001:db8::/32").unwrap())
            .subtract(&parse_cidr("2001:db8:1::/48").unwrap());
        assert!(!v6.contains("2001:db8:1::5".parse().unwrap()));
        assert!(v6.contains("2001:db8:2::5".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn partition_respects_every_boundary() {
        let a = IpSet::from_range(parse_cidr("10.0.0.0/8").unwrap())
            .subtract(&parse_cidr("10.1.0.0/16").unwrap());
        let atoms = partition([&a]);
        let text: Vec<String> = atoms.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0-10.0.255.255",
                "10.1.0.0-10.1.255.255",
                "10.2.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255",
                ":: -ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
                    .replace(' ', "")
                    .as_str(),
            ]
        );
        for atom in &atoms {
            let inside = a.contains_range(atom);
            let overlaps = a
                .ranges()
                .iter()
                .any(|r| r.first <= atom.last && atom.first <= r.last && r.family == atom.family);
            assert_eq!(inside, overlaps, "{atom} half inside");
        }
    }
}
