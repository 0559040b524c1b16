//! ## What it checks
//! Pod Security Standards, baseline, **Capabilities** (upstream check
//! `capabilities_baseline`, policy v1.0, current in v1.37): a container, init container
//! or ephemeral container may add (`securityContext.capabilities.add`) only capabilities
//! from the container runtime's default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`,
//! `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`,
//! `SETPCAP`, `SETUID`, `SYS_CHROOT`. Names are compared exactly (`CAP_CHOWN` or `chown`
//! are not in the list). Each other added capability is one finding.
//!
//! At the restricted level this rule is replaced by the stricter
//! `pss-capabilities-restricted` (CDG-PSS-018), as upstream does.
//!
//! ## Why it matters
//! Capabilities beyond the default set, such as `SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`,
//! `SYS_PTRACE` or `SYS_MODULE`, are the usual ways out of a container or into other
//! pods' traffic (spoofing with `NET_RAW`). PCI DSS 2.2.6; CIS Kubernetes v1.12 5.2.9
//! (minimize added capabilities) and 5.2.8 (`NET_RAW`).
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   capabilities:
//!     add: ["NET_ADMIN", "SYS_TIME"]
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   capabilities:
//!     drop: ["ALL"]
//!     add: ["NET_BIND_SERVICE"]
//! ```
//!
//! ## How to fix
//! Remove the capability from `capabilities.add`; better, drop `ALL` and add back only
//! `NET_BIND_SERVICE` if the process binds a port below 1024.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::capability_entries;
use crate::pod::{containers, evidence};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-004",
    name: "pss-capabilities-baseline",
    title: "Container adds a non-default capability (Pod Security baseline)",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.4.3"],
    cis: &[Cis::k8s("5.2.9"), Cis::k8s("5.2.8")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove capabilities outside the runtime default set from securityContext.capabilities.add; prefer drop: [ALL].",
    source: include_str!("capabilities_baseline.rs"),
    check,
};

/// The container runtime's default capabilities, which baseline lets a container add.
const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for container in containers(&pod) {
            for (path, node, name) in capability_entries(&container, "add") {
                if !ALLOWED.contains(&name.as_str()) {
                    out.k8s(
                        object,
                        node.line,
                        Some(container.name()),
                        format!(
                            "container {:?} adds non-default capability {name:?}",
                            container.name()
                        ),
                        evidence(&path, node),
                    );
                }
            }
        }
    }
}
