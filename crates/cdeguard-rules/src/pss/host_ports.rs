//! ## What it checks
//! Pod Security Standards, baseline, **Host Ports** (upstream check `hostPorts`, policy
//! v1.0, current in v1.37): no container, init container or ephemeral container may
//! declare a `ports[].hostPort` other than 0 (unset and null mean 0). Each such port is
//! one finding.
//!
//! ## Why it matters
//! A host port opens the workload on every address of the node, outside Services,
//! Ingress and NetworkPolicy. It creates an unreviewed path into the CDE (PCI DSS 1.2.5,
//! 1.3.1, 1.4.2) and pins pods to nodes. PCI DSS 2.2.6; CIS Kubernetes v1.12 5.2.12.
//!
//! ## Failing example
//! ```yaml
//! containers:
//! - name: api
//!   ports:
//!   - containerPort: 8443
//!     hostPort: 8443
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//! - name: api
//!   ports:
//!   - containerPort: 8443
//! ```
//!
//! ## How to fix
//! Remove `hostPort` and expose the container through a Service (ClusterIP behind an
//! Ingress or a load balancer with source ranges).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::{containers, evidence};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-006",
    name: "pss-host-ports",
    title: "Container uses a host port (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6", "1.2.5", "1.3.1", "1.4.2"],
    cis: &[Cis::k8s("5.2.12")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove ports[].hostPort and expose the container through a Service.",
    source: include_str!("host_ports.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for container in containers(&pod) {
            let ports = container.node.get("ports").map(|n| n.items()).unwrap_or_default();
            for (index, port) in ports.iter().enumerate() {
                // A non-numeric hostPort does not decode in the API; only non-zero numbers count.
                let Some(host_port) = port
                    .get("hostPort")
                    .filter(|n| n.as_f64().is_some_and(|p| p != 0.0))
                else {
                    continue;
                };
                out.k8s(
                    object,
                    host_port.line,
                    Some(container.name()),
                    format!(
                        "container {:?} uses hostPort {}",
                        container.name(),
                        super::text(Some(host_port))
                    ),
                    evidence(&container.path_to(&["ports"]).index(index).key("hostPort"), host_port),
                );
            }
        }
    }
}
