//! ## What it checks
//! Pod Security Standards **restricted**, control "/proc Mount Type" (v1.35+): every
//! container's `securityContext.procMount` must be unset or `Default`, even in a user
//! namespace.
//!
//! ## Why it matters
//! The restricted level keeps the unconditional block that baseline relaxes for
//! user-namespaced pods: an unmasked /proc still widens the kernel attack surface.
//! PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   hostUsers: false
//!   containers:
//!     - securityContext: {procMount: Unmasked}
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   hostUsers: false
//!   containers:
//!     - securityContext: {procMount: Default}
//! ```
//!
//! ## How to fix
//! Remove `procMount` (or set `Default`).

use cdeguard_model::{InputFormat, Inventory, K8sObject, PodTemplate, Severity};

use crate::pod::{containers, in_user_namespace};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-019",
    name: "proc-mount-unmasked-user-namespace",
    title: "Container unmasks /proc in a user namespace",
    severity: Severity::Low,
    sets: &[RuleSet::PssRestricted],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.procMount or set it to Default.",
    source: include_str!("proc_mount_restricted.rs"),
    check,
};

/// Reports containers whose `procMount` is set to anything but `Default`.
pub(super) fn report_non_default(object: &K8sObject, pod: &PodTemplate<'_>, out: &mut Emitter<'_>) {
    for c in containers(pod) {
        if let Some(node) = c.security_context(&["procMount"]).filter(|n| n.as_str() != Some("Default")) {
            let value = node.scalar_text().unwrap_or_default();
            out.k8s(object, node.line, Some(c.name()), format!("the container sets procMount {value}"), format!("{} = {value}", c.field_path(&["procMount"])));
        }
    }
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    // Pods outside a user namespace are already reported by the baseline rule.
    for (object, pod) in inventory.workloads().filter(|(_, pod)| in_user_namespace(pod)) {
        report_non_default(object, &pod, out);
    }
}
