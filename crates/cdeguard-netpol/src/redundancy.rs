//! Redundant NetworkPolicy rules and peers, and AuthorizationPolicy ALLOW rules shadowed
//! by a DENY.
//!
//! What: a NetworkPolicy ingress (egress) rule is redundant when another rule of the same
//! direction, in a policy that selects every pod class the first rule's policy selects,
//! matches every peer (pod class or address atom) the first rule matches, with at least
//! the same connections for each (named ports resolved per destination). The analysis
//! runs over the engine's equivalence classes and address atoms, so it is exact: removing
//! the rule changes no verdict. Of two rules allowing the same set, the later one (policy
//! order, then rule order) is reported; a rule or peer matching no pod of the manifests
//! and no address is stale rather than covered and is not reported. Likewise a peer of a rule's `from`/`to` list is
//! redundant when another peer of the same rule matches every class and address it
//! matches (the ports are the rule's, so the peer adds nothing). An Istio ALLOW rule is shadowed when a DENY
//! policy applying to every workload the ALLOW policy applies to has a rule matching
//! every request the ALLOW rule matches: each `from` (`to`) entry of the ALLOW rule
//! implies one of the DENY rule's, field by field (values contained, `notX` exclusions a
//! superset, a principal `cluster.local/ns/NS/...` implying namespace `NS`), and the DENY
//! rule's `when` conditions are all required by the ALLOW rule too. DENY is evaluated
//! first, so the ALLOW rule can never let anything through. This check is sound (what it
//! reports is shadowed) but does not combine several DENY rules.
//!
//! Why: PCI DSS 1.2.7 asks that network security control configurations be reviewed so
//! that rules no longer needed or ineffective are removed; a redundant rule hides which
//! rule actually grants access, and a shadowed ALLOW rule suggests access that does not
//! exist (1.2.1: configuration standards that match reality).
//!
//! Example (failing): `allow-web` with `ingress: [{from: [{podSelector: {}}]}]` and
//! `allow-api` selecting the same pods with `ingress: [{from: [{podSelector: {matchLabels:
//! {app: api}}}], ports: [{port: 8443}]}]`: the `allow-api` rule is redundant (covered by
//! `allow-web`'s rule). Passing: each rule allows something no other rule does.
//!
//! Fix: delete the redundant rule, or narrow the covering one if it is the mistake;
//! delete a shadowed ALLOW rule or narrow the DENY policy.

use std::collections::BTreeSet;

use crate::authorization::{
    Action, AuthorizationPolicy, AuthorizationRule, Field, TRUST_DOMAIN, applies_to, string_matches,
};
use crate::cluster::Cluster;
use crate::engine::{Analysis, CompiledRule, Endpoint, dir_index};
use crate::ipset::parse_cidr;
use crate::policy::{Direction, Peer};

/// A rule of a policy: index into `Cluster::policies` (or `authorization_policies`), the
/// rule's index in its list and its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RuleRef {
    pub policy: usize,
    pub rule: usize,
    pub line: u32,
}

/// A NetworkPolicy rule another rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedundantRule {
    pub direction: Direction,
    pub redundant: RuleRef,
    pub covered_by: RuleRef,
}

/// A peer of a NetworkPolicy rule that another peer of the same rule covers (same ports,
/// so the peer adds nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedundantPeer {
    pub direction: Direction,
    pub rule: RuleRef,
    /// Index and line of the redundant peer in the rule's `from`/`to` list.
    pub peer: (usize, u32),
    pub covered_by: (usize, u32),
}

/// An AuthorizationPolicy ALLOW rule a DENY rule shadows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShadowedRule {
    pub allow: RuleRef,
    pub denied_by: RuleRef,
}

/// The peers a compiled rule matches: classes and address atoms of its direction.
fn peers_of(analysis: &Analysis<'_>, rule: &CompiledRule) -> Vec<Endpoint> {
    let atoms = match rule.direction {
        Direction::Ingress => &analysis.source_atoms,
        Direction::Egress => &analysis.destination_atoms,
    };
    let classes: Vec<usize> = match &rule.classes {
        Some(classes) => classes.clone(),
        None => (0..analysis.classes.len()).collect(),
    };
    classes
        .into_iter()
        .map(Endpoint::Class)
        .chain(
            atoms
                .iter()
                .map(|a| Endpoint::Ip(*a))
                .filter(|e| analysis.rule_matches(rule, *e)),
        )
        .collect()
}

