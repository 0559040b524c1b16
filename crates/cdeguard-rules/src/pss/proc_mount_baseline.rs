//! ## What it checks
//! Pod Security Standards **baseline**, control "/proc Mount Type": every container's
//! `securityContext.procMount` must be unset or `Default`, unless the pod runs in a user
//! namespace (`spec.hostUsers: false`), which the v1.35+ policy allows.
//!
//! ## Why it matters
//! An `Unmasked` /proc exposes kernel interfaces that the default masking hides, a known
//! container escape aid. PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! securityContext: {procMount: Unmasked}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext: {procMount: Default}
//! ```
//!
//! ## How to fix
//! Remove `procMount` (or set `Default`); nested container builds belong in a user-namespaced pod.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::pod::in_user_namespace;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-009",
    name: "proc-mount-unmasked",
    title: "Container unmasks /proc",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.procMount or set it to Default.",
    source: include_str!("proc_mount_baseline.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if !in_user_namespace(&pod) {
            super::proc_mount_restricted::report_non_default(object, &pod, out);
        }
    }
}
