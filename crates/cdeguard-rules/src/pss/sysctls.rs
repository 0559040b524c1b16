//! ## What it checks
//! Pod Security Standards **baseline**, control "Sysctls": `spec.securityContext.sysctls[*].name`
//! must be in the safe set of the v1.37 policy: kernel.shm_rmid_forced,
//! net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
//! net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,
//! net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
//! net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem,
//! net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat.
//!
//! ## Why it matters
//! Other sysctls are not namespaced (they change the whole node) or can weaken the
//! kernel's protections for every workload on it. PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   sysctls: [{name: kernel.msgmax, value: "65536"}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]
//! ```
//!
//! ## How to fix
//! Remove the unsafe sysctl, or tune it on dedicated nodes outside the CDE workload's spec.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::pod::{pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-011",
    name: "unsafe-sysctl",
    title: "Pod sets an unsafe sysctl",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove sysctls outside the Pod Security Standards' safe set.",
    source: include_str!("sysctls.rs"),
    check,
};

const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let sysctls = pod_security_context(&pod, &["sysctls"]).map(Node::items).unwrap_or_default();
        for (i, sysctl) in sysctls.iter().enumerate() {
            let name = sysctl.get("name").and_then(Node::scalar_text).unwrap_or_default();
            if !SAFE.contains(&name.as_str()) {
                out.k8s(object, sysctl.line, None, format!("the pod sets unsafe sysctl `{name}`"), format!("{}[{i}].name = {name}", pod_field_path(&pod, &["sysctls"])));
            }
        }
    }
}
