//! ## What it checks
//! Pod Security Standards **baseline**, control "Host Ports": every container port's
//! `hostPort` must be unset or `0`.
//!
//! ## Why it matters
//! A host port publishes the container on the node's address, outside Services,
//! NetworkPolicy and the ingress path: an unreviewed way into the CDE. PCI DSS 1.2.5,
//! 1.3.1, 1.4.2, 2.2.6; CIS Kubernetes v1.12 5.2.12.
//!
//! ## Failing example
//! ```yaml
//! ports:
//!   - containerPort: 8443
//!     hostPort: 8443
//! ```
//!
//! ## Passing example
//! ```yaml
//! ports:
//!   - containerPort: 8443
//! ```
//!
//! ## How to fix
//! Remove `hostPort`; expose the port through a Service (and an Ingress where needed).

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-006",
    name: "host-port",
    title: "Container binds a host port",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["1.2.5", "1.3.1", "1.4.2", "2.2.6"],
    cis: &[Cis::k8s("5.2.12")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove ports[].hostPort; publish the port through a Service.",
    source: include_str!("host_ports.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            let ports = c.node.get("ports").map(Node::items).unwrap_or_default();
            for (i, port) in ports.iter().enumerate() {
                if let Some(host) = port.get("hostPort").filter(|n| n.as_i64().is_some_and(|p| p != 0)) {
                    let number = host.as_i64().unwrap_or_default();
                    out.k8s(object, host.line, Some(c.name()), format!("the container binds host port {number}"), format!("{}.ports[{i}].hostPort = {number}", c.path));
                }
            }
        }
    }
}