/// Whether `wide` allows everything `narrow` allows, for every subject class and peer.
fn covers(
    analysis: &Analysis<'_>,
    wide: &CompiledRule,
    narrow: &CompiledRule,
    subjects: &[usize],
    narrow_peers: &[Endpoint],
) -> bool {
    if let (Some(narrow_conns), Some(wide_conns)) = (&narrow.fixed, &wide.fixed) {
        // Ports independent of the destination: containment of ports, then of peers.
        return narrow_conns.is_empty()
            || (narrow_conns.intersect(wide_conns) == *narrow_conns
                && narrow_peers
                    .iter()
                    .all(|&peer| analysis.rule_matches(wide, peer)));
    }
    let named = |class: usize| Some(&analysis.classes[class].named_ports);
    narrow_peers.iter().all(|&peer| {
        if !analysis.rule_matches(wide, peer) {
            // Covered only if the narrow rule allows nothing to or from this peer.
            return subjects.iter().all(|&subject| {
                let destination = match (narrow.direction, peer) {
                    (Direction::Ingress, _) => named(subject),
                    (Direction::Egress, Endpoint::Class(c)) => named(c),
                    (Direction::Egress, Endpoint::Ip(_)) => None,
                };
                analysis.rule_conns(narrow, destination).is_empty()
            });
        }
        let mut destinations: Vec<Option<usize>> = match (narrow.direction, peer) {
            (Direction::Ingress, _) => subjects.iter().map(|&s| Some(s)).collect(),
            (Direction::Egress, Endpoint::Class(c)) => vec![Some(c)],
            (Direction::Egress, Endpoint::Ip(_)) => vec![None],
        };
        destinations.dedup();
        destinations.into_iter().all(|destination| {
            let ports = destination.and_then(named);
            let allowed = analysis.rule_conns(narrow, ports);
            allowed.intersect(&analysis.rule_conns(wide, ports)) == allowed
        })
    })
}

/// NetworkPolicy rules whose allowed set another rule already allows.
#[must_use]
pub fn redundant_rules(analysis: &Analysis<'_>) -> Vec<RedundantRule> {
    let mut out = Vec::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        let d = dir_index(direction);
        // Subject classes per policy.
        let mut subjects_of: Vec<Vec<usize>> = vec![Vec::new(); analysis.cluster.policies.len()];
        for class in 0..analysis.classes.len() {
            for &policy in analysis.selecting(direction, class) {
                subjects_of[policy].push(class);
            }
        }
        let reference = |ri: usize| {
            let rule = &analysis.rules[ri];
            RuleRef {
                policy: rule.policy,
                rule: rule.index,
                line: analysis.rule_line(rule),
            }
        };
        for (policy, subjects) in subjects_of.iter().enumerate() {
            let Some(&first) = subjects.first() else {
                continue;
            };
            // Rules of the policies selecting every subject of this policy.
            let candidates: Vec<usize> = analysis
                .selecting(direction, first)
                .iter()
                .filter(|&&p| {
                    subjects
                        .iter()
                        .all(|&s| analysis.selecting(direction, s).contains(&p))
                })
                .flat_map(|&p| analysis.rules_of[p][d].iter().copied())
                .collect();
            for &ri in &analysis.rules_of[policy][d] {
                let rule = &analysis.rules[ri];
                let peers = peers_of(analysis, rule);
                if peers.is_empty() {
                    continue; // matches no pod or address of the manifests: nothing to cover
                }
                let covering = candidates.iter().copied().filter(|&c| c != ri).find(|&c| {
                    let other = &analysis.rules[c];
                    covers(analysis, other, rule, subjects, &peers)
                        // Equal sets: only the later rule is redundant.
                        && !(c > ri
                            && covers(analysis, rule, other, subjects, &peers_of(analysis, other)))
                });
                if let Some(c) = covering {
                    out.push(RedundantRule {
                        direction,
                        redundant: reference(ri),
                        covered_by: reference(c),
                    });
                }
            }
        }
    }
    out
}

