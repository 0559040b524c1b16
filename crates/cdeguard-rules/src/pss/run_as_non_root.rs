//! ## What it checks
//! Pod Security Standards, restricted, **Running as Non-root** (upstream check
//! `runAsNonRoot`, policy v1.35, current in v1.37): every container, init container and
//! ephemeral container must run with `runAsNonRoot: true`, set on the container's
//! `securityContext` or inherited from the pod's `spec.securityContext`. A container's own
//! value overrides the pod's; an explicit `runAsNonRoot: false` on the pod or on any
//! container is forbidden. Pods in their own user namespace (`spec.hostUsers: false`) are
//! exempt since v1.35: root in the container is not root on the node.
//!
//! ## Why it matters
//! With `runAsNonRoot: true` the kubelet refuses to start a container whose image would
//! run as UID 0. Root in a container is one kernel bug or misconfiguration away from root
//! on the node, and gives the process more rights than it needs (PCI DSS 7.2.5, least
//! privilege for system accounts). PCI DSS 2.2.6; CIS Kubernetes v1.12 5.2.7.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   securityContext:
//!     runAsNonRoot: true
//!   containers:
//!   - name: app
//!     securityContext:
//!       runAsNonRoot: false   # overrides the pod
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   securityContext:
//!     runAsNonRoot: true
//!     runAsUser: 10001
//! ```
//!
//! ## How to fix
//! Set `spec.securityContext.runAsNonRoot: true` (and a non-zero `runAsUser` if the image
//! has no numeric non-root `USER`), and remove `runAsNonRoot: false` from containers.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, in_user_namespace, is_true, security_contexts};
use crate::pod::{evidence, pod_field, pod_path};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-015",
    name: "pss-run-as-non-root",
    title: "Container may run as root (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::k8s("5.2.7")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set spec.securityContext.runAsNonRoot: true and remove runAsNonRoot: false from containers.",
    source: include_str!("run_as_non_root.rs"),
    check,
};

const FIELD: [&str; 1] = ["runAsNonRoot"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if in_user_namespace(&pod) {
            continue;
        }
        let pod_non_root = pod_field(&pod, &["securityContext", "runAsNonRoot"]).is_some_and(is_true);
        for context in security_contexts(&pod, Scope::PodAndContainers) {
            match context.field(&FIELD) {
                Some(node) if is_true(node) => {}
                Some(node) => context.report(
                    out,
                    object,
                    node.line,
                    format!("{} must not set securityContext.runAsNonRoot=false", context.setter()),
                    evidence(&context.path_to(&FIELD), node),
                ),
                // An unset container value inherits the pod's.
                None if context.container.is_some() && !pod_non_root => context.report(
                    out,
                    object,
                    0,
                    format!("pod or {} must set securityContext.runAsNonRoot=true", context.setter()),
                    format!(
                        "{} unset and {} not true",
                        context.path_to(&FIELD),
                        pod_path(&pod, &["securityContext", "runAsNonRoot"])
                    ),
                ),
                None => {}
            }
        }
    }
}
