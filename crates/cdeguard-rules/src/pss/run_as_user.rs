//! ## What it checks
//! Pod Security Standards, restricted, **Running as Non-root user** (upstream check
//! `runAsUser`, policy v1.35, current in v1.37): neither the pod
//! (`spec.securityContext.runAsUser`) nor any container, init container or ephemeral
//! container (`securityContext.runAsUser`) may set `runAsUser: 0`. A pod-level 0 is
//! forbidden even when every container overrides it. Unset and null are allowed. Pods in
//! their own user namespace (`spec.hostUsers: false`) are exempt since v1.35.
//!
//! ## Why it matters
//! UID 0 is root: an explicit `runAsUser: 0` defeats `runAsNonRoot` and the image's own
//! non-root `USER`, and hands the process every right of root in the container. PCI DSS
//! 2.2.6, 7.2.5; CIS Kubernetes v1.12 5.2.7.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   runAsUser: 0
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   runAsUser: 10001
//!   runAsNonRoot: true
//! ```
//!
//! ## How to fix
//! Set `runAsUser` to a non-zero UID (for example 10001) or remove it and rely on a
//! non-root `USER` in the image together with `runAsNonRoot: true`.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, in_user_namespace, report_forbidden_values};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-016",
    name: "pss-run-as-user",
    title: "Container runs as UID 0 (Pod Security restricted)",
    severity: Severity::High,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::k8s("5.2.7")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set runAsUser to a non-zero UID on the pod and containers, or remove runAsUser: 0.",
    source: include_str!("run_as_user.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if in_user_namespace(&pod) {
            continue;
        }
        report_forbidden_values(
            out,
            object,
            &pod,
            (&["runAsUser"], Scope::PodAndContainers),
            |uid| uid.as_f64() == Some(0.0),
            "must not set runAsUser=0",
        );
    }
}
