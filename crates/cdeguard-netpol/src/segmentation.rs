//! The segmentation test (PCI DSS 11.4.5): proof that out-of-scope systems cannot reach
//! the CDE.
//!
//! What: the subjects are every workload that is neither CDE nor declared
//! `pci.cdeguard.io/scope: connected` (on itself or its namespace); a new unlabelled pod
//! in every namespace that is neither CDE nor connected (what anyone allowed to deploy
//! there gets); a new pod in a new namespace; and every external address range (the atoms
//! of the ingress `ipBlock`s). For each subject the test proves that NetworkPolicies allow
//! no connection into any CDE workload, or lists each allowed path with the policies
//! responsible. The result is the evidence 11.4.5 asks for.
//!
//! Why: PCI DSS 11.4.5 requires that segmentation controls be tested to confirm they
//! isolate out-of-scope systems from the CDE; a policy matrix is that test for a cluster.
//!
//! Example: a `default-deny` in the CDE namespace plus one rule allowing `storefront`
//! passes only if `storefront` is declared connected; an `ingress: [{}]` on a CDE pod
//! fails for every subject, citing that rule.
//!
//! Findings: a CDE workload on the host network, not isolated for ingress or egress,
//! allowed to the internet, exposed by a NodePort/LoadBalancer Service or by an Ingress or
//! HTTPRoute routing to a Service that selects it; a NetworkPolicy selecting no workload,
//! a redundant NetworkPolicy rule and an ALLOW rule a DENY shadows (1.2.7: stale or
//! ineffective rules, see [`crate::redundancy`]); in a mesh, CDE workloads without enforced
//! mTLS and CDE ports a client reaches in plaintext (4.2.1).
//!
//! Fix: add default-deny ingress to the CDE namespaces and allow only declared
//! connected-to workloads; or declare the workload connected (it is then in scope).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cluster::Cluster;
use crate::engine::{Analysis, Endpoint, HostNetwork, Options};
use crate::ipset::parse_cidr;
use crate::matrix::{Explanation, explain};
use crate::mesh::MtlsStatus;
use crate::mesh_verdict::{Client, Mesh, MeshVerdict, Transport, any_open};
use crate::policy::{Direction, Policy};
use crate::redundancy::{redundant_peers, redundant_rules, shadowed_allow_rules};
use crate::scope::{SCOPE_KEY, cde_reason};
use crate::selector::Labels;

/// Namespace of the "pod in a new namespace" subject.
pub const NEW_NAMESPACE: &str = "cdeguard-segmentation-new-namespace";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    Workload,
    Namespace,
    External,
}

/// One subject and what it can reach in the CDE.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectResult {
    pub kind: SubjectKind,
    pub subject: String,
    pub isolated: bool,
    /// Open paths: NetworkPolicy allows them and, in a mesh, Istio does too.
    pub paths: Vec<Explanation>,
    /// Paths NetworkPolicy allows but the mesh closes (broken transport or denied).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub closed_by_mesh: Vec<Explanation>,
}

/// The test result.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentationReport {
    pub requirement: &'static str,
    pub passed: bool,
    pub cde: Vec<String>,
    pub subjects: Vec<SubjectResult>,
    /// Istio mTLS of each CDE workload (PCI DSS 4.2.1; reported, not part of the verdict).
    pub mtls: Vec<MtlsStatus>,
    /// Weaknesses around the CDE that do not by themselves open a path into it.
    pub findings: Vec<Finding>,
}

/// A weakness of the CDE's network controls.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// PCI DSS v4.0.1 requirement.
    pub requirement: &'static str,
    pub message: String,
    /// The object at fault: kind, namespace, name, file and line.
    pub object: ObjectRef,
}

/// An object of the manifests.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub line: u32,
}

impl ObjectRef {
    /// The workload's object.
    #[must_use]
    pub fn workload(workload: &crate::cluster::Workload) -> Self {
        ObjectRef {
            kind: workload.kind.clone(),
            namespace: workload.namespace.clone(),
            name: workload.name.clone(),
            path: workload.path.clone(),
            line: workload.line,
        }
    }
}

