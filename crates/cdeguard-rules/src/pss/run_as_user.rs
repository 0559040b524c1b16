//! ## What it checks
//! Pod Security Standards **restricted**, control "Running as Non-root user" (v1.23+):
//! `securityContext.runAsUser` must not be `0`, at pod level or in any container. Pods in a
//! user namespace (`spec.hostUsers: false`) are exempt in the v1.35+ policy.
//!
//! ## Why it matters
//! An explicit UID 0 runs the process as root whatever the image says. PCI DSS 2.2.6,
//! 7.2.5; CIS Kubernetes v1.12 5.2.7.
//!
//! ## Failing example
//! ```yaml
//! securityContext: {runAsUser: 0}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext: {runAsUser: 10001}
//! ```
//!
//! ## How to fix
//! Use a non-zero UID owned by the application.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::{containers, in_user_namespace, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-016",
    name: "run-as-uid-0",
    title: "Container runs as UID 0",
    severity: Severity::High,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::k8s("5.2.7")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set runAsUser to a non-zero UID (or remove it and rely on the image's non-root USER).",
    source: include_str!("run_as_user.rs"),
    check,
};

const FIELD: &[&str] = &["runAsUser"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads().filter(|(_, pod)| !in_user_namespace(pod)) {
        if let Some(node) = pod_security_context(&pod, FIELD).filter(|n| n.as_i64() == Some(0)) {
            out.k8s(object, node.line, None, "the pod runs as UID 0", format!("{} = 0", pod_field_path(&pod, FIELD)));
        }
        for c in containers(&pod) {
            if let Some(node) = c.security_context(FIELD).filter(|n| n.as_i64() == Some(0)) {
                out.k8s(object, node.line, Some(c.name()), "the container runs as UID 0", format!("{} = 0", c.field_path(FIELD)));
            }
        }
    }
}
