//! ## What it checks
//! Namespaces that hold workloads (or are declared) but have no NetworkPolicy at all.
//!
//! ## Why it matters
//! Without a NetworkPolicy every pod in the namespace accepts traffic from anywhere in the
//! cluster and may connect anywhere: no segmentation to show for PCI DSS 1.3.1/1.3.2 and
//! the scope (12.5.2) covers the whole cluster. CIS Kubernetes v1.12 5.3.2.
//!
//! ## Failing example
//! ```yaml
//! kind: Deployment
//! metadata: {name: broker, namespace: messaging}   # no NetworkPolicy in messaging
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
//! Add a default-deny NetworkPolicy to the namespace, then allow the needed flows.

use std::collections::{BTreeMap, BTreeSet};

use cdeguard_model::{Cis, InputFormat, Inventory, K8sObject, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-016",
    name: "namespace-without-network-policy",
    title: "Namespace has no NetworkPolicy",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes, RuleSet::Pci],
    pci: &["1.3.1", "1.3.2", "1.2.1"],
    cis: &[Cis::k8s("5.3.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes [Ingress, Egress]) and allow only needed flows.",
    source: include_str!("namespace_without_network_policy.rs"),
    check,
};

/// Namespaces Kubernetes itself runs; their policies are the platform's business.
const SYSTEM: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    let covered: BTreeSet<&str> = inventory.objects_of_kind("NetworkPolicy").map(K8sObject::namespace_or_default).collect();
    // The object to report on: the Namespace when declared, else the first workload in it.
    let mut namespaces: BTreeMap<&str, &K8sObject> = BTreeMap::new();
    for ns in inventory.objects_of_kind("Namespace") {
        namespaces.insert(ns.name.as_str(), ns);
    }
    for (object, _) in inventory.workloads() {
        namespaces.entry(object.namespace_or_default()).or_insert(object);
    }
    for (name, object) in namespaces {
        if !covered.contains(name) && !SYSTEM.contains(&name) {
            out.k8s(object, 0, None, format!("namespace `{name}` has no NetworkPolicy: all traffic is allowed"), format!("no NetworkPolicy with metadata.namespace = {name}"));
        }
    }
}
