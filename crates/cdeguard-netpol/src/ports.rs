//! Sets of connections: protocols and destination port ranges.
//!
//! What: [`Conns`] is the set of (protocol, destination port) pairs a connection may use.
//! TCP, UDP and SCTP carry port ranges; every other IP protocol (ICMP, ...) is one flag,
//! because a NetworkPolicy rule can only name TCP, UDP and SCTP ports and a rule without
//! `ports` allows every protocol. [`PortSpec`] is one entry of a rule's `ports` list as
//! written (number, name, `endPort`), resolved against the destination's named ports.
//!
//! Why: PCI DSS 1.2.1/1.3 ask which services and ports are allowed; answers must be exact
//! sets, not booleans.
//!
//! Example: `- port: 8000, endPort: 8080` (protocol defaults to TCP) becomes
//! `{TCP: 8000-8080}`; `- port: http` becomes the destination container's port named
//! `http` with the rule's protocol, or nothing when the destination has no such port.

use std::collections::BTreeMap;
use std::fmt;

/// A transport protocol a NetworkPolicy port can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// Parses `TCP`/`UDP`/`SCTP` (as the API spells them; lower case accepted on the CLI).
    #[must_use]
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    fn index(self) -> usize {
        match self {
            Protocol::Tcp => 0,
            Protocol::Udp => 1,
            Protocol::Sctp => 2,
        }
    }
}

/// Sorted, disjoint, non-adjacent inclusive port ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRanges(Vec<(u16, u16)>);

/// Lowest and highest port a connection can use.
pub const MIN_PORT: u16 = 1;
pub const MAX_PORT: u16 = 65535;

impl PortRanges {
    #[must_use]
    pub fn all() -> Self {
        PortRanges(vec![(MIN_PORT, MAX_PORT)])
    }

    /// One range; empty when `first > last`.
    #[must_use]
    pub fn range(first: u16, last: u16) -> Self {
        if first > last {
            PortRanges::default()
        } else {
            PortRanges(vec![(first, last)])
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn is_all(&self) -> bool {
        self.0 == [(MIN_PORT, MAX_PORT)]
    }

    #[must_use]
    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(a, b)| a <= port && port <= b)
    }

    #[must_use]
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    #[must_use]
    pub fn union(&self, other: &PortRanges) -> PortRanges {
        let mut all: Vec<(u16, u16)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match merged.last_mut() {
                Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        PortRanges(merged)
    }

    #[must_use]
    pub fn intersect(&self, other: &PortRanges) -> PortRanges {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() && j < other.0.len() {
            let (a1, b1) = self.0[i];
            let (a2, b2) = other.0[j];
            let (a, b) = (a1.max(a2), b1.min(b2));
            if a <= b {
                out.push((a, b));
            }
            if b1 < b2 { i += 1 } else { j += 1 }
        }
        PortRanges(out)
    }
}

impl fmt::Display for PortRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (a, b)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// A set of connections: port ranges per protocol, plus "every other IP protocol".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Conns {
    ports: [PortRanges; 3],
    /// ICMP and every protocol a NetworkPolicy port cannot name.
    other_protocols: bool,
}

impl Conns {
    /// Every protocol and port.
    #[must_use]
    pub fn all() -> Self {
        Conns {
            ports: [PortRanges::all(), PortRanges::all(), PortRanges::all()],
            other_protocols: true,
        }
    }

    #[must_use]
    pub fn none() -> Self {
        Conns::default()
    }

    /// `ranges` of one protocol.
    #[must_use]
    pub fn of(protocol: Protocol, ranges: PortRanges) -> Self {
        let mut conns = Conns::default();
        conns.ports[protocol.index()] = ranges;
        conns
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.other_protocols && self.ports.iter().all(PortRanges::is_empty)
    }

    #[must_use]
    pub fn is_all(&self) -> bool {
        self.other_protocols && self.ports.iter().all(PortRanges::is_all)
    }

    #[must_use]
    pub fn ports(&self, protocol: Protocol) -> &PortRanges {
        &self.ports[protocol.index()]
    }

    #[must_use]
    pub fn other_protocols(&self) -> bool {
        self.other_protocols
    }

    #[must_use]
    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.ports[protocol.index()].contains(port)
    }

    #[must_use]
    pub fn union(&self, other: &Conns) -> Conns {
        Conns {
            ports: std::array::from_fn(|i| self.ports[i].union(&other.ports[i])),
            other_protocols: self.other_protocols || other.other_protocols,
        }
    }

    #[must_use]
    pub fn intersect(&self, other: &Conns) -> Conns {
        Conns {
            ports: std::array::from_fn(|i| self.ports[i].intersect(&other.ports[i])),
            other_protocols: self.other_protocols && other.other_protocols,
        }
    }
}

