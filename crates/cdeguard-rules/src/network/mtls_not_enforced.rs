//! ## What it checks
//! In an Istio mesh: a CDE workload without a sidecar, or whose effective PeerAuthentication
//! mode is not STRICT on some port (PERMISSIVE or DISABLE, mesh-, namespace-, workload- or
//! port-level), so it accepts plaintext.
//!
//! ## Why it matters
//! PCI DSS 4.2.1 requires strong cryptography for cardholder data in transit; only STRICT
//! mTLS on every port guarantees it inside the cluster.
//!
//! ## Failing example
//! ```yaml
//! kind: PeerAuthentication
//! metadata: {name: default, namespace: payments}
//! spec: {mtls: {mode: PERMISSIVE}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: PeerAuthentication
//! metadata: {name: default, namespace: payments}
//! spec: {mtls: {mode: STRICT}}
//! ```
//!
//! ## How to fix
//! Inject the sidecar and apply a STRICT PeerAuthentication (no PERMISSIVE/DISABLE port overrides) to the CDE namespaces.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-007",
    name: "cde-mtls-not-enforced",
    title: "CDE traffic without enforced mTLS",
    severity: Severity::High,
    pci: &["4.2.1"],
    remediation: "Inject the sidecar and apply a STRICT PeerAuthentication (no PERMISSIVE/DISABLE port overrides) to the CDE namespaces.",
    source: include_str!("mtls_not_enforced.rs"),
};
