//! ## What it checks
//! NetworkPolicies allow a CDE workload to connect to an address range that includes public
//! (internet) addresses: anything outside the private, loopback and link-local ranges.
//!
//! ## Why it matters
//! PCI DSS 1.3.2 restricts outbound CDE traffic and 1.4.4 keeps systems storing cardholder
//! data off untrusted networks; direct internet egress from the CDE is an exfiltration path.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: out, namespace: payments}
//! spec:
//!   podSelector: {}
//!   policyTypes: [Egress]
//!   egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: out, namespace: payments}
//! spec:
//!   podSelector: {}
//!   policyTypes: [Egress]
//!   egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 5432}]}]
//! ```
//!
//! ## How to fix
//! Restrict egress ipBlocks to the private ranges and named services the CDE needs.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-005",
    name: "cde-egress-to-internet",
    title: "CDE egress to the internet",
    severity: Severity::High,
    pci: &["1.3.2", "1.4.4"],
    remediation: "Restrict egress ipBlocks to the private ranges and named services the CDE needs.",
    source: include_str!("egress_to_internet.rs"),
};
