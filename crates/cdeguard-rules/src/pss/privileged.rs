//! ## What it checks
//! Pod Security Standards, baseline, **Privileged Containers** (upstream check
//! `privileged`, policy v1.0, current in v1.37): no container, init container or
//! ephemeral container may set `securityContext.privileged: true`. Unset, null and
//! `false` are allowed.
//!
//! ## Why it matters
//! A privileged container has every capability, all host devices and no seccomp,
//! AppArmor or SELinux confinement: it is root on the node. One such container voids the
//! isolation between CDE and non-CDE workloads on that node (PCI DSS 2.2.3) and every
//! other security parameter (2.2.6). CIS Kubernetes v1.12 5.2.2.
//!
//! ## Failing example
//! ```yaml
//! containers:
//! - name: app
//!   image: registry.example/app:1.0
//!   securityContext:
//!     privileged: true
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//! - name: app
//!   image: registry.example/app:1.0
//!   securityContext:
//!     privileged: false
//! ```
//!
//! ## How to fix
//! Remove `privileged: true`. If the workload needs one specific kernel feature, add that
//! single capability instead (and keep it out of the CDE).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, is_true, report_forbidden_values};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-003",
    name: "pss-privileged",
    title: "Privileged container (Pod Security baseline)",
    severity: Severity::Critical,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "2.2.3"],
    cis: &[Cis::k8s("5.2.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.privileged (or set it to false) on every container.",
    source: include_str!("privileged.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        report_forbidden_values(
            out,
            object,
            &pod,
            (&["privileged"], Scope::Containers),
            is_true,
            "must not set securityContext.privileged=true",
        );
    }
}
