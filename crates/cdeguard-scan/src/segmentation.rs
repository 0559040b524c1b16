//! Network segmentation findings in scan reports: the manifests' NetworkPolicies and
//! Istio configuration analysed by `cdeguard-netpol`, as findings next to the
//! configuration rules.
//!
//! What: when the Kubernetes manifests of a scan declare a CDE (`pci.cdeguard.io/scope:
//! cde` on a workload or namespace, or the other evidence `cdeguard scope` reads), the
//! segmentation test (`cdeguard netpol test`) runs on them and each of its results
//! becomes a finding with its own rule id: CDE reachable from an out-of-scope workload,
//! namespace or external range (with the path and the policies responsible), CDE
//! workloads not isolated for ingress or egress, on the host network, allowed to the
//! internet or exposed by a NodePort/LoadBalancer Service, NetworkPolicies that select
//! nothing, and in a mesh: mTLS not enforced and plaintext ports into the CDE. The
//! scope and reachability graph (SVG) goes to the HTML report. The per-namespace
//! default-deny check stays with rule CDG-PCI-008; these findings are per workload and
//! exact (what the policies allow, not how they are written).
//!
//! Why: PCI DSS 1.2-1.4, 4.2.1 and 11.4.5 evidence belongs in the same report as the
//! configuration findings, with accepted risks applied the same way.
//!
//! Example: `cdeguard scan examples/netpol/segmented examples/netpol/broken` reports
//! CDG-NET-001 for `marketing/<any new pod>` reaching `payments/checkout` on TCP 9090,
//! citing `allow-metrics-from-anywhere`.
//!
//! Fix: see each finding's remediation.

use cdeguard_model::report::RuleRun;
use cdeguard_model::{Finding, InputFormat, Inventory, Resource, Severity};
use cdeguard_netpol::segmentation::{self, FindingKind, ObjectRef};
use cdeguard_netpol::{Analysis, Cluster, Options};

/// One finding type: id, title, severity, PCI DSS requirements, help, remediation.
struct NetRule {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    pci: &'static [&'static str],
    help: &'static str,
    remediation: &'static str,
}

const REACHABLE: NetRule = NetRule {
    id: "CDG-NET-001",
    title: "CDE reachable from out of scope",
    severity: Severity::High,
    pci: &["11.4.5", "1.3.1", "1.4.2"],
    help: "The segmentation test found an allowed path from an out-of-scope workload, namespace or external range into the CDE (NetworkPolicy and, in a mesh, Istio both allow it).",
    remediation: "Restrict the NetworkPolicy or AuthorizationPolicy rule cited, or declare the source `pci.cdeguard.io/scope: connected` (it is then in scope).",
};

fn rule_of(kind: FindingKind) -> NetRule {
    let rule = |id, title, severity, pci, help, remediation| NetRule {
        id,
        title,
        severity,
        pci,
        help,
        remediation,
    };
    match kind {
        FindingKind::HostNetworkCde => rule(
            "CDG-NET-002",
            "CDE workload on the host network",
            Severity::High,
            &["1.3.1", "1.3.2"],
            "A CDE workload uses the node's network namespace: NetworkPolicy cannot isolate it.",
            "Remove `hostNetwork: true` from the CDE workload.",
        ),
        FindingKind::IngressNotIsolated => rule(
            "CDG-NET-003",
            "CDE workload not isolated for ingress",
            Severity::High,
            &["1.3.1"],
            "No NetworkPolicy with Ingress selects the CDE workload, so every source may connect to it.",
            "Add a default-deny ingress NetworkPolicy to the namespace and allow only the needed flows.",
        ),
        FindingKind::EgressNotIsolated => rule(
            "CDG-NET-004",
            "CDE workload not isolated for egress",
            Severity::Medium,
            &["1.3.2"],
            "No NetworkPolicy with Egress selects the CDE workload, so it may connect anywhere.",
            "Add a default-deny egress NetworkPolicy to the namespace and allow only the needed flows.",
        ),
        FindingKind::EgressToInternet => rule(
            "CDG-NET-005",
            "CDE egress to the internet",
            Severity::High,
            &["1.3.2", "1.4.4"],
            "NetworkPolicies allow a CDE workload to connect to public addresses.",
            "Restrict egress ipBlocks to the private ranges and named services the CDE needs.",
        ),
        FindingKind::ExposedOutsideCluster => rule(
            "CDG-NET-006",
            "CDE workload exposed outside the cluster",
            Severity::High,
            &["1.4.1", "1.3.1"],
            "A NodePort or LoadBalancer Service selects a CDE workload.",
            "Use a ClusterIP Service behind the ingress gateway (TLS, WAF) instead.",
        ),
        FindingKind::MtlsNotEnforced => rule(
            "CDG-NET-007",
            "CDE traffic without enforced mTLS",
            Severity::High,
            &["4.2.1"],
            "A CDE workload has no sidecar or a PeerAuthentication mode other than STRICT on some port, so it accepts plaintext.",
            "Inject the sidecar and apply a STRICT PeerAuthentication (no PERMISSIVE/DISABLE port overrides) to the CDE namespaces.",
        ),
        FindingKind::PlaintextIntoCde => rule(
            "CDG-NET-008",
            "Plaintext port into the CDE",
            Severity::High,
            &["4.2.1", "1.3.1"],
            "An allowed client reaches a CDE port in plaintext (no sidecar, PERMISSIVE/DISABLE port, or a DestinationRule with TLS DISABLE).",
            "Make the port STRICT and remove DestinationRule `tls.mode: DISABLE` for CDE hosts.",
        ),
        FindingKind::PolicySelectsNothing => rule(
            "CDG-NET-009",
            "NetworkPolicy selects nothing",
            Severity::Low,
            &["1.2.7"],
            "A NetworkPolicy's podSelector matches no workload of its namespace: a stale or mistyped rule that protects nothing.",
            "Fix the podSelector or delete the policy.",
        ),
    }
}

