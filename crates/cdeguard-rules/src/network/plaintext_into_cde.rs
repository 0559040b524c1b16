//! ## What it checks
//! In an Istio mesh: a client that NetworkPolicy and AuthorizationPolicy let through reaches
//! a CDE port in plaintext (it has no sidecar and the port is not STRICT, or a
//! DestinationRule sets `tls.mode: DISABLE`). One finding per CDE workload and port, naming
//! the clients.
//!
//! ## Why it matters
//! PCI DSS 4.2.1 requires strong cryptography in transit and 1.3.1 restricts inbound CDE
//! traffic: an allowed plaintext connection carries card data unencrypted.
//!
//! ## Failing example
//! ```yaml
//! kind: DestinationRule
//! metadata: {name: vault, namespace: payments}
//! spec: {host: card-vault-db.vault.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: DestinationRule
//! metadata: {name: vault, namespace: payments}
//! spec: {host: card-vault-db.vault.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
//! ```
//!
//! ## How to fix
//! Make the port STRICT and remove DestinationRule `tls.mode: DISABLE` for CDE hosts.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-008",
    name: "plaintext-into-cde",
    title: "Plaintext port into the CDE",
    severity: Severity::High,
    pci: &["4.2.1", "1.3.1"],
    remediation: "Make the port STRICT and remove DestinationRule `tls.mode: DISABLE` for CDE hosts.",
    source: include_str!("plaintext_into_cde.rs"),
};
