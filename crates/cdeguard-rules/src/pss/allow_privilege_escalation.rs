//! ## What it checks
//! Pod Security Standards **restricted**, control "Privilege Escalation": every container
//! must set `securityContext.allowPrivilegeEscalation: false` explicitly. Pods with
//! `spec.os.name: windows` are exempt (v1.25+).
//!
//! ## Why it matters
//! Unless it is switched off, setuid binaries and file capabilities let a process gain more
//! privileges than its parent (`no_new_privs` unset). PCI DSS 2.2.6; CIS Kubernetes v1.12
//! 5.2.6.
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: app
//!     securityContext: {}
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: app
//!     securityContext: {allowPrivilegeEscalation: false}
//! ```
//!
//! ## How to fix
//! Set `allowPrivilegeEscalation: false` in every container's securityContext.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::{containers, is_windows};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-014",
    name: "privilege-escalation-allowed",
    title: "Container may escalate privileges",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.2.6")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.allowPrivilegeEscalation: false in every container.",
    source: include_str!("allow_privilege_escalation.rs"),
    check,
};

const FIELD: &[&str] = &["allowPrivilegeEscalation"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads().filter(|(_, pod)| !is_windows(pod)) {
        for c in containers(&pod) {
            match c.security_context(FIELD) {
                Some(node) if node.as_bool() == Some(false) => {}
                Some(node) => out.k8s(object, node.line, Some(c.name()), "the container allows privilege escalation", format!("{} = {}", c.field_path(FIELD), node.scalar_text().unwrap_or_default())),
                None => out.k8s(object, c.node.line, Some(c.name()), "the container does not set allowPrivilegeEscalation: false", format!("{} unset", c.field_path(FIELD))),
            }
        }
    }
}
