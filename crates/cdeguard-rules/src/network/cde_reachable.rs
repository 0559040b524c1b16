//! ## What it checks
//! The segmentation test (`cdeguard netpol test`) found an allowed path from an out-of-scope
//! workload, a new pod in an out-of-scope namespace or a new namespace, or an external address
//! range into a CDE workload: NetworkPolicy allows it and, in a mesh, Istio does too. The
//! finding cites the path, its ports and the policies and rules (file:line) that allow it.
//!
//! ## Why it matters
//! PCI DSS 11.4.5 requires proof that segmentation isolates out-of-scope systems from the CDE;
//! 1.3.1 and 1.4.2 restrict inbound CDE traffic to what is necessary. An open path puts the
//! source in scope.
//!
//! ## Failing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: metrics, namespace: payments}   # payments is pci.cdeguard.io/scope: cde
//! spec:
//!   podSelector: {}
//!   ingress: [{ports: [{port: 9090}]}]           # from anywhere
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: metrics, namespace: payments}
//! spec:
//!   podSelector: {}
//!   ingress:
//!   - from: [{namespaceSelector: {matchLabels: {pci.cdeguard.io/scope: connected}}}]
//!     ports: [{port: 9090}]
//! ```
//!
//! ## How to fix
//! Restrict the NetworkPolicy or AuthorizationPolicy rule cited, or declare the source `pci.cdeguard.io/scope: connected` (it is then in scope).
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-001",
    name: "cde-reachable-from-out-of-scope",
    title: "CDE reachable from out of scope",
    severity: Severity::High,
    pci: &["11.4.5", "1.3.1", "1.4.2"],
    remediation: "Restrict the NetworkPolicy or AuthorizationPolicy rule cited, or declare the source `pci.cdeguard.io/scope: connected` (it is then in scope).",
    source: include_str!("cde_reachable.rs"),
};
