//! ## What it checks
//! Namespaces declared in scope of the CDE (label `pci.cdeguard.io/scope: cde`) that lack a
//! default-deny NetworkPolicy for ingress **and** egress: a policy selecting all pods
//! (`podSelector: {}`) with the direction in `policyTypes` and no rules for it.
//!
//! ## Why it matters
//! PCI DSS 1.3.1 and 1.3.2 restrict inbound and outbound CDE traffic to what is necessary;
//! in Kubernetes that starts with denying everything by default, so that every allowed flow
//! is an explicit, reviewable rule. PCI DSS 1.2.1, 1.3.1, 1.3.2, 1.4.2.
//!
//! ## Failing example
//! ```yaml
//! kind: Namespace
//! metadata: {name: vault, labels: {pci.cdeguard.io/scope: cde}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: NetworkPolicy
//! metadata: {name: default-deny, namespace: vault}
//! spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
//! ```
//!
//! ## How to fix
//! Add `default-deny` (podSelector `{}`, policyTypes `[Ingress, Egress]`, no rules) to every
//! CDE namespace, then allow the needed flows explicitly.

use cdeguard_model::{InputFormat, Inventory, K8sObject, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-008",
    name: "cde-namespace-without-default-deny",
    title: "CDE namespace without default-deny network policy",
    severity: Severity::High,
    sets: &[RuleSet::Pci],
    pci: &["1.2.1", "1.3.1", "1.3.2", "1.4.2"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules to the namespace.",
    source: include_str!("cde_namespace_default_deny.rs"),
    check,
};

/// Label that declares a namespace's PCI scope.
pub(crate) const SCOPE_LABEL: &str = "pci.cdeguard.io/scope";

/// Whether `policy` denies `direction` (`Ingress`/`Egress`) for every pod of its namespace.
fn denies_all(policy: &K8sObject, direction: &str) -> bool {
    let spec = policy.body.get("spec").unwrap_or(Node::null());
    let selects_all = spec.get("podSelector").is_some_and(|s| s.entries().iter().all(|(_, v)| v.entries().is_empty() && v.items().is_empty()));
    let types: Vec<&str> = spec.get("policyTypes").map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str).collect();
    // Without policyTypes, Ingress is implied, and Egress when egress rules are present.
    let has_type = if types.is_empty() { direction == "Ingress" } else { types.contains(&direction) };
    let rules = spec.get(&direction.to_ascii_lowercase()).map(Node::items).unwrap_or_default();
    selects_all && has_type && rules.is_empty()
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for ns in inventory.objects_of_kind("Namespace").filter(|n| n.labels.get(SCOPE_LABEL).map(String::as_str) == Some("cde")) {
        let policies: Vec<&K8sObject> = inventory.objects_of_kind("NetworkPolicy").filter(|p| p.namespace_or_default() == ns.name).collect();
        let missing: Vec<&str> = ["Ingress", "Egress"].into_iter().filter(|d| !policies.iter().any(|p| denies_all(p, d))).collect();
        if !missing.is_empty() {
            out.k8s(ns, 0, None, format!("CDE namespace `{}` has no default-deny {} policy", ns.name, missing.join(" and ")), format!("no NetworkPolicy in {} denies {} for all pods", ns.name, missing.join(", ")));
        }
    }
}