/// The pod classes one peer matches (sorted).
fn peer_classes(analysis: &Analysis<'_>, peer: &Peer) -> Vec<usize> {
    (0..analysis.classes.len())
        .filter(|&c| analysis.peer_matches_class(peer, &analysis.classes[c]))
        .collect()
}

fn is_subset(small: &[usize], large: &[usize]) -> bool {
    small.iter().all(|x| large.binary_search(x).is_ok())
}

/// Whether every address `small` matches, `large` matches.
fn addresses_within(small: &Peer, large: &Peer) -> bool {
    match (small, large) {
        (Peer::Pods { .. }, _) => true,
        (Peer::IpBlock { addresses: s, .. }, Peer::IpBlock { addresses: l, .. }) => {
            s.ranges().iter().all(|r| l.contains_range(r))
        }
        (Peer::IpBlock { addresses, .. }, Peer::Pods { .. }) => addresses.is_empty(),
    }
}

/// Peers of a rule whose matches another peer of the same rule already covers (of two
/// equal peers, the later one).
#[must_use]
pub fn redundant_peers(analysis: &Analysis<'_>) -> Vec<RedundantPeer> {
    let mut out = Vec::new();
    for (pi, policy) in analysis.cluster.policies.iter().enumerate() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for (ri, rule) in policy
                .rules(direction)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let Some(peers) = rule.peers.as_ref().filter(|p| p.len() > 1) else {
                    continue;
                };
                let classes: Vec<Vec<usize>> =
                    peers.iter().map(|p| peer_classes(analysis, p)).collect();
                let within = |a: usize, b: usize| {
                    is_subset(&classes[a], &classes[b]) && addresses_within(&peers[a], &peers[b])
                };
                for a in 0..peers.len() {
                    let matches_nothing = classes[a].is_empty()
                        && match &peers[a] {
                            Peer::Pods { .. } => true,
                            Peer::IpBlock { addresses, .. } => addresses.is_empty(),
                        };
                    if matches_nothing {
                        continue; // a stale peer, not one another peer covers
                    }
                    let covering = (0..peers.len())
                        .find(|&b| b != a && within(a, b) && !(b > a && within(b, a)));
                    if let Some(b) = covering {
                        out.push(RedundantPeer {
                            direction,
                            rule: RuleRef {
                                policy: pi,
                                rule: ri,
                                line: rule.line,
                            },
                            peer: (a, peer_line(&peers[a])),
                            covered_by: (b, peer_line(&peers[b])),
                        });
                    }
                }
            }
        }
    }
    out
}

fn peer_line(peer: &Peer) -> u32 {
    match peer {
        Peer::Pods { line, .. } | Peer::IpBlock { line, .. } => *line,
    }
}

/// Whether field `wide` (of a DENY source/operation) matches every request that meets
/// field `narrow` (of the ALLOW one).
fn field_implies(narrow: &Field, wide: &Field) -> bool {
    let same_kind = narrow.attribute == wide.attribute
        && narrow.negated == wide.negated
        && (narrow.attribute != crate::authorization::Attribute::Condition
            || narrow.name == wide.name);
    if same_kind {
        return if wide.negated {
            // Requests outside `narrow`'s exclusions are outside `wide`'s.
            wide.values.iter().all(|v| narrow.values.contains(v))
        } else {
            narrow
                .values
                .iter()
                .all(|value| wide.values.iter().any(|w| value_within(wide, w, value)))
        };
    }
    // A principal names its namespace.
    narrow.attribute == crate::authorization::Attribute::Principal
        && wide.attribute == crate::authorization::Attribute::Namespace
        && !narrow.negated
        && !wide.negated
        && narrow.values.iter().all(|principal| {
            principal_namespace(principal)
                .is_some_and(|ns| wide.values.iter().any(|w| string_matches(w, ns)))
        })
}

