//! ## What it checks
//! Pod Security Standards, baseline, **Sysctls** (upstream check `sysctls`, policy v1.37):
//! every entry of `spec.securityContext.sysctls` must name one of the namespaced,
//! isolated "safe" sysctls of v1.37:
//! `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
//! `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
//! `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports` (v1.27),
//! `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
//! `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes` (v1.29),
//! `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem` (v1.32),
//! `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat` (v1.37).
//! Names are compared exactly (the slash form `net/ipv4/...` is not in the list). Each
//! other sysctl is one finding.
//!
//! ## Why it matters
//! Other sysctls either are not namespaced, so setting them changes the whole node and
//! every other pod on it, or can exhaust node resources. PCI DSS 2.2.6 (security
//! parameters set to prevent misuse).
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   sysctls:
//!   - name: kernel.msgmax
//!     value: "65536"
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   sysctls:
//!   - name: net.ipv4.ip_local_port_range
//!     value: "1024 65535"
//! ```
//!
//! ## How to fix
//! Remove the sysctl from the pod; a node-wide setting belongs in the node's
//! configuration, reviewed with the rest of the node hardening.

use cdeguard_model::{InputFormat, Inventory, Severity};

use super::text;
use crate::pod::{evidence, pod_field, pod_path};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-011",
    name: "pss-sysctls",
    title: "Unsafe sysctl (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove sysctls outside the safe set from spec.securityContext.sysctls; configure node-wide settings on the node.",
    source: include_str!("sysctls.rs"),
    check,
};

/// The safe sysctls of policy v1.37 (the union of every version's additions).
const SAFE: &[&str] = &[
    // v1.0
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    // v1.27
    "net.ipv4.ip_local_reserved_ports",
    // v1.29
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    // v1.32
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    // v1.37
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let sysctls = pod_field(&pod, &["securityContext", "sysctls"]).map(|n| n.items()).unwrap_or_default();
        let path = pod_path(&pod, &["securityContext", "sysctls"]);
        for (index, sysctl) in sysctls.iter().enumerate() {
            let name = text(sysctl.get("name"));
            if SAFE.contains(&name.as_str()) {
                continue;
            }
            let node = sysctl.get("name").unwrap_or(sysctl);
            out.k8s(
                object,
                node.line,
                None,
                format!("pod sets forbidden sysctl {name:?}"),
                evidence(&path.index(index).key("name"), node),
            );
        }
    }
}
