//! ## What it checks
//! A NodePort or LoadBalancer Service selects a CDE workload, or an Ingress
//! (`networking.k8s.io/v1`) or Gateway API HTTPRoute routes traffic from outside the cluster
//! to a Service that selects one.
//!
//! ## Why it matters
//! PCI DSS 1.4.1 requires network security controls between trusted and untrusted networks
//! and 1.3.1 restricts inbound CDE traffic; a CDE workload reachable from outside the cluster
//! bypasses the controls meant to sit in front of it.
//!
//! ## Failing example
//! ```yaml
//! kind: Ingress
//! metadata: {name: public, namespace: payments}
//! spec: {defaultBackend: {service: {name: card-api, port: {number: 443}}}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: Service
//! metadata: {name: card-api, namespace: payments}
//! spec: {type: ClusterIP, selector: {app: card-api}, ports: [{port: 443}]}
//! ```
//!
//! ## How to fix
//! Use a ClusterIP Service reached only through the controlled ingress gateway (TLS, WAF), in a namespace outside the CDE.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-006",
    name: "cde-exposed-outside-cluster",
    title: "CDE workload exposed outside the cluster",
    severity: Severity::High,
    pci: &["1.4.1", "1.3.1"],
    remediation: "Use a ClusterIP Service reached only through the controlled ingress gateway (TLS, WAF), in a namespace outside the CDE.",
    source: include_str!("exposed_outside_cluster.rs"),
};
