//! ## What it checks
//! Pod Security Standards, restricted, **Capabilities** (upstream check
//! `capabilities_restricted`, policy v1.25, current in v1.37): every container, init
//! container and ephemeral container must
//! - drop all capabilities: `securityContext.capabilities.drop` contains `ALL` (exactly,
//!   upper case), and
//! - add nothing but `NET_BIND_SERVICE` in `securityContext.capabilities.add`.
//!
//! Pods with `spec.os.name: windows` are exempt (Linux capabilities do not exist there).
//! This rule replaces the baseline `pss-capabilities-baseline` (CDG-PSS-004) at the
//! restricted level.
//!
//! ## Why it matters
//! The runtime's default set still includes capabilities an attacker uses: `NET_RAW` (in
//! some runtimes) for spoofing on the pod network, `DAC_OVERRIDE` and `CHOWN` to get past
//! file permissions, `SETUID`/`SETGID` to switch users. Dropping `ALL` leaves the process
//! only what it asked for. PCI DSS 2.2.6, 1.4.3 (anti-spoofing); CIS Kubernetes v1.12
//! 5.2.8 and 5.2.9.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   capabilities:
//!     drop: ["NET_RAW"]
//!     add: ["CHOWN"]
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
//! Set `capabilities.drop: ["ALL"]` on every container and add back at most
//! `NET_BIND_SERVICE`.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{SecurityContext, capability_entries, is_windows_pod};
use crate::pod::{containers, evidence};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-018",
    name: "pss-capabilities-restricted",
    title: "Container does not drop ALL capabilities or adds one (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.4.3"],
    cis: &[Cis::k8s("5.2.8"), Cis::k8s("5.2.9")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.capabilities.drop: [ALL] on every container and add back at most NET_BIND_SERVICE.",
    source: include_str!("capabilities_restricted.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if is_windows_pod(&pod) {
            continue;
        }
        for container in containers(&pod) {
            let context = SecurityContext::of_container(&container);
            let drops_all = capability_entries(&container, "drop").any(|(_, _, name)| name == "ALL");
            if !drops_all {
                let drop = context.field(&["capabilities", "drop"]);
                let evidence = match drop {
                    Some(node) => evidence(&context.path_to(&["capabilities", "drop"]), node),
                    None => format!("{} unset", context.path_to(&["capabilities", "drop"])),
                };
                context.report(
                    out,
                    object,
                    drop.map_or(0, |n| n.line),
                    format!("{} must set securityContext.capabilities.drop=[\"ALL\"]", context.setter()),
                    evidence,
                );
            }
            for (path, node, name) in capability_entries(&container, "add") {
                if name != "NET_BIND_SERVICE" {
                    context.report(
                        out,
                        object,
                        node.line,
                        format!("{} must not add capability {name:?}", context.setter()),
                        evidence(&path, node),
                    );
                }
            }
        }
    }
}
