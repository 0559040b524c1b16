//! ## What it checks
//! Pod Security Standards **restricted**, control "Seccomp" (v1.19+): the pod must set
//! `securityContext.seccompProfile.type` to `RuntimeDefault` or `Localhost`, or every
//! container must. Pods with `spec.os.name: windows` are exempt (v1.25+). Explicitly bad
//! values are reported by the baseline rule CDG-PSS-010.
//!
//! ## Why it matters
//! A container without a seccomp profile can reach every system call of the node's kernel.
//! PCI DSS 2.2.6; CIS Kubernetes v1.12 5.6.2.
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
//!   securityContext:
//!     seccompProfile: {type: RuntimeDefault}
//! ```
//!
//! ## How to fix
//! Set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::seccomp_baseline::valid_profile;
use crate::pod::{containers, is_windows, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-017",
    name: "seccomp-not-set",
    title: "No seccomp profile",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.6.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.seccompProfile.type: RuntimeDefault at pod level.",
    source: include_str!("seccomp_restricted.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads().filter(|(_, pod)| !is_windows(pod)) {
        if pod_security_context(&pod, &["seccompProfile"]).is_some_and(valid_profile) {
            continue;
        }
        for c in containers(&pod) {
            if c.security_context(&["seccompProfile"]).is_none() {
                out.k8s(object, c.node.line, Some(c.name()), "neither the pod nor the container sets a seccomp profile", format!("{} unset", c.field_path(&["seccompProfile", "type"])));
            }
        }
    }
}
