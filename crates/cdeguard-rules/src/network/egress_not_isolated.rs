//! ## What it checks
//! A CDE workload that no NetworkPolicy with Egress selects: it may connect anywhere,
//! inside or outside the cluster.
//!
//! ## Why it matters
//! PCI DSS 1.3.2 restricts outbound CDE traffic to what is necessary; unrestricted egress is
//! how card data leaves a compromised workload.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: default-deny, namespace: payments}
//! spec: {podSelector: {}, policyTypes: [Ingress]}   # egress not isolated
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
//! Add a default-deny egress NetworkPolicy to the namespace and allow only the needed flows.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-004",
    name: "cde-egress-not-isolated",
    title: "CDE workload not isolated for egress",
    severity: Severity::Medium,
    pci: &["1.3.2"],
    remediation: "Add a default-deny egress NetworkPolicy to the namespace and allow only the needed flows.",
    source: include_str!("egress_not_isolated.rs"),
};
