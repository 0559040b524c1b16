//! ## What it checks
//! Pod Security Standards **baseline**, control "Privileged Containers": every container's
//! `securityContext.privileged` must be unset or `false`.
//!
//! ## Why it matters
//! A privileged container has all capabilities and every host device: it is root on the
//! node, can read other pods' memory and disks, and can disable the controls that protect
//! cardholder data. PCI DSS 2.2.6, 2.2.3; CIS Kubernetes v1.12 5.2.2.
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: debug
//!     securityContext: {privileged: true}
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: app
//!     securityContext: {privileged: false}
//! ```
//!
//! ## How to fix
//! Remove `privileged: true`; grant only the specific capability the workload needs.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-003",
    name: "privileged-container",
    title: "Privileged container",
    severity: Severity::Critical,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "2.2.3"],
    cis: &[Cis::k8s("5.2.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.privileged to false (or remove it); add only the capabilities the process needs.",
    source: include_str!("privileged.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            if let Some(node) = c.security_context(&["privileged"]).filter(|n| n.as_bool() == Some(true)) {
                out.k8s(object, node.line, Some(c.name()), "the container is privileged", format!("{} = true", c.field_path(&["privileged"])));
            }
        }
    }
}
