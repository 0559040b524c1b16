//! ## What it checks
//! Pod Security Standards **baseline**, control "Seccomp": `securityContext.seccompProfile.type`
//! (pod and containers), where set, must be `RuntimeDefault` or `Localhost`; `Unconfined`
//! (or any other value) is forbidden.
//!
//! ## Why it matters
//! Without a seccomp filter every system call is reachable, including the ones container
//! escapes use. PCI DSS 2.2.6; CIS Kubernetes v1.12 5.6.2.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   seccompProfile: {type: Unconfined}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   seccompProfile: {type: RuntimeDefault}
//! ```
//!
//! ## How to fix
//! Use `RuntimeDefault`, or a reviewed `Localhost` profile.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::pod::{containers, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-010",
    name: "seccomp-unconfined",
    title: "Seccomp profile disabled",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.6.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set seccompProfile.type to RuntimeDefault (or Localhost with a reviewed profile).",
    source: include_str!("seccomp_baseline.rs"),
    check,
};

const FIELD: &[&str] = &["seccompProfile", "type"];

/// Whether a `seccompProfile` object names an allowed type (`RuntimeDefault`, `Localhost`).
pub(super) fn valid_profile(profile: &Node) -> bool {
    matches!(profile.get("type").and_then(Node::as_str), Some("RuntimeDefault" | "Localhost"))
}

fn type_text(profile: &Node) -> String {
    profile.get("type").and_then(Node::scalar_text).unwrap_or_default()
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if let Some(profile) = pod_security_context(&pod, &["seccompProfile"]).filter(|p| !valid_profile(p)) {
            out.k8s(object, profile.line, None, format!("the pod sets seccomp profile type `{}`", type_text(profile)), format!("{} = {}", pod_field_path(&pod, FIELD), type_text(profile)));
        }
        for c in containers(&pod) {
            if let Some(profile) = c.security_context(&["seccompProfile"]).filter(|p| !valid_profile(p)) {
                out.k8s(object, profile.line, Some(c.name()), format!("the container sets seccomp profile type `{}`", type_text(profile)), format!("{} = {}", c.field_path(FIELD), type_text(profile)));
            }
        }
    }
}
