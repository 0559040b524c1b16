//! ## What it checks
//! RoleBindings and ClusterRoleBindings whose `roleRef` is the `cluster-admin` ClusterRole,
//! for subjects other than Kubernetes' own `system:` identities.
//!
//! ## Why it matters
//! cluster-admin can do anything to every object, the CDE included: it must be held by as
//! few people as possible, never by workloads or CI. PCI DSS 7.2.1, 7.2.2; CIS Kubernetes
//! v1.12 5.1.1.
//!
//! ## Failing example
//! ```yaml
//! kind: ClusterRoleBinding
//! roleRef: {kind: ClusterRole, name: cluster-admin}
//! subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: ci}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: ClusterRoleBinding
//! roleRef: {kind: ClusterRole, name: view}
//! subjects: [{kind: Group, name: payments-oncall}]
//! ```
//!
//! ## How to fix
//! Bind a role scoped to what the subject does (namespaced, verbs listed) instead of cluster-admin.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::rbac::{bindings, subjects};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-002",
    name: "cluster-admin-binding",
    title: "Subject bound to cluster-admin",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.1", "7.2.2"],
    cis: &[Cis::k8s("5.1.1")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Replace the cluster-admin binding with a least-privilege role for this subject.",
    source: include_str!("cluster_admin_binding.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for binding in bindings(inventory) {
        if binding.body.path(&["roleRef", "name"]).and_then(Node::as_str) != Some("cluster-admin") {
            continue;
        }
        for (kind, name, line) in subjects(binding) {
            if !name.starts_with("system:") {
                out.k8s(binding, line, None, format!("{kind} `{name}` is bound to cluster-admin"), format!("roleRef.name = cluster-admin, subject {kind}/{name}"));
            }
        }
    }
}
