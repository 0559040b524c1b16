//! ## What it checks
//! Bindings whose subjects include the group `system:masters`.
//!
//! ## Why it matters
//! `system:masters` bypasses all authorization (no RBAC rule can restrict it) and its
//! members' client certificates cannot be revoked. PCI DSS 7.2.2, 8.2.2; CIS Kubernetes
//! v1.12 5.1.7.
//!
//! ## Failing example
//! ```yaml
//! subjects: [{kind: Group, name: "system:masters"}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! subjects: [{kind: Group, name: platform-admins}]
//! ```
//!
//! ## How to fix
//! Use a named admin group bound to a scoped role; keep system:masters for break-glass only.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::{bindings, subjects};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-008",
    name: "system-masters-subject",
    title: "Binding grants to the system:masters group",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "8.2.2"],
    cis: &[Cis::k8s("5.1.7")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove system:masters from the binding; grant a named group a scoped role.",
    source: include_str!("system_masters.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for binding in bindings(inventory) {
        for (kind, name, line) in subjects(binding) {
            if kind == "Group" && name == "system:masters" {
                out.k8s(binding, line, None, "the binding names the system:masters group", "subject Group/system:masters");
            }
        }
    }
}
