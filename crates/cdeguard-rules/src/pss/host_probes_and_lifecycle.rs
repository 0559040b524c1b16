//! ## What it checks
//! Pod Security Standards **baseline**, control "Host Probes / Lifecycle Hooks" (v1.34+):
//! the `host` field of `httpGet` and `tcpSocket` in liveness, readiness and startup probes
//! and in `postStart`/`preStop` lifecycle handlers must be unset or empty.
//!
//! ## Why it matters
//! A probe or hook with a `host` makes the kubelet connect to an arbitrary address from the
//! node: a server-side request forgery path around NetworkPolicy. PCI DSS 1.3.1, 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! livenessProbe:
//!   httpGet: {host: 169.254.169.254, path: /, port: 80}
//! ```
//!
//! ## Passing example
//! ```yaml
//! livenessProbe:
//!   httpGet: {path: /healthz, port: 8080}
//! ```
//!
//! ## How to fix
//! Remove `host`; probes then target the pod's own IP.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-012",
    name: "probe-or-hook-host",
    title: "Probe or lifecycle hook targets another host",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["1.3.1", "2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove the host field from probes and lifecycle handlers.",
    source: include_str!("host_probes_and_lifecycle.rs"),
    check,
};

const HANDLERS: &[&[&str]] = &[
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            for handler_path in HANDLERS {
                let Some(handler) = c.node.path(handler_path) else { continue };
                for action in ["httpGet", "tcpSocket"] {
                    let Some(host) = handler.path(&[action, "host"]) else { continue };
                    let value = host.scalar_text().unwrap_or_default();
                    if !value.is_empty() {
                        out.k8s(object, host.line, Some(c.name()), format!("{} {action} targets host `{value}`", handler_path.join(".")), format!("{}.{}.{action}.host = {value}", c.path, handler_path.join(".")));
                    }
                }
            }
        }
    }
}
