//! ## What it checks
//! A NetworkPolicy whose podSelector matches no workload of its namespace in the manifests:
//! a stale or mistyped selector that protects nothing.
//!
//! ## Why it matters
//! PCI DSS 1.2.7 requires network security control configurations to be reviewed so that
//! ineffective rules are found; a policy selecting nothing gives false assurance.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: api, namespace: payments}
//! spec: {podSelector: {matchLabels: {app: apii}}, policyTypes: [Ingress]}   # typo
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: api, namespace: payments}
//! spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}
//! ```
//!
//! ## How to fix
//! Fix the podSelector or delete the policy.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-009",
    name: "network-policy-selects-nothing",
    title: "NetworkPolicy selects nothing",
    severity: Severity::Low,
    pci: &["1.2.7"],
    remediation: "Fix the podSelector or delete the policy.",
    source: include_str!("policy_selects_nothing.rs"),
};
