//! ## What it checks
//! Workloads (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
//! ReplicationControllers, Jobs, CronJobs) whose `metadata.namespace` is `default` or
//! unset, so that they land in the `default` namespace.
//!
//! ## Why it matters
//! Namespaces are the administrative boundary for RBAC, NetworkPolicy, Pod Security
//! Admission and resource quotas. Workloads in `default` share that boundary with
//! everything else deployed without thought, which blurs PCI DSS scope (12.5.2) and the
//! configuration standard (2.2.2). CIS Kubernetes v1.12 5.6.4.
//!
//! ## Failing example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: checkout        # no namespace: deployed into `default`
//! ```
//!
//! ## Passing example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: checkout
//!   namespace: payments
//! ```
//!
//! ## How to fix
//! Give every workload a dedicated namespace (CDE workloads in CDE-only namespaces) and
//! set `metadata.namespace` explicitly.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-001",
    name: "workload-in-default-namespace",
    title: "Workload runs in the default namespace",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes],
    pci: &["2.2.2", "12.5.2"],
    cis: &[Cis::k8s("5.6.4")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set metadata.namespace to a dedicated namespace; keep CDE workloads in CDE-only namespaces.",
    source: include_str!("default_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, _) in inventory.workloads() {
        match object.namespace.as_deref() {
            None => {
                let line = object.body.get("metadata").map_or(0, |m| m.line);
                out.k8s(object, line, None, "no namespace set: the workload lands in `default`", "metadata.namespace unset");
            }
            Some("default") => {
                let line = object.body.path(&["metadata", "namespace"]).map_or(0, |n: &Node| n.line);
                out.k8s(object, line, None, "workload is in the `default` namespace", "metadata.namespace = default");
            }
            Some(_) => {}
        }
    }
}
