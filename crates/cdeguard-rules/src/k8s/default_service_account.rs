//! ## What it checks
//! Workloads that run as the namespace's `default` service account (`serviceAccountName`
//! unset or `default`).
//!
//! ## Why it matters
//! The default account is shared by everything in the namespace: any permission granted to
//! one workload through it is granted to all, and the audit trail cannot tell them apart.
//! PCI DSS 7.2.5, 8.2.2; CIS Kubernetes v1.12 5.1.5.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   containers: [{name: app, image: app:1.0}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   serviceAccountName: payment-api
//! ```
//!
//! ## How to fix
//! Create one service account per workload and set `serviceAccountName`.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-006",
    name: "default-service-account",
    title: "Workload uses the default service account",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.5", "8.2.2"],
    cis: &[Cis::k8s("5.1.5")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Create a dedicated ServiceAccount for the workload and set spec.serviceAccountName.",
    source: include_str!("default_service_account.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let account = pod.spec.get("serviceAccountName").or_else(|| pod.spec.get("serviceAccount"));
        match account.and_then(Node::as_str) {
            Some(name) if !name.is_empty() && name != "default" => {}
            _ => {
                let line = account.map_or(pod.spec.line, |n| n.line);
                out.k8s(object, line, None, "the workload runs as the `default` service account", format!("{}.serviceAccountName unset or default", pod.spec_path));
            }
        }
    }
}