/// What a finding is about (one rule id each in scan reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    HostNetworkCde,
    IngressNotIsolated,
    EgressNotIsolated,
    EgressToInternet,
    ExposedOutsideCluster,
    MtlsNotEnforced,
    PlaintextIntoCde,
    PolicySelectsNothing,
    RedundantRule,
    ShadowedAllowRule,
}

/// Private, loopback and link-local ranges: destinations that are not the internet.
const NOT_INTERNET: [&str; 7] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
];

fn class_object(analysis: &Analysis<'_>, class: usize) -> ObjectRef {
    ObjectRef::workload(&analysis.cluster.workloads[analysis.classes[class].members[0]])
}

fn findings(analysis: &Analysis<'_>, cde_classes: &BTreeSet<usize>) -> Vec<Finding> {
    let cluster = analysis.cluster;
    let mut out = Vec::new();
    for &class in cde_classes {
        let name = analysis.class_name(class);
        let object = class_object(analysis, class);
        let mut push = |kind, requirement, message| {
            out.push(Finding {
                kind,
                requirement,
                message,
                object: object.clone(),
            });
        };
        if analysis.classes[class].host_network
            && analysis.options.host_network == HostNetwork::Unenforced
        {
            push(
                FindingKind::HostNetworkCde,
                "1.3.1",
                format!(
                    "CDE workload {name} uses the host network: NetworkPolicy cannot isolate it (remove `hostNetwork`)"
                ),
            );
        } else if analysis.selecting(Direction::Ingress, class).is_empty() {
            push(
                FindingKind::IngressNotIsolated,
                "1.3.1",
                format!(
                    "CDE workload {name} is not isolated for ingress: no NetworkPolicy selects it (add a default-deny ingress policy)"
                ),
            );
        }
        if analysis.selecting(Direction::Egress, class).is_empty()
            && !analysis.classes[class].host_network
        {
            push(
                FindingKind::EgressNotIsolated,
                "1.3.2",
                format!(
                    "CDE workload {name} is not isolated for egress: no NetworkPolicy selects it (add a default-deny egress policy)"
                ),
            );
        }
        for atom in &analysis.destination_atoms {
            let internal = NOT_INTERNET
                .iter()
                .filter_map(|cidr| parse_cidr(cidr).ok())
                .any(|range| {
                    range.family == atom.family
                        && range.first <= atom.first
                        && atom.last <= range.last
                });
            if internal {
                continue;
            }
            let verdict = analysis.verdict(Endpoint::Class(class), Endpoint::Ip(*atom));
            if !verdict.conns.is_empty() {
                let allowed_by: Vec<String> = verdict
                    .egress
                    .allowances
                    .iter()
                    .map(|a| cluster.policies[a.policy].reference())
                    .collect();
                push(
                    FindingKind::EgressToInternet,
                    "1.3.2",
                    format!(
                        "CDE workload {name} may connect to {atom}, which includes internet addresses ({}){}",
                        verdict.conns,
                        if allowed_by.is_empty() {
                            String::new()
                        } else {
                            format!(", allowed by {}", allowed_by.join(", "))
                        }
                    ),
                );
            }
        }
    }
    for policy in &cluster.policies {
        let selects_some = cluster.workloads.iter().any(|w| {
            w.kind != "Probe"
                && w.namespace == policy.namespace
                && policy.pod_selector.matches(&w.labels)
        });
        if !selects_some {
            out.push(Finding {
                kind: FindingKind::PolicySelectsNothing,
                requirement: "1.2.7",
                message: format!(
                    "NetworkPolicy {} selects no workload of the manifests: a stale or mistyped selector (fix the podSelector or delete the policy)",
                    policy.reference()
                ),
                object: policy_object(policy, policy.line),
            });
        }
    }
    let exposed_by = |service: &crate::cluster::Service| -> Vec<String> {
        cde_classes
            .iter()
            .filter(|&&c| {
                analysis.classes[c]
                    .members
                    .iter()
                    .any(|&w| service.selects(&cluster.workloads[w]))
            })
            .map(|&c| analysis.class_name(c))
            .collect()
    };
    for service in &cluster.services {
        if !matches!(service.service_type.as_str(), "NodePort" | "LoadBalancer") {
            continue;
        }
        let exposed = exposed_by(service);
        if !exposed.is_empty() {
            out.push(Finding {
                kind: FindingKind::ExposedOutsideCluster,
                requirement: "1.4.1",
                message: format!(
                    "{} Service {}/{} exposes CDE workload(s) {} outside the cluster",
                    service.service_type,
                    service.namespace,
                    service.name,
                    exposed.join(", ")
                ),
                object: ObjectRef {
                    kind: "Service".to_owned(),
                    namespace: service.namespace.clone(),
                    name: service.name.clone(),
                    path: service.path.clone(),
                    line: service.line,
                },
            });
        }
    }
    for route in &cluster.routes {
        for service in cluster.services.iter().filter(|s| {
            route
                .backends
                .contains(&(s.namespace.clone(), s.name.clone()))
        }) {
            let exposed = exposed_by(service);
            if exposed.is_empty() {
                continue;
            }
            out.push(Finding {
                kind: FindingKind::ExposedOutsideCluster,
                requirement: "1.4.1",
                message: format!(
                    "{} {}/{} routes traffic from outside the cluster to Service {}/{}, which selects CDE workload(s) {}",
                    route.kind,
                    route.namespace,
                    route.name,
                    service.namespace,
                    service.name,
                    exposed.join(", ")
                ),
                object: ObjectRef {
                    kind: route.kind.clone(),
                    namespace: route.namespace.clone(),
                    name: route.name.clone(),
                    path: route.path.clone(),
                    line: route.line,
                },
            });
        }
    }
    out.extend(redundancy_findings(analysis));
    out
}

