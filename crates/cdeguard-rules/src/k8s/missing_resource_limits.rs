//! ## What it checks
//! Containers (init and regular) without a memory limit or a CPU limit
//! (`resources.limits.memory`, `resources.limits.cpu`).
//!
//! ## Why it matters
//! Without limits one compromised or faulty container can starve the node and take the
//! payment services next to it down; the PCI SSC container guidance asks for workload
//! limits. PCI DSS 2.2.6; NSA/CISA Kubernetes hardening guidance.
//!
//! ## Failing example
//! ```yaml
//! resources: {requests: {cpu: 100m}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! resources: {limits: {cpu: 500m, memory: 256Mi}}
//! ```
//!
//! ## How to fix
//! Set `resources.limits.memory` and `resources.limits.cpu` (and a namespace LimitRange).

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::pod::{ContainerList, containers};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-020",
    name: "missing-resource-limits",
    title: "Container has no CPU or memory limit",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes, RuleSet::Pci],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set resources.limits.cpu and resources.limits.memory on every container.",
    source: include_str!("missing_resource_limits.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod).filter(|c| c.list != ContainerList::EphemeralContainers) {
            let limits = c.node.path(&["resources", "limits"]);
            let missing: Vec<&str> = ["memory", "cpu"].into_iter().filter(|k| limits.and_then(|l| l.get(k)).is_none_or(|n| n.is_null())).collect();
            if !missing.is_empty() {
                let line = c.node.get("resources").map_or(c.node.line, |n| n.line);
                out.k8s(object, line, Some(c.name()), format!("no {} limit", missing.join(" or ")), format!("{}.resources.limits lacks {}", c.path, missing.join(", ")));
            }
        }
    }
}
