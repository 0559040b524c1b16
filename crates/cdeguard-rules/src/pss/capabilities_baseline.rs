//! ## What it checks
//! Pod Security Standards **baseline**, control "Capabilities": `securityContext.capabilities.add`
//! may only contain AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
//! NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT (names compared
//! exactly, as upstream does), in every container.
//!
//! ## Why it matters
//! Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or NET_RAW give a container
//! powers that lead to container escape, traffic sniffing or spoofing inside the CDE.
//! PCI DSS 2.2.6; CIS Kubernetes v1.12 5.2.9.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   capabilities: {add: [SYS_ADMIN]}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
//! ```
//!
//! ## How to fix
//! Remove the added capability; redesign the feature that needed it.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-004",
    name: "capabilities-beyond-baseline",
    title: "Container adds a capability outside the baseline set",
    severity: Severity::High,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.2.9")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove capabilities other than the baseline set from securityContext.capabilities.add.",
    source: include_str!("capabilities_baseline.rs"),
    check,
};

const ALLOWED: &[&str] = &[
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
    "SETPCAP", "SETUID", "SYS_CHROOT",
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            let Some(add) = c.security_context(&["capabilities", "add"]) else { continue };
            for cap in add.items() {
                let name = cap.scalar_text().unwrap_or_default();
                if !ALLOWED.contains(&name.as_str()) {
                    out.k8s(object, cap.line, Some(c.name()), format!("the container adds capability {name}"), format!("{} contains {name}", c.field_path(&["capabilities", "add"])));
                }
            }
        }
    }
}
