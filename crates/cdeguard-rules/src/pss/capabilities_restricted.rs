//! ## What it checks
//! Pod Security Standards **restricted**, control "Capabilities" (v1.22+): every container
//! must drop `ALL` capabilities and may add back only `NET_BIND_SERVICE`. Pods with
//! `spec.os.name: windows` are exempt (v1.25+).
//!
//! ## Why it matters
//! The runtime's default capability set still includes NET_RAW (packet spoofing inside the
//! CDE network) and others an application does not need. PCI DSS 2.2.6, 1.4.3; CIS
//! Kubernetes v1.12 5.2.8, 5.2.9.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   capabilities: {drop: [NET_RAW]}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
//! ```
//!
//! ## How to fix
//! Set `capabilities: {drop: [ALL]}` and add back only NET_BIND_SERVICE if the process
//! binds a port below 1024.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::pod::{containers, is_windows};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-018",
    name: "capabilities-not-dropped",
    title: "Container does not drop all capabilities",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.4.3"],
    cis: &[Cis::k8s("5.2.8"), Cis::k8s("5.2.9")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.capabilities.drop: [ALL]; add back only NET_BIND_SERVICE when needed.",
    source: include_str!("capabilities_restricted.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads().filter(|(_, pod)| !is_windows(pod)) {
        for c in containers(&pod) {
            let caps = c.security_context(&["capabilities"]);
            let drops_all = caps
                .and_then(|caps| caps.get("drop"))
                .is_some_and(|drop| drop.items().iter().any(|d| d.as_str() == Some("ALL")));
            if !drops_all {
                let line = caps.map_or(c.node.line, |n| n.line);
                out.k8s(object, line, Some(c.name()), "the container does not drop ALL capabilities", format!("{} lacks ALL", c.field_path(&["capabilities", "drop"])));
            }
            for cap in caps.and_then(|caps| caps.get("add")).map(Node::items).unwrap_or_default() {
                let name = cap.scalar_text().unwrap_or_default();
                if name != "NET_BIND_SERVICE" {
                    out.k8s(object, cap.line, Some(c.name()), format!("the container adds capability {name}"), format!("{} contains {name}", c.field_path(&["capabilities", "add"])));
                }
            }
        }
    }
}