impl fmt::Display for Conns {
    /// `All connections`, `No connections`, or `{protocols:TCP,dst_ports:80}` groups joined
    /// by `;` (protocols with equal ports share a group), the notation of IBM's
    /// network-config-analyzer so that outputs can be compared line by line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All connections");
        }
        if self.is_empty() {
            return f.write_str("No connections");
        }
        let mut groups: BTreeMap<&PortRanges, Vec<&str>> = BTreeMap::new();
        for protocol in Protocol::ALL {
            let ranges = self.ports(protocol);
            if !ranges.is_empty() {
                groups.entry(ranges).or_default().push(protocol.name());
            }
        }
        let mut parts: Vec<String> = groups
            .into_iter()
            .map(|(ranges, protocols)| {
                if ranges.is_all() {
                    format!("{{protocols:{}}}", protocols.join(","))
                } else {
                    format!("{{protocols:{},dst_ports:{ranges}}}", protocols.join(","))
                }
            })
            .collect();
        parts.sort();
        if self.other_protocols {
            parts.push("{protocols:other}".to_owned());
        }
        f.write_str(&parts.join(";"))
    }
}

/// The port of a rule's `ports` entry as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortRef {
    /// No `port`: every port of the protocol.
    Any,
    /// A number, or a range with `endPort`.
    Range(u16, u16),
    /// A container port name, resolved at the destination.
    Named(String),
}

/// One entry of a rule's `ports` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortSpec {
    pub protocol: Protocol,
    pub port: PortRef,
}

/// Named container ports of a pod: name to (protocol, number). Kubernetes requires names
/// to be unique within a pod, so one entry each.
pub type NamedPorts = BTreeMap<String, (Protocol, u16)>;

impl PortSpec {
    /// The connections this entry allows to a destination with `named` ports. A name the
    /// destination does not define (or a protocol that differs) allows nothing, as in
    /// kube-proxy-less CNIs and the upstream conformance suite.
    #[must_use]
    pub fn resolve(&self, named: Option<&NamedPorts>) -> Conns {
        match &self.port {
            PortRef::Any => Conns::of(self.protocol, PortRanges::all()),
            PortRef::Range(a, b) => Conns::of(self.protocol, PortRanges::range(*a, *b)),
            PortRef::Named(name) => match named.and_then(|n| n.get(name)) {
                Some(&(protocol, number)) if protocol == self.protocol => {
                    Conns::of(protocol, PortRanges::range(number, number))
                }
                _ => Conns::none(),
            },
        }
    }

    #[must_use]
    pub fn is_named(&self) -> bool {
        matches!(self.port, PortRef::Named(_))
    }
}

/// The connections a rule's `ports` list allows: all when the list is absent or empty,
/// else the union of its entries.
#[must_use]
pub fn resolve_all(specs: &[PortSpec], named: Option<&NamedPorts>) -> Conns {
    if specs.is_empty() {
        return Conns::all();
    }
    specs
        .iter()
        .fold(Conns::none(), |acc, spec| acc.union(&spec.resolve(named)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_adjacent_and_overlapping_ranges() {
        let a = PortRanges::range(10, 20).union(&PortRanges::range(21, 30));
        assert_eq!(a.ranges(), &[(10, 30)]);
        let b = a.union(&PortRanges::range(5, 12));
        assert_eq!(b.ranges(), &[(5, 30)]);
        let c = b.union(&PortRanges::range(40, 40));
        assert_eq!(c.ranges(), &[(5, 30), (40, 40)]);
    }

    #[test]
    fn intersection_is_exact() {
        let a = PortRanges::range(1, 100).union(&PortRanges::range(200, 300));
        let b = PortRanges::range(50, 250);
        assert_eq!(a.intersect(&b).ranges(), &[(50, 100), (200, 250)]);
        assert!(
            PortRanges::range(1, 5)
                .intersect(&PortRanges::range(6, 9))
                .is_empty()
        );
    }

    #[test]
    fn empty_ports_list_allows_every_protocol() {
        assert!(resolve_all(&[], None).is_all());
        let tcp80 = PortSpec {
            protocol: Protocol::Tcp,
            port: PortRef::Range(80, 80),
        };
        let conns = resolve_all(&[tcp80], None);
        assert!(conns.contains(Protocol::Tcp, 80));
        assert!(!conns.contains(Protocol::Udp, 80));
        assert!(!conns.other_protocols());
    }

    #[test]
    fn named_port_resolves_only_with_matching_protocol() {
        let named: NamedPorts = [("dns".to_owned(), (Protocol::Udp, 53))].into();
        let udp = PortSpec {
            protocol: Protocol::Udp,
            port: PortRef::Named("dns".into()),
        };
        let tcp = PortSpec {
            protocol: Protocol::Tcp,
            port: PortRef::Named("dns".into()),
        };
        assert!(udp.resolve(Some(&named)).contains(Protocol::Udp, 53));
        assert!(tcp.resolve(Some(&named)).is_empty());
        assert!(udp.resolve(None).is_empty());
    }

    #[test]
    fn display_uses_nca_notation() {
        assert_eq!(Conns::all().to_string(), "All connections");
        let c = Conns::of(Protocol::Tcp, PortRanges::range(7070, 7070));
        assert_eq!(c.to_string(), "{protocols:TCP,dst_ports:7070}");
        let both = Conns::of(Protocol::Udp, PortRanges::range(53, 53))
            .union(&Conns::of(Protocol::Tcp, PortRanges::range(53, 53)));
        assert_eq!(both.to_string(), "{protocols:TCP,UDP,dst_ports:53}");
    }
}
