//! ## What it checks
//! Pod Security Standards **baseline**, control "Host Namespaces": `spec.hostNetwork`,
//! `spec.hostPID` and `spec.hostIPC` must be unset or `false`.
//!
//! ## Why it matters
//! Sharing the node's network namespace bypasses NetworkPolicy (the CDE segmentation
//! control of PCI DSS 1.3.1/1.3.2) and exposes node-local services; sharing PID or IPC
//! lets the pod see and signal every process on the node, including other tenants'
//! payment workloads. PCI DSS 2.2.6; CIS Kubernetes v1.12 5.2.3 (hostPID), 5.2.4
//! (hostIPC), 5.2.5 (hostNetwork).
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   hostNetwork: true
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   hostNetwork: false
//! ```
//!
//! ## How to fix
//! Remove `hostNetwork`, `hostPID` and `hostIPC`; expose the workload through a Service.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-002",
    name: "host-namespaces",
    title: "Pod shares the node's network, PID or IPC namespace",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.3.1", "1.3.2"],
    cis: &[Cis::k8s("5.2.3"), Cis::k8s("5.2.4"), Cis::k8s("5.2.5")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC (or set them to false).",
    source: include_str!("host_namespaces.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some(node) = pod.spec.get(field).filter(|n| n.as_bool() == Some(true)) {
                out.k8s(object, node.line, None, format!("the pod sets {field}: true"), format!("{}.{field} = true", pod.spec_path));
            }
        }
    }
}
