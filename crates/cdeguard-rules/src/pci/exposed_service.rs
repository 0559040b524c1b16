//! ## What it checks
//! Services of type `NodePort` or `LoadBalancer`. A LoadBalancer without
//! `loadBalancerSourceRanges` is open to any source address (high).
//!
//! ## Why it matters
//! These types publish the workload outside the cluster, bypassing the ingress path and
//! its TLS termination and WAF; inbound traffic to the CDE must be restricted to what is
//! necessary. PCI DSS 1.3.1, 1.4.2, 1.2.5.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   type: NodePort
//!   ports: [{port: 15672, nodePort: 31672}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   type: ClusterIP
//! ```
//!
//! ## How to fix
//! Use ClusterIP behind an Ingress or gateway; if a LoadBalancer is required, set
//! `loadBalancerSourceRanges` to the networks that need it.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-002",
    name: "service-exposed-outside-cluster",
    title: "Service exposed outside the cluster",
    severity: Severity::Medium,
    sets: &[RuleSet::Pci],
    pci: &["1.3.1", "1.4.2", "1.2.5"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Use type ClusterIP behind an Ingress/gateway, or restrict loadBalancerSourceRanges.",
    source: include_str!("exposed_service.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for service in inventory.objects_of_kind("Service") {
        let Some(ty) = service.body.path(&["spec", "type"]) else { continue };
        match ty.as_str() {
            Some("NodePort") => out.k8s(service, ty.line, None, "the Service is published on every node (NodePort)", "spec.type = NodePort"),
            Some("LoadBalancer") => {
                let ranges = service.body.path(&["spec", "loadBalancerSourceRanges"]).map(Node::items).unwrap_or_default();
                if ranges.is_empty() {
                    let resource = out.k8s_resource(service, ty.line, None);
                    out.emit_with_severity(Severity::High, resource, "the LoadBalancer Service accepts traffic from any address", "spec.type = LoadBalancer, no loadBalancerSourceRanges");
                } else {
                    out.k8s(service, ty.line, None, "the Service is published through an external load balancer", "spec.type = LoadBalancer");
                }
            }
            _ => {}
        }
    }
}
