//! The reachability engine: which connections NetworkPolicies allow between endpoints.
//!
//! What: pods are grouped into equivalence classes (same namespace, labels, named ports
//! and host networking: no policy can tell them apart), external addresses into atoms
//! (ranges every `ipBlock` contains fully or not at all; sources are cut by ingress
//! blocks, destinations by egress blocks). A connection from A to B is allowed when B's
//! ingress allows it AND A's egress allows it. A direction is allowed by default until a
//! policy of that direction selects the pod; then it is the union of those policies'
//! rules. Named ports resolve against the destination pod's container ports.
//!
//! Why: PCI DSS 1.2.1, 1.3.1, 1.3.2, 1.4.1 and 11.4.5: what can reach the CDE must be
//! known exactly, with the policies responsible, and fast enough for whole clusters
//! (classes instead of pod pairs).
//!
//! Example: a policy selecting `app=db` with `ingress: [{from: [{podSelector: {matchLabels:
//! {app: api}}}], ports: [{port: 5432}]}]` makes `api -> db` allowed on TCP 5432 only,
//! explained by that policy's rule (file:line), and every other source blocked, explained
//! by the policy that isolates `db`.
//!
//! Host-network pods: Kubernetes leaves their policy behaviour undefined. By default
//! ([`HostNetwork::Unenforced`], what Calico, Cilium and most CNIs do) policies do not
//! select them, pod selectors do not match them as peers, and as sources they count as
//! an unknown node address that any `ipBlock` may contain (so segmentation stays sound).
//! [`HostNetwork::LikePods`] treats them as ordinary pods (IBM network-config-analyzer).

use std::collections::HashMap;

use crate::cluster::{Cluster, Workload};
use crate::ipset::{IpRange, IpSet, partition};
use crate::policy::{Direction, NamespaceScope, Peer, Policy, Rule};
use crate::ports::{Conns, NamedPorts, resolve_all};
use crate::selector::Labels;

/// How host-network pods are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostNetwork {
    #[default]
    Unenforced,
    LikePods,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub host_network: HostNetwork,
}

/// Pods no NetworkPolicy can tell apart.
#[derive(Clone, Debug)]
pub struct PodClass {
    pub namespace: String,
    pub labels: Labels,
    pub named_ports: NamedPorts,
    pub host_network: bool,
    /// Indexes into `Cluster::workloads`.
    pub members: Vec<usize>,
}

/// One side of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Class(usize),
    Ip(IpRange),
}

/// A rule that let traffic through: the policy, the rule's index and line, and what it
/// allows for this pair.
#[derive(Clone, Debug)]
pub struct Allowance {
    pub policy: usize,
    pub rule_index: usize,
    pub rule_line: u32,
    pub conns: Conns,
}

/// The verdict of one direction for one pair.
#[derive(Clone, Debug)]
pub struct DirectionVerdict {
    pub direction: Direction,
    /// False when no policy of this direction applies (default allow, or external side).
    pub isolated: bool,
    /// Policies of this direction selecting the pod (they decide).
    pub selecting: Vec<usize>,
    /// Rules that allow some of the traffic.
    pub allowances: Vec<Allowance>,
    pub conns: Conns,
    /// Why the direction is not enforced, when it is not.
    pub unenforced_reason: Option<&'static str>,
}

/// The verdict for a pair: allowed connections and both directions' reasons.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub conns: Conns,
    pub egress: DirectionVerdict,
    pub ingress: DirectionVerdict,
}

pub(crate) struct CompiledRule {
    pub(crate) policy: usize,
    pub(crate) direction: Direction,
    pub(crate) index: usize,
    /// Classes the peers match (sorted); `None` = every peer.
    pub(crate) classes: Option<Vec<usize>>,
    /// Addresses the peers match; every address when `classes` is `None`.
    addresses: IpSet,
    /// The rule's connections when they do not depend on the destination.
    pub(crate) fixed: Option<Conns>,
}

/// The analysed cluster.
pub struct Analysis<'c> {
    pub cluster: &'c Cluster,
    pub options: Options,
    pub classes: Vec<PodClass>,
    /// Workload index to class index.
    pub class_of: Vec<usize>,
    /// Per class: policies isolating its ingress / egress.
    selecting: [Vec<Vec<usize>>; 2],
    pub(crate) rules: Vec<CompiledRule>,
    /// Per policy and direction: its compiled rules.
    pub(crate) rules_of: Vec<[Vec<usize>; 2]>,
    /// Address atoms as sources (cut by ingress blocks) and destinations (egress blocks).
    pub source_atoms: Vec<IpRange>,
    pub destination_atoms: Vec<IpRange>,
}

