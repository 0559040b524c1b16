//! ## What it checks
//! Services with `spec.externalIPs`.
//!
//! ## Why it matters
//! externalIPs make every node accept traffic for those addresses (and can hijack traffic
//! to them, CVE-2020-8554): an exposure path outside the reviewed ingress. PCI DSS 1.3.1,
//! 1.4.2.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   externalIPs: [203.0.113.10]
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   type: ClusterIP
//! ```
//!
//! ## How to fix
//! Remove externalIPs; use a LoadBalancer with source ranges or an Ingress.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-003",
    name: "service-external-ips",
    title: "Service uses externalIPs",
    severity: Severity::Medium,
    sets: &[RuleSet::Pci],
    pci: &["1.3.1", "1.4.2"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove spec.externalIPs; expose the service through a reviewed ingress path.",
    source: include_str!("external_ips.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for service in inventory.objects_of_kind("Service") {
        let Some(ips) = service.body.path(&["spec", "externalIPs"]) else { continue };
        let list: Vec<String> = ips.items().iter().filter_map(Node::scalar_text).collect();
        if !list.is_empty() {
            out.k8s(service, ips.line, None, format!("the Service claims external IPs {}", list.join(", ")), format!("spec.externalIPs = {list:?}"));
        }
    }
}