/// `cluster.local/ns/NS/sa/SA` (no wildcard) → `NS`.
fn principal_namespace(principal: &str) -> Option<&str> {
    if principal.contains('*') {
        return None;
    }
    let rest = principal.strip_prefix(TRUST_DOMAIN)?.strip_prefix("/ns/")?;
    rest.split_once("/sa/").map(|(ns, _)| ns)
}

/// Whether pattern `wide` matches everything pattern `narrow` matches.
fn value_within(field: &Field, wide: &str, narrow: &str) -> bool {
    use crate::authorization::Attribute;
    if wide == narrow {
        return true;
    }
    match field.attribute {
        Attribute::IpBlock | Attribute::RemoteIpBlock => {
            let range = |text: &str| {
                if text.contains('/') {
                    parse_cidr(text).ok()
                } else {
                    text.parse().ok().map(crate::ipset::IpRange::address)
                }
            };
            match (range(wide), range(narrow)) {
                (Some(w), Some(n)) => {
                    w.family == n.family && w.first <= n.first && n.last <= w.last
                }
                _ => false,
            }
        }
        _ if wide == "*" => !narrow.is_empty(),
        _ if narrow.contains('*') => {
            // A pattern inside a wider pattern of the same anchoring.
            match (
                wide.strip_suffix('*'),
                narrow.strip_suffix('*'),
                wide.strip_prefix('*'),
                narrow.strip_prefix('*'),
            ) {
                (Some(w), Some(n), _, _) => n.starts_with(w),
                (_, _, Some(w), Some(n)) => n.ends_with(w),
                _ => false,
            }
        }
        _ => string_matches(wide, narrow),
    }
}

/// Whether every request meeting all `narrow` fields meets all `wide` fields.
fn fields_imply(narrow: &[Field], wide: &[Field]) -> bool {
    wide.iter()
        .all(|w| narrow.iter().any(|n| field_implies(n, w)))
}

/// `from` or `to` lists: entries ORed; an empty list matches everything.
fn entries_imply(narrow: &[Vec<Field>], wide: &[Vec<Field>]) -> bool {
    if wide.is_empty() || wide.iter().any(Vec::is_empty) {
        return true;
    }
    !narrow.is_empty()
        && narrow
            .iter()
            .all(|n| wide.iter().any(|w| fields_imply(n, w)))
}

fn rule_shadows(deny: &AuthorizationRule, allow: &AuthorizationRule) -> bool {
    entries_imply(&allow.from, &deny.from)
        && entries_imply(&allow.to, &deny.to)
        && fields_imply(&allow.when, &deny.when)
}

/// ALLOW rules of AuthorizationPolicies that a DENY rule shadows.
#[must_use]
pub fn shadowed_allow_rules(cluster: &Cluster) -> Vec<ShadowedRule> {
    let targets = |policy: &AuthorizationPolicy| -> BTreeSet<usize> {
        cluster
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.kind != "Probe" && applies_to(policy, cluster, w))
            .map(|(i, _)| i)
            .collect()
    };
    let policies = &cluster.authorization_policies;
    let denies: Vec<(usize, BTreeSet<usize>)> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.action == Action::Deny)
        .map(|(i, p)| (i, targets(p)))
        .collect();
    let mut out = Vec::new();
    for (ai, allow) in policies.iter().enumerate() {
        if allow.action != Action::Allow {
            continue;
        }
        let allow_targets = targets(allow);
        if allow_targets.is_empty() {
            continue;
        }
        for (ri, rule) in allow.rules.iter().enumerate() {
            let shadow = denies
                .iter()
                .filter(|(_, deny_targets)| allow_targets.is_subset(deny_targets))
                .find_map(|&(di, _)| {
                    policies[di]
                        .rules
                        .iter()
                        .enumerate()
                        .find(|(_, deny_rule)| rule_shadows(deny_rule, rule))
                        .map(|(dri, deny_rule)| RuleRef {
                            policy: di,
                            rule: dri,
                            line: deny_rule.line,
                        })
                });
            if let Some(denied_by) = shadow {
                out.push(ShadowedRule {
                    allow: RuleRef {
                        policy: ai,
                        rule: ri,
                        line: rule.line,
                    },
                    denied_by,
                });
            }
        }
    }
    out
}