const KINDS: [FindingKind; 8] = [
    FindingKind::HostNetworkCde,
    FindingKind::IngressNotIsolated,
    FindingKind::EgressNotIsolated,
    FindingKind::EgressToInternet,
    FindingKind::ExposedOutsideCluster,
    FindingKind::MtlsNotEnforced,
    FindingKind::PlaintextIntoCde,
    FindingKind::PolicySelectsNothing,
];

fn run_of(rule: &NetRule) -> RuleRun {
    RuleRun {
        id: rule.id,
        title: rule.title,
        severity: rule.severity,
        pci: rule.pci,
        cis: &[],
        inputs: &[InputFormat::Kubernetes],
        help: rule.help.to_owned(),
        remediation: rule.remediation,
    }
}

/// The rules this scanner reports under.
#[must_use]
pub fn rule_runs() -> Vec<RuleRun> {
    std::iter::once(run_of(&REACHABLE))
        .chain(KINDS.iter().map(|&k| run_of(&rule_of(k))))
        .collect()
}

fn finding(rule: &NetRule, object: &ObjectRef, message: String, evidence: String) -> Finding {
    Finding {
        rule_id: rule.id.to_owned(),
        title: rule.title.to_owned(),
        severity: rule.severity,
        pci: rule.pci.iter().map(|&r| r.to_owned()).collect(),
        cis: Vec::new(),
        resource: Resource {
            kind: object.kind.clone(),
            namespace: Some(object.namespace.clone()),
            name: object.name.clone(),
            container: None,
            file: object.path.clone(),
            line: Some(object.line),
            layer: None,
        },
        message,
        evidence,
        remediation: rule.remediation.to_owned(),
        fingerprint: None,
        vulnerability: None,
        suppressed: None,
    }
}

/// What the scan adds: findings and the graph.
pub struct Segmentation {
    pub findings: Vec<Finding>,
    /// The scope and reachability graph (SVG), when a CDE is declared.
    pub graph: Option<String>,
}

/// Runs the segmentation test over the inventory's manifests; nothing when they declare
/// no CDE.
#[must_use]
pub fn scan(inventory: &Inventory) -> Segmentation {
    let cluster = Cluster::from_inventory(inventory);
    let none = Segmentation {
        findings: Vec::new(),
        graph: None,
    };
    if cluster.workloads.is_empty() {
        return none;
    }
    let report = segmentation::test(&cluster, Options::default());
    if report.cde.is_empty() {
        return none;
    }
    let mut findings = Vec::new();
    for subject in report.subjects.iter().filter(|s| !s.isolated) {
        for path in &subject.paths {
            // The finding sits on the CDE workload reached.
            let Some(target) = cluster.workloads.iter().find(|w| w.display() == path.to) else {
                continue;
            };
            let object = ObjectRef::workload(target);
            let mut evidence: Vec<String> = cdeguard_netpol::matrix::explanation_lines(path)
                .into_iter()
                .map(|l| l.trim().to_owned())
                .collect();
            evidence.dedup();
            findings.push(finding(
                &REACHABLE,
                &object,
                format!(
                    "{} reaches CDE workload {} : {}",
                    subject.subject, path.to, path.connections
                ),
                evidence.join("; "),
            ));
        }
    }
    for f in &report.findings {
        findings.push(finding(
            &rule_of(f.kind),
            &f.object,
            f.message.clone(),
            format!("PCI DSS {}", f.requirement),
        ));
    }
    let analysis = Analysis::new(&cluster, Options::default());
    let scope = cdeguard_netpol::scope::classify(&analysis);
    Segmentation {
        findings,
        graph: Some(cdeguard_netpol::graph::svg(&analysis, &scope)),
    }
}
