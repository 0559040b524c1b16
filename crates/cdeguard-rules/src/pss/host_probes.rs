//! ## What it checks
//! Pod Security Standards, baseline, **Host Probes / Lifecycle Hooks** (upstream check
//! `hostProbesAndHostLifecycle`, policy v1.34, current in v1.37): no container, init
//! container or ephemeral container may set a non-empty `host` in the `httpGet` or
//! `tcpSocket` action of its `livenessProbe`, `readinessProbe` or `startupProbe`, or of
//! its `lifecycle.postStart` or `lifecycle.preStop` hook. Each such field is one finding.
//!
//! ## Why it matters
//! Probes and HTTP/TCP hooks are executed by the kubelet from the node. With `host` set,
//! a pod author makes the node connect to any address, such as other pods, the cloud
//! metadata service or internal admin endpoints, around NetworkPolicy: a server-side
//! request forgery through the kubelet. PCI DSS 2.2.6 and 1.3.1 (traffic into and out of
//! the CDE is restricted).
//!
//! ## Failing example
//! ```yaml
//! livenessProbe:
//!   httpGet:
//!     host: 169.254.169.254
//!     path: /latest/meta-data/
//!     port: 80
//! ```
//!
//! ## Passing example
//! ```yaml
//! livenessProbe:
//!   httpGet:
//!     path: /healthz
//!     port: 8080
//! ```
//!
//! ## How to fix
//! Remove `host` from probes and lifecycle hooks; the kubelet then targets the pod's own
//! IP address. Use a `Host` HTTP header if a virtual host is needed.

use cdeguard_model::{InputFormat, Inventory, Severity};

use super::text;
use crate::pod::{containers, evidence};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-012",
    name: "pss-host-probes",
    title: "Probe or lifecycle hook targets another host (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6", "1.3.1"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove the host field from probes and lifecycle hooks (set an HTTP Host header instead if needed).",
    source: include_str!("host_probes.rs"),
    check,
};

/// Probes and lifecycle handlers: the key paths below a container.
const HANDLERS: [&[&str]; 5] = [
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for container in containers(&pod) {
            for handler in HANDLERS {
                for action in ["httpGet", "tcpSocket"] {
                    let keys = [handler, &[action, "host"]].concat();
                    let Some(host) = container.field(&keys) else {
                        continue;
                    };
                    let value = text(Some(host));
                    if value.is_empty() {
                        continue;
                    }
                    out.k8s(
                        object,
                        host.line,
                        Some(container.name()),
                        format!(
                            "container {:?} sets {}.{action}.host {value:?}",
                            container.name(),
                            handler.join(".")
                        ),
                        evidence(&container.path_to(&keys), host),
                    );
                }
            }
        }
    }
}
