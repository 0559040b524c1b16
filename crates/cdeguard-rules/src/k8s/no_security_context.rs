//! ## What it checks
//! Containers with no `securityContext` of their own in a pod with no pod-level
//! `securityContext` either.
//!
//! ## Why it matters
//! Such a container runs with every runtime default: as the image's user (often root),
//! with the default capability set, privilege escalation allowed and no seccomp profile.
//! PCI DSS 2.2.6; CIS Kubernetes v1.12 5.6.3.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   containers: [{name: app, image: app:1.0}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
//! ```
//!
//! ## How to fix
//! Set a pod securityContext and a container securityContext per the restricted Pod
//! Security Standard.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-018",
    name: "no-security-context",
    title: "Container has no security context",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.6.3")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Add a securityContext to the pod and to each container (runAsNonRoot, seccompProfile, allowPrivilegeEscalation: false, capabilities.drop: [ALL], readOnlyRootFilesystem).",
    source: include_str!("no_security_context.rs"),
    check,
};

fn is_set(node: Option<&cdeguard_model::Node>) -> bool {
    node.is_some_and(|n| !n.entries().is_empty())
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if is_set(pod.spec.get("securityContext")) {
            continue;
        }
        for c in containers(&pod) {
            if !is_set(c.node.get("securityContext")) {
                out.k8s(object, c.node.line, Some(c.name()), "neither the pod nor the container sets a securityContext", format!("{}.securityContext unset", c.path));
            }
        }
    }
}