/// A NetworkPolicy at one of its lines.
fn policy_object(policy: &Policy, line: u32) -> ObjectRef {
    ObjectRef {
        kind: "NetworkPolicy".to_owned(),
        namespace: policy.namespace.clone(),
        name: policy.name.clone(),
        path: policy.path.clone(),
        line,
    }
}

fn redundant_finding(policy: &Policy, line: u32, message: String) -> Finding {
    Finding {
        kind: FindingKind::RedundantRule,
        requirement: "1.2.7",
        message,
        object: policy_object(policy, line),
    }
}

/// Redundant NetworkPolicy rules and peers, shadowed AuthorizationPolicy ALLOW rules
/// (1.2.7).
fn redundancy_findings(analysis: &Analysis<'_>) -> Vec<Finding> {
    let cluster = analysis.cluster;
    let mut out = Vec::new();
    for found in redundant_rules(analysis) {
        let policy = &cluster.policies[found.redundant.policy];
        let covering = &cluster.policies[found.covered_by.policy];
        let direction = format!("{:?}", found.direction).to_lowercase();
        out.push(redundant_finding(
            policy,
            found.redundant.line,
            format!(
                "{direction} rule {} of NetworkPolicy {} (line {}) allows nothing that {direction} rule {} of {} (line {}) does not already allow: remove it or narrow the covering rule",
                found.redundant.rule + 1,
                policy.reference(),
                found.redundant.line,
                found.covered_by.rule + 1,
                covering.reference(),
                found.covered_by.line,
            ),
        ));
    }
    for found in redundant_peers(analysis) {
        let policy = &cluster.policies[found.rule.policy];
        let direction = format!("{:?}", found.direction).to_lowercase();
        out.push(redundant_finding(
            policy,
            found.peer.1,
            format!(
                "peer {} (line {}) of {direction} rule {} of NetworkPolicy {} is redundant: peer {} (line {}) of the same rule already matches everything it matches",
                found.peer.0 + 1,
                found.peer.1,
                found.rule.rule + 1,
                policy.reference(),
                found.covered_by.0 + 1,
                found.covered_by.1,
            ),
        ));
    }
    for found in shadowed_allow_rules(cluster) {
        let allow = &cluster.authorization_policies[found.allow.policy];
        let deny = &cluster.authorization_policies[found.denied_by.policy];
        let path = allow
            .location
            .rsplit_once(':')
            .map_or(allow.location.as_str(), |(path, _)| path);
        out.push(Finding {
            kind: FindingKind::ShadowedAllowRule,
            requirement: "1.2.7",
            message: format!(
                "ALLOW rule {} of {} (line {}) never applies: DENY rule {} of {} (line {}) matches every request it matches",
                found.allow.rule + 1,
                allow.reference(),
                found.allow.line,
                found.denied_by.rule + 1,
                deny.reference(),
                found.denied_by.line,
            ),
            object: ObjectRef {
                kind: "AuthorizationPolicy".to_owned(),
                namespace: allow.namespace.clone(),
                name: allow.name.clone(),
                path: path.to_owned(),
                line: found.allow.line,
            },
        });
    }
    out
}

