//! ## What it checks
//! Roles and ClusterRoles that grant `create` on `pods` or on workload controllers (Deployments,
//! DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs, ReplicationControllers).
//!
//! ## Why it matters
//! Whoever can create a pod can mount any Secret of the namespace and run any image; changes to CDE
//! workloads must follow change control. PCI DSS 7.2.2, 6.5.1; CIS Kubernetes v1.12 5.1.4.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [apps]
//!     resources: [deployments]
//!     verbs: [create, update]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [apps]
//!     resources: [deployments]
//!     verbs: [get, list, watch]
//! ```
//!
//! ## How to fix
//! Limit workload creation to the deployment pipeline's service account and the platform team.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-005",
    name: "pod-creation-access",
    title: "Role can create pods or workloads",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "6.5.1"],
    cis: &[Cis::k8s("5.1.4")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Limit workload creation to the deployment pipeline's service account and the platform team.",
    source: include_str!("pod_creation.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "apps", "batch", "*"], &["pods", "deployments", "daemonsets", "statefulsets", "replicasets", "jobs", "cronjobs", "replicationcontrollers"], &["create"], "can create pods or workload controllers");
}
