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
//! internet or exposed by a NodePort/LoadBalancer Service or an Ingress/HTTPRoute,
//! NetworkPolicies that select nothing, redundant NetworkPolicy rules, AuthorizationPolicy
//! ALLOW rules a DENY shadows, and in a mesh: mTLS not enforced and plaintext ports into
//! the CDE. Each rule's metadata and documentation live in `cdeguard-rules`' `network/`
//! (`cdeguard rules explain CDG-NET-001`). The
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
use cdeguard_model::{Finding, InputFormat, Inventory, Resource};
use cdeguard_netpol::segmentation::{self, FindingKind, ObjectRef};
use cdeguard_netpol::{Analysis, Cluster, Options};
use cdeguard_rules::network::{self, ScannerRule};

/// The registry entry (metadata, documentation) of a finding kind.
fn rule_of(kind: FindingKind) -> &'static ScannerRule {
    match kind {
        FindingKind::HostNetworkCde => &network::host_network::RULE,
        FindingKind::IngressNotIsolated => &network::ingress_not_isolated::RULE,
        FindingKind::EgressNotIsolated => &network::egress_not_isolated::RULE,
        FindingKind::EgressToInternet => &network::egress_to_internet::RULE,
        FindingKind::ExposedOutsideCluster => &network::exposed_outside_cluster::RULE,
        FindingKind::MtlsNotEnforced => &network::mtls_not_enforced::RULE,
        FindingKind::PlaintextIntoCde => &network::plaintext_into_cde::RULE,
        FindingKind::PolicySelectsNothing => &network::policy_selects_nothing::RULE,
        FindingKind::RedundantRule => &network::redundant_rule::RULE,
        FindingKind::ShadowedAllowRule => &network::shadowed_allow_rule::RULE,
    }
}

const REACHABLE: &ScannerRule = &network::cde_reachable::RULE;

/// The rules this scanner reports under.
#[must_use]
pub fn rule_runs() -> Vec<RuleRun> {
    network::RULES
        .iter()
        .map(|rule| RuleRun {
            id: rule.id,
            title: rule.title,
            severity: rule.severity,
            pci: rule.pci,
            cis: &[],
            inputs: &[InputFormat::Kubernetes],
            help: rule.summary(),
            remediation: rule.remediation,
        })
        .collect()
}

fn finding(rule: &ScannerRule, object: &ObjectRef, message: String, evidence: String) -> Finding {
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
                REACHABLE,
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
            rule_of(f.kind),
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