/// Mesh findings: CDE workloads whose mTLS is not enforced, and ports of CDE workloads
/// that some allowed client reaches in plaintext (one finding per workload and port).
fn mesh_findings(
    analysis: &Analysis<'_>,
    mesh: &Mesh<'_>,
    cde_workloads: &BTreeSet<usize>,
    mtls: &[MtlsStatus],
) -> Vec<Finding> {
    let cluster = analysis.cluster;
    let mut out = Vec::new();
    for (&w, status) in cde_workloads.iter().zip(mtls) {
        if status.enforced {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::MtlsNotEnforced,
            requirement: "4.2.1",
            message: format!(
                "CDE workload {} does not enforce mTLS: {}",
                status.workload,
                status.describe()
            ),
            object: ObjectRef::workload(&cluster.workloads[w]),
        });
    }
    let sources: Vec<(Endpoint, Client, String)> = (0..analysis.classes.len())
        .filter_map(|c| {
            let &member = analysis.classes[c].members.first()?;
            Some((
                Endpoint::Class(c),
                Client::Workload(member),
                analysis.class_name(c),
            ))
        })
        .chain(
            analysis
                .source_atoms
                .iter()
                .map(|a| (Endpoint::Ip(*a), Client::Address(*a), a.to_string())),
        )
        .collect();
    for &w in cde_workloads {
        let destination = analysis.endpoint_of(w);
        // Port label to the clients that reach it in plaintext.
        let mut plaintext: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (source, client, name) in &sources {
            if *source == destination {
                continue;
            }
            let verdict = analysis.verdict(*source, destination);
            if verdict.conns.is_empty() {
                continue;
            }
            for v in mesh.verdicts(*client, w, &verdict.conns) {
                if v.open && v.transport == Transport::Plaintext {
                    plaintext.entry(v.ports).or_default().push(name.clone());
                }
            }
        }
        for (ports, clients) in plaintext {
            let shown: Vec<&str> = clients.iter().take(3).map(String::as_str).collect();
            let more = clients.len().saturating_sub(shown.len());
            out.push(Finding {
                kind: FindingKind::PlaintextIntoCde,
                requirement: "4.2.1",
                message: format!(
                    "CDE workload {} accepts plaintext on {ports} from {}{} (PCI DSS 4.2.1, 1.3.1: require STRICT mTLS)",
                    cluster.workloads[w].display(),
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
                object: ObjectRef::workload(&cluster.workloads[w]),
            });
        }
    }
    out
}

fn namespace_declared(cluster: &Cluster, namespace: &str, value: &str) -> bool {
    cluster.namespaces.get(namespace).is_some_and(|ns| {
        ns.labels
            .get(SCOPE_KEY)
            .or_else(|| ns.annotations.get(SCOPE_KEY))
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    })
}

