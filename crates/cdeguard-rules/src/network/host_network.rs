//! ## What it checks
//! A CDE workload with `hostNetwork: true`: it shares the node's network namespace, and
//! NetworkPolicy does not apply to it with most CNIs (Calico, Cilium).
//!
//! ## Why it matters
//! PCI DSS 1.3.1 and 1.3.2 restrict CDE traffic; a pod on the host network cannot be isolated
//! by the cluster's network controls, and it sees every node interface.
//!
//! ## Failing example
//! ```yaml
//! kind: Deployment
//! metadata: {name: api, namespace: payments}
//! spec: {template: {spec: {hostNetwork: true, containers: [{name: api, image: api}]}}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: Deployment
//! metadata: {name: api, namespace: payments}
//! spec: {template: {spec: {containers: [{name: api, image: api}]}}}
//! ```
//!
//! ## How to fix
//! Remove `hostNetwork: true` from the CDE workload.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-002",
    name: "cde-host-network",
    title: "CDE workload on the host network",
    severity: Severity::High,
    pci: &["1.3.1", "1.3.2"],
    remediation: "Remove `hostNetwork: true` from the CDE workload.",
    source: include_str!("host_network.rs"),
};