pub(crate) fn dir_index(direction: Direction) -> usize {
    match direction {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

impl<'c> Analysis<'c> {
    #[must_use]
    pub fn new(cluster: &'c Cluster, options: Options) -> Self {
        let (classes, class_of) = build_classes(&cluster.workloads);
        let mut analysis = Analysis {
            cluster,
            options,
            classes,
            class_of,
            selecting: [Vec::new(), Vec::new()],
            rules: Vec::new(),
            rules_of: Vec::new(),
            source_atoms: Vec::new(),
            destination_atoms: Vec::new(),
        };
        analysis.selecting = [
            analysis.compute_selecting(Direction::Ingress),
            analysis.compute_selecting(Direction::Egress),
        ];
        analysis.compile_rules();
        let blocks = |direction: Direction| -> Vec<IpSet> {
            analysis
                .rules
                .iter()
                .filter(|r| r.direction == direction && r.classes.is_some())
                .map(|r| r.addresses.clone())
                .collect()
        };
        let (ingress_blocks, egress_blocks) =
            (blocks(Direction::Ingress), blocks(Direction::Egress));
        analysis.source_atoms = partition(&ingress_blocks);
        analysis.destination_atoms = partition(&egress_blocks);
        analysis
    }

    fn policy_applies_to(&self, policy: &Policy, class: &PodClass) -> bool {
        let enforced = !class.host_network || self.options.host_network == HostNetwork::LikePods;
        enforced
            && policy.namespace == class.namespace
            && policy.pod_selector.matches(&class.labels)
    }

    fn compute_selecting(&self, direction: Direction) -> Vec<Vec<usize>> {
        self.classes
            .iter()
            .map(|class| {
                self.cluster
                    .policies
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p.rules(direction).is_some() && self.policy_applies_to(p, class)
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect()
    }

    fn namespace_labels(&self, namespace: &str) -> Option<&Labels> {
        self.cluster.namespaces.get(namespace).map(|n| &n.labels)
    }

    /// Whether a pod peer matches a class.
    pub(crate) fn peer_matches_class(&self, peer: &Peer, class: &PodClass) -> bool {
        let host_unknown =
            class.host_network && self.options.host_network == HostNetwork::Unenforced;
        match peer {
            Peer::IpBlock { addresses, .. } => host_unknown && !addresses.is_empty(),
            Peer::Pods { .. } if host_unknown => false,
            Peer::Pods {
                namespaces, pods, ..
            } => {
                let in_scope = match namespaces {
                    NamespaceScope::Own(ns) => *ns == class.namespace,
                    NamespaceScope::Selected(selector) => self
                        .namespace_labels(&class.namespace)
                        .is_some_and(|labels| selector.matches(labels)),
                };
                in_scope && pods.matches(&class.labels)
            }
        }
    }

    fn compile_rules(&mut self) {
        let mut rules = Vec::new();
        let mut rules_of = Vec::with_capacity(self.cluster.policies.len());
        for (pi, policy) in self.cluster.policies.iter().enumerate() {
            let mut per_direction: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
            for direction in [Direction::Ingress, Direction::Egress] {
                for (index, rule) in policy
                    .rules(direction)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    per_direction[dir_index(direction)].push(rules.len());
                    rules.push(self.compile_rule(pi, direction, index, rule));
                }
            }
            rules_of.push(per_direction);
        }
        self.rules = rules;
        self.rules_of = rules_of;
    }

    fn compile_rule(
        &self,
        policy: usize,
        direction: Direction,
        index: usize,
        rule: &Rule,
    ) -> CompiledRule {
        let fixed = (!rule.ports.iter().any(crate::ports::PortSpec::is_named))
            .then(|| resolve_all(&rule.ports, None));
        let (classes, addresses) = match &rule.peers {
            None => (None, IpSet::everything()),
            Some(peers) => {
                let classes = (0..self.classes.len())
                    .filter(|&c| {
                        peers
                            .iter()
                            .any(|p| self.peer_matches_class(p, &self.classes[c]))
                    })
                    .collect();
                let ranges = peers
                    .iter()
                    .filter_map(|p| match p {
                        Peer::IpBlock { addresses, .. } => Some(addresses.ranges().to_vec()),
                        Peer::Pods { .. } => None,
                    })
                    .flatten()
                    .collect();
                (Some(classes), IpSet::from_ranges(ranges))
            }
        };
        CompiledRule {
            policy,
            direction,
            index,
            classes,
            addresses,
            fixed,
        }
    }

    pub(crate) fn rule_line(&self, rule: &CompiledRule) -> u32 {
        self.cluster.policies[rule.policy]
            .rules(rule.direction)
            .and_then(|rules| rules.get(rule.index))
            .map_or(0, |r| r.line)
    }

    pub(crate) fn rule_conns(
        &self,
        rule: &CompiledRule,
        destination: Option<&NamedPorts>,
    ) -> Conns {
        match &rule.fixed {
            Some(conns) => conns.clone(),
            None => {
                let spec = &self.cluster.policies[rule.policy]
                    .rules(rule.direction)
                    .unwrap_or_default()[rule.index];
                resolve_all(&spec.ports, destination)
            }
        }
    }

    pub(crate) fn rule_matches(&self, rule: &CompiledRule, peer: Endpoint) -> bool {
        match (&rule.classes, peer) {
            (None, _) => true,
            (Some(classes), Endpoint::Class(c)) => classes.binary_search(&c).is_ok(),
            (Some(_), Endpoint::Ip(range)) => rule.addresses.contains_range(&range),
        }
    }

    /// The verdict of one direction: `subject` is the pod whose policies apply
    /// (destination for ingress, source for egress), `peer` the other side.
    #[must_use]
    pub fn direction_verdict(
        &self,
        direction: Direction,
        subject: Endpoint,
        peer: Endpoint,
        destination: Endpoint,
    ) -> DirectionVerdict {
        let open = |reason: &'static str| DirectionVerdict {
            direction,
            isolated: false,
            selecting: Vec::new(),
            allowances: Vec::new(),
            conns: Conns::all(),
            unenforced_reason: Some(reason),
        };
        let Endpoint::Class(class) = subject else {
            return open("external address: not governed by NetworkPolicy");
        };
        let selecting = &self.selecting[dir_index(direction)][class];
        if selecting.is_empty() {
            return open(
                if self.classes[class].host_network
                    && self.options.host_network == HostNetwork::Unenforced
                {
                    "host-network pod: NetworkPolicy does not apply"
                } else {
                    "no policy of this direction selects the pod (default allow)"
                },
            );
        }
        let named = match destination {
            Endpoint::Class(d) => Some(&self.classes[d].named_ports),
            Endpoint::Ip(_) => None,
        };
        let mut conns = Conns::none();
        let mut allowances = Vec::new();
        for &policy in selecting {
            for &ri in &self.rules_of[policy][dir_index(direction)] {
                let rule = &self.rules[ri];
                if !self.rule_matches(rule, peer) {
                    continue;
                }
                let allowed = self.rule_conns(rule, named);
                if allowed.is_empty() {
                    continue;
                }
                conns = conns.union(&allowed);
                allowances.push(Allowance {
                    policy,
                    rule_index: rule.index,
                    rule_line: self.rule_line(rule),
                    conns: allowed,
                });
            }
        }
        DirectionVerdict {
            direction,
            isolated: true,
            selecting: selecting.clone(),
            allowances,
            conns,
            unenforced_reason: None,
        }
    }

    /// The full verdict for `source -> destination`, with the policies responsible.
    #[must_use]
    pub fn verdict(&self, source: Endpoint, destination: Endpoint) -> Verdict {
        let egress = self.direction_verdict(Direction::Egress, source, destination, destination);
        let ingress = self.direction_verdict(Direction::Ingress, destination, source, destination);
        Verdict {
            conns: egress.conns.intersect(&ingress.conns),
            egress,
            ingress,
        }
    }

    /// The class of a workload.
    #[must_use]
    pub fn endpoint_of(&self, workload: usize) -> Endpoint {
        Endpoint::Class(self.class_of[workload])
    }

    /// The source or destination atom holding `range`'s first address.
    #[must_use]
    pub fn atom_of(&self, range: IpRange, as_source: bool) -> IpRange {
        let atoms = if as_source {
            &self.source_atoms
        } else {
            &self.destination_atoms
        };
        atoms
            .iter()
            .find(|a| a.family == range.family && a.first <= range.first && range.first <= a.last)
            .copied()
            .unwrap_or(range)
    }

    /// Display name of an endpoint: the class's workloads, or the address range.
    #[must_use]
    pub fn endpoint_name(&self, endpoint: Endpoint) -> String {
        match endpoint {
            Endpoint::Ip(range) => range.to_string(),
            Endpoint::Class(c) => self.class_name(c),
        }
    }

    /// `ns/name[Kind]` of the class's single workload, or `ns/[labels]` with the members.
    #[must_use]
    pub fn class_name(&self, class: usize) -> String {
        let members: Vec<&Workload> = self.classes[class]
            .members
            .iter()
            .map(|&w| &self.cluster.workloads[w])
            .collect();
        let mut names: Vec<String> = members.iter().map(|w| w.display()).collect();
        names.dedup();
        if names.len() == 1 {
            return names.remove(0);
        }
        let labels: Vec<String> = self.classes[class]
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{}/[{}]", self.classes[class].namespace, labels.join(","))
    }

    /// Policies isolating a class in a direction.
    #[must_use]
    pub fn selecting(&self, direction: Direction, class: usize) -> &[usize] {
        &self.selecting[dir_index(direction)][class]
    }

    /// Calls `visit(source, destination, conns)` for every pair with some allowed
    /// connection: class to class, source atom to class, class to destination atom.
    /// Rows and columns are computed once per distinct set of selecting policies.
    pub fn for_each_edge(&self, mut visit: impl FnMut(Endpoint, Endpoint, &Conns)) {
        let mut table = ConnTable::default();
        let all = table.intern(Conns::all());
        let none = table.intern(Conns::none());
        let n = self.classes.len();
        let named_profile: Vec<u32> = {
            let mut ids: HashMap<&NamedPorts, u32> = HashMap::new();
            self.classes
                .iter()
                .map(|c| {
                    let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                    *ids.entry(&c.named_ports).or_insert(next)
                })
                .collect()
        };
        let mut rule_cache: HashMap<(usize, Option<u32>), u32> = HashMap::new();
        let mut rule_conn = |table: &mut ConnTable, ri: usize, dest: Option<usize>| -> u32 {
            let rule = &self.rules[ri];
            let key = (
                ri,
                if rule.fixed.is_some() {
                    None
                } else {
                    dest.map(|d| named_profile[d])
                },
            );
            if let Some(&id) = rule_cache.get(&key) {
                return id;
            }
            let conns = self.rule_conns(rule, dest.map(|d| &self.classes[d].named_ports));
            let id = table.intern(conns);
            rule_cache.insert(key, id);
            id
        };

        // Egress rows, one per distinct set of selecting policies.
        let mut row_index: HashMap<&[usize], usize> = HashMap::new();
        let mut rows: Vec<Vec<u32>> = Vec::new();
        let mut row_of = Vec::with_capacity(n);
        for s in 0..n {
            let selecting = self.selecting[1][s].as_slice();
            let id = if let Some(&id) = row_index.get(selecting) {
                id
            } else {
                let row = if selecting.is_empty() {
                    Vec::new()
                } else {
                    let mut row = vec![none; n + self.destination_atoms.len()];
                    for &p in selecting {
                        for &ri in &self.rules_of[p][1] {
                            match &self.rules[ri].classes {
                                None => {
                                    for (d, cell) in row.iter_mut().enumerate() {
                                        let c = rule_conn(&mut table, ri, (d < n).then_some(d));
                                        *cell = table.union(*cell, c);
                                    }
                                }
                                Some(classes) => {
                                    for &d in classes {
                                        let c = rule_conn(&mut table, ri, Some(d));
                                        row[d] = table.union(row[d], c);
                                    }
                                    for (a, atom) in self.destination_atoms.iter().enumerate() {
                                        if self.rules[ri].addresses.contains_range(atom) {
                                            let c = rule_conn(&mut table, ri, None);
                                            row[n + a] = table.union(row[n + a], c);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    row
                };
                rows.push(row);
                row_index.insert(selecting, rows.len() - 1);
                rows.len() - 1
            };
            row_of.push(id);
        }
        let egress = |s: usize, d: usize| -> u32 {
            let row = &rows[row_of[s]];
            if row.is_empty() { all } else { row[d] }
        };

        // Ingress columns, per destination, cached by (selecting policies, named ports).
        let mut column_index: HashMap<(&[usize], u32), Vec<u32>> = HashMap::new();
        for (d, &profile) in named_profile.iter().enumerate() {
            let selecting = self.selecting[0][d].as_slice();
            let column = column_index.entry((selecting, profile)).or_insert_with(|| {
                if selecting.is_empty() {
                    Vec::new()
                } else {
                    let mut column = vec![none; n + self.source_atoms.len()];
                    for &p in selecting {
                        for &ri in &self.rules_of[p][0] {
                            let c = rule_conn(&mut table, ri, Some(d));
                            match &self.rules[ri].classes {
                                None => {
                                    for cell in &mut column {
                                        *cell = table.union(*cell, c);
                                    }
                                }
                                Some(classes) => {
                                    for &s in classes {
                                        column[s] = table.union(column[s], c);
                                    }
                                    for (a, atom) in self.source_atoms.iter().enumerate() {
                                        if self.rules[ri].addresses.contains_range(atom) {
                                            column[n + a] = table.union(column[n + a], c);
                                        }
                                    }
                                }
                            }
                        }
                    }
                    column
                }
            });
            let ingress = |s: usize| -> u32 { if column.is_empty() { all } else { column[s] } };
            for s in 0..n {
                let cell = table.intersect(egress(s, d), ingress(s));
                if cell != none {
                    visit(Endpoint::Class(s), Endpoint::Class(d), table.get(cell));
                }
            }
            for (a, atom) in self.source_atoms.iter().enumerate() {
                let cell = ingress(n + a);
                if cell != none {
                    visit(Endpoint::Ip(*atom), Endpoint::Class(d), table.get(cell));
                }
            }
        }
        for s in 0..n {
            for (a, atom) in self.destination_atoms.iter().enumerate() {
                let cell = egress(s, n + a);
                if cell != none {
                    visit(Endpoint::Class(s), Endpoint::Ip(*atom), table.get(cell));
                }
            }
        }
    }
}

/// Interned connection sets with memoised union and intersection.
#[derive(Default)]
struct ConnTable {
    sets: Vec<Conns>,
    ids: HashMap<Conns, u32>,
    unions: HashMap<(u32, u32), u32>,
    intersections: HashMap<(u32, u32), u32>,
}

impl ConnTable {
    fn intern(&mut self, conns: Conns) -> u32 {
        if let Some(&id) = self.ids.get(&conns) {
            return id;
        }
        let id = u32::try_from(self.sets.len()).unwrap_or(u32::MAX);
        self.sets.push(conns.clone());
        self.ids.insert(conns, id);
        id
    }

    fn get(&self, id: u32) -> &Conns {
        &self.sets[id as usize]
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == b {
            return a;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.unions.get(&key) {
            return id;
        }
        let conns = self.sets[a as usize].union(&self.sets[b as usize]);
        let id = self.intern(conns);
        self.unions.insert(key, id);
        id
    }

    fn intersect(&mut self, a: u32, b: u32) -> u32 {
        if a == b {
            return a;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.intersections.get(&key) {
            return id;
        }
        let conns = self.sets[a as usize].intersect(&self.sets[b as usize]);
        let id = self.intern(conns);
        self.intersections.insert(key, id);
        id
    }
}

fn build_classes(workloads: &[Workload]) -> (Vec<PodClass>, Vec<usize>) {
    let mut index: HashMap<(&str, &Labels, &NamedPorts, bool), usize> = HashMap::new();
    let mut classes: Vec<PodClass> = Vec::new();
    let mut class_of = Vec::with_capacity(workloads.len());
    for (wi, w) in workloads.iter().enumerate() {
        let key = (
            w.namespace.as_str(),
            &w.labels,
            &w.named_ports,
            w.host_network,
        );
        let ci = *index.entry(key).or_insert_with(|| {
            classes.push(PodClass {
                namespace: w.namespace.clone(),
                labels: w.labels.clone(),
                named_ports: w.named_ports.clone(),
                host_network: w.host_network,
                members: Vec::new(),
            });
            classes.len() - 1
        });
        classes[ci].members.push(wi);
        class_of.push(ci);
    }
    (classes, class_of)
}
