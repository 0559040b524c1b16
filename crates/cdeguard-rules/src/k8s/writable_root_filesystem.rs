//! ## What it checks
//! Containers (not ephemeral debug containers) whose `securityContext.readOnlyRootFilesystem`
//! is not `true`.
//!
//! ## Why it matters
//! A writable root file system lets an attacker drop tools, alter binaries and persist in a
//! running CDE container; a read-only one makes unauthorised changes to system files fail
//! (PCI DSS 11.5.2 change detection, 2.2.6). NSA/CISA Kubernetes hardening guidance.
//!
//! ## Failing example
//! ```yaml
//! securityContext: {allowPrivilegeEscalation: false}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext: {readOnlyRootFilesystem: true}
//! volumeMounts: [{name: tmp, mountPath: /tmp}]
//! ```
//!
//! ## How to fix
//! Set `readOnlyRootFilesystem: true` and mount emptyDir volumes where the app writes.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::pod::{ContainerList, containers};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-019",
    name: "writable-root-filesystem",
    title: "Container root file system is writable",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes, RuleSet::Pci],
    pci: &["11.5.2", "2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes for writable paths.",
    source: include_str!("writable_root_filesystem.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod).filter(|c| c.list != ContainerList::EphemeralContainers) {
            let read_only = c.security_context(&["readOnlyRootFilesystem"]);
            if read_only.and_then(|n| n.as_bool()) != Some(true) {
                let line = read_only.map_or(c.node.line, |n| n.line);
                out.k8s(object, line, Some(c.name()), "the container's root file system is writable", format!("{} not true", c.path_to(&["securityContext", "readOnlyRootFilesystem"])));
            }
        }
    }
}
