//! ## What it checks
//! Pod Security Standards, baseline, **SELinux** (upstream check `seLinuxOptions`, policy
//! v1.31, current in v1.37): wherever `securityContext.seLinuxOptions` is set, on the pod
//! or on any container, init container or ephemeral container,
//! - `type` must be unset/empty or one of `container_t`, `container_init_t`,
//!   `container_kvm_t`, `container_engine_t`;
//! - `user` and `role` must be unset or empty.
//!
//! `level` is not restricted. Each forbidden field is one finding.
//!
//! ## Why it matters
//! The SELinux type decides what the container's processes may touch on the node. Types
//! such as `spc_t` (super-privileged container) or `unconfined_t` switch that confinement
//! off, and a custom user or role can grant more than the container policy does. PCI DSS
//! 2.2.6 (security parameters set to prevent misuse).
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   seLinuxOptions:
//!     type: spc_t
//!     user: system_u
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   seLinuxOptions:
//!     type: container_t
//!     level: "s0:c123,c456"
//! ```
//!
//! ## How to fix
//! Remove `seLinuxOptions.user` and `role`, and leave `type` unset or use one of the
//! container types listed above; set only `level` for MCS separation.

use cdeguard_model::{InputFormat, Inventory, Severity};

use super::{Scope, security_contexts, text};
use crate::pod::evidence;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-008",
    name: "pss-selinux",
    title: "Forbidden SELinux options (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove seLinuxOptions.user and .role; leave .type unset or use container_t, container_init_t, container_kvm_t or container_engine_t.",
    source: include_str!("se_linux.rs"),
    check,
};

/// SELinux types baseline allows (v1.31 added `container_engine_t`); empty means unset.
const ALLOWED_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for context in security_contexts(&pod, Scope::PodAndContainers) {
            let Some(options) = context.field(&["seLinuxOptions"]) else {
                continue;
            };
            for field in ["type", "user", "role"] {
                let value = text(options.get(field));
                let forbidden = if field == "type" {
                    !ALLOWED_TYPES.contains(&value.as_str())
                } else {
                    !value.is_empty()
                };
                if !forbidden {
                    continue;
                }
                let node = options.get(field).unwrap_or(options);
                context.report(
                    out,
                    object,
                    node.line,
                    format!(
                        "{} sets forbidden securityContext.seLinuxOptions.{field} {value:?}",
                        context.setter()
                    ),
                    evidence(&context.path_to(&["seLinuxOptions", field]), node),
                );
            }
        }
    }
}
