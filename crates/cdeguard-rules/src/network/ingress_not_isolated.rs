//! ## What it checks
//! A CDE workload that no NetworkPolicy with Ingress selects: every source may connect to it.
//! Unlike CDG-PCI-008 (per namespace, how the policies are written) this is per workload and
//! exact (which policies actually select its pods).
//!
//! ## Why it matters
//! PCI DSS 1.3.1 restricts inbound CDE traffic to what is necessary; without a policy
//! selecting the pod, Kubernetes allows everything.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: web-only, namespace: payments}
//! spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}   # api not selected
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: default-deny, namespace: payments}
//! spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
//! ```
//!
//! ## How to fix
//! Add a default-deny ingress NetworkPolicy to the namespace and allow only the needed flows.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-003",
    name: "cde-ingress-not-isolated",
    title: "CDE workload not isolated for ingress",
    severity: Severity::High,
    pci: &["1.3.1"],
    remediation: "Add a default-deny ingress NetworkPolicy to the namespace and allow only the needed flows.",
    source: include_str!("ingress_not_isolated.rs"),
};
