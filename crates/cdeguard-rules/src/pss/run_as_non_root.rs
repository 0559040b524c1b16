//! ## What it checks
//! Pod Security Standards **restricted**, control "Running as Non-root": the pod must set
//! `securityContext.runAsNonRoot: true`, or every container must; no container (and not the
//! pod) may set it to `false`. Pods in a user namespace (`spec.hostUsers: false`) are
//! exempt in the v1.35+ policy.
//!
//! ## Why it matters
//! Root in a container is root on the node's kernel: one escape away from the host and
//! every cardholder data workload on it. PCI DSS 2.2.6, 7.2.5; CIS Kubernetes v1.12 5.2.7.
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
//!   securityContext: {runAsNonRoot: true}
//! ```
//!
//! ## How to fix
//! Build the image with a non-root `USER` and set `runAsNonRoot: true` at pod level.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::{containers, in_user_namespace, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-015",
    name: "may-run-as-root",
    title: "Container may run as root",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::k8s("5.2.7")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.runAsNonRoot: true at pod level (and never false in a container).",
    source: include_str!("run_as_non_root.rs"),
    check,
};

const FIELD: &[&str] = &["runAsNonRoot"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads().filter(|(_, pod)| !in_user_namespace(pod)) {
        let pod_value = pod_security_context(&pod, FIELD);
        if let Some(node) = pod_value.filter(|n| n.as_bool() != Some(true)) {
            out.k8s(object, node.line, None, "the pod sets runAsNonRoot: false", format!("{} = {}", pod_field_path(&pod, FIELD), node.scalar_text().unwrap_or_default()));
        }
        let pod_non_root = pod_value.and_then(|n| n.as_bool()) == Some(true);
        for c in containers(&pod) {
            match c.security_context(FIELD) {
                Some(node) if node.as_bool() == Some(true) => {}
                Some(node) => out.k8s(object, node.line, Some(c.name()), "the container sets runAsNonRoot: false", format!("{} = {}", c.field_path(FIELD), node.scalar_text().unwrap_or_default())),
                None if !pod_non_root => out.k8s(object, c.node.line, Some(c.name()), "neither the pod nor the container sets runAsNonRoot: true", format!("{} unset", c.field_path(FIELD))),
                None => {}
            }
        }
    }
}