/// Runs the segmentation test.
#[must_use]
pub fn test(cluster: &Cluster, options: Options) -> SegmentationReport {
    let mut probed = cluster.clone();
    let cde_workloads: BTreeSet<usize> = cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| cde_reason(cluster, w).is_some())
        .map(|(i, _)| i)
        .collect();
    let cde_namespaces: BTreeSet<&str> = cde_workloads
        .iter()
        .map(|&i| cluster.workloads[i].namespace.as_str())
        .collect();
    let mut subjects: Vec<(SubjectKind, String, usize)> = Vec::new();
    for (i, w) in cluster.workloads.iter().enumerate() {
        let connected = w
            .labels
            .get(SCOPE_KEY)
            .or_else(|| w.annotations.get(SCOPE_KEY))
            .is_some_and(|v| v.eq_ignore_ascii_case("connected"))
            || namespace_declared(cluster, &w.namespace, "connected");
        if !cde_workloads.contains(&i) && !connected {
            subjects.push((SubjectKind::Workload, w.display(), i));
        }
    }
    for name in cluster.namespaces.keys() {
        if cde_namespaces.contains(name.as_str())
            || namespace_declared(cluster, name, "connected")
            || namespace_declared(cluster, name, "cde")
        {
            continue;
        }
        let index = probed.add_probe_pod(name, Labels::new(), "<any new pod>");
        subjects.push((
            SubjectKind::Namespace,
            format!("{name}/<any new pod>"),
            index,
        ));
    }
    let index = probed.add_probe_pod(NEW_NAMESPACE, Labels::new(), "<any new pod>");
    subjects.push((
        SubjectKind::Namespace,
        "<any new namespace>/<any new pod>".to_owned(),
        index,
    ));

    let analysis = Analysis::new(&probed, options);
    let cde_classes: BTreeSet<usize> = cde_workloads
        .iter()
        .map(|&i| analysis.class_of[i])
        .collect();
    let cde_names: Vec<String> = cde_workloads
        .iter()
        .map(|&i| cluster.workloads[i].display())
        .collect();
    let mesh = Mesh::new(&probed);
    let mesh_present = mesh.present();
    // Open paths and paths the mesh closes, from one subject into every CDE class.
    let paths_from = |source: Endpoint, client: Client, name: &str| {
        let mut open = Vec::new();
        let mut closed = Vec::new();
        for &c in &cde_classes {
            let verdict = analysis.verdict(source, Endpoint::Class(c));
            if verdict.conns.is_empty() {
                continue;
            }
            let mut explanation =
                explain(&analysis, name.to_owned(), analysis.class_name(c), &verdict);
            if !mesh_present {
                open.push(explanation);
                continue;
            }
            // Members of a class may differ in sidecar or service account.
            let per_member: Vec<Vec<MeshVerdict>> = analysis.classes[c]
                .members
                .iter()
                .map(|&w| mesh.verdicts(client, w, &verdict.conns))
                .collect();
            match per_member.iter().find(|v| any_open(v)) {
                Some(verdicts) => {
                    explanation.mesh.clone_from(verdicts);
                    open.push(explanation);
                }
                None => {
                    explanation.mesh = per_member.into_iter().next().unwrap_or_default();
                    explanation.allowed = false;
                    closed.push(explanation);
                }
            }
        }
        (open, closed)
    };
    let mut results = Vec::new();
    for (kind, name, workload) in subjects {
        let client = match kind {
            SubjectKind::Namespace => Client::AnyPodLike(workload),
            _ => Client::Workload(workload),
        };
        let (paths, closed_by_mesh) = paths_from(analysis.endpoint_of(workload), client, &name);
        results.push(SubjectResult {
            kind,
            subject: name,
            isolated: paths.is_empty(),
            paths,
            closed_by_mesh,
        });
    }
    for atom in &analysis.source_atoms {
        let name = atom.to_string();
        let (paths, closed_by_mesh) =
            paths_from(Endpoint::Ip(*atom), Client::Address(*atom), &name);
        results.push(SubjectResult {
            kind: SubjectKind::External,
            subject: name,
            isolated: paths.is_empty(),
            paths,
            closed_by_mesh,
        });
    }
    let mtls: Vec<MtlsStatus> = cde_workloads
        .iter()
        .map(|&i| mesh.mtls[i].clone())
        .collect();
    let mut findings = findings(&analysis, &cde_classes);
    if mesh_present {
        findings.extend(mesh_findings(&analysis, &mesh, &cde_workloads, &mtls));
    }
    SegmentationReport {
        requirement: "PCI DSS v4.0.1 11.4.5",
        mtls,
        findings,
        passed: !cde_names.is_empty() && results.iter().all(|r| r.isolated),
        cde: cde_names,
        subjects: results,
    }
}
