//! ## What it checks
//! Pod Security Standards, baseline, **Host Namespaces** (upstream check
//! `hostNamespaces`, policy v1.0, current in v1.37): the pod spec must not set
//! `hostNetwork: true`, `hostPID: true` or `hostIPC: true`. Unset, null and `false` are
//! allowed. Each field set to `true` is one finding.
//!
//! ## Why it matters
//! Sharing the node's network namespace bypasses NetworkPolicy and lets the pod bind and
//! sniff on node interfaces, which breaks CDE segmentation (PCI DSS 1.3.1, 1.3.2); the
//! host PID namespace exposes every process on the node (environment variables with
//! secrets, `/proc/<pid>/root`), and the host IPC namespace its shared memory. PCI DSS
//! 2.2.6; CIS Kubernetes v1.12 5.2.3 (hostPID), 5.2.4 (hostIPC), 5.2.5 (hostNetwork).
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   hostNetwork: true
//!   hostPID: true
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   hostNetwork: false
//!   containers:
//!   - name: app
//!     image: registry.example/app:1.0
//! ```
//!
//! ## How to fix
//! Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to
//! `false`); expose ports through a Service instead of the node's network.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use super::is_true;
use crate::pod::{evidence, pod_field, pod_path};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-002",
    name: "pss-host-namespaces",
    title: "Pod shares a host namespace (Pod Security baseline)",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.3.1", "1.3.2"],
    cis: &[Cis::k8s("5.2.3"), Cis::k8s("5.2.4"), Cis::k8s("5.2.5")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).",
    source: include_str!("host_namespaces.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some(node) = pod_field(&pod, &[field]).filter(|n: &&Node| is_true(n)) {
                out.k8s(
                    object,
                    node.line,
                    None,
                    format!("pod must not set {field}=true"),
                    evidence(&pod_path(&pod, &[field]), node),
                );
            }
        }
    }
}
