//! ## What it checks
//! Pod Security Standards, restricted, **Privilege Escalation** (upstream check
//! `allowPrivilegeEscalation`, policy v1.25, current in v1.37): every container, init
//! container and ephemeral container must set
//! `securityContext.allowPrivilegeEscalation: false` explicitly; unset, null and `true`
//! are forbidden. Pods with `spec.os.name: windows` are exempt (the field does not exist
//! on Windows).
//!
//! ## Why it matters
//! Unless it is `false`, the container's processes may gain more privileges than their
//! parent through setuid binaries or file capabilities (`no_new_privs` is not set), which
//! turns a foothold into root in the container. PCI DSS 2.2.6; CIS Kubernetes v1.12
//! 5.2.6.
//!
//! ## Failing example
//! ```yaml
//! containers:
//! - name: app
//!   image: registry.example/app:1.0   # allowPrivilegeEscalation unset
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//! - name: app
//!   image: registry.example/app:1.0
//!   securityContext:
//!     allowPrivilegeEscalation: false
//! ```
//!
//! ## How to fix
//! Set `securityContext.allowPrivilegeEscalation: false` on every container, init
//! container and ephemeral container.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, is_windows_pod, security_contexts};
use crate::pod::evidence;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-014",
    name: "pss-allow-privilege-escalation",
    title: "Container allows privilege escalation (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.2.6")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
    source: include_str!("allow_privilege_escalation.rs"),
    check,
};

const FIELD: [&str; 1] = ["allowPrivilegeEscalation"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if is_windows_pod(&pod) {
            continue;
        }
        for context in security_contexts(&pod, Scope::Containers) {
            let message = format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                context.setter()
            );
            match context.field(&FIELD) {
                Some(node) if node.as_bool() == Some(false) => {}
                Some(node) => {
                    let evidence = evidence(&context.path_to(&FIELD), node);
                    context.report(out, object, node.line, message, evidence);
                }
                None => {
                    let evidence = format!("{} unset", context.path_to(&FIELD));
                    context.report(out, object, 0, message, evidence);
                }
            }
        }
    }
}

