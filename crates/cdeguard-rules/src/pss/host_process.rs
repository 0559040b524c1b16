//! ## What it checks
//! Pod Security Standards **baseline**, control "HostProcess": `securityContext.windowsOptions.hostProcess`
//! must be unset or `false`, at pod level and in every container (init and ephemeral
//! containers included).
//!
//! ## Why it matters
//! A Windows HostProcess container runs directly on the node with host privileges: it is
//! the Windows equivalent of a privileged container and breaks every isolation boundary
//! the CDE relies on. PCI DSS 2.2.6 (security parameters prevent misuse); CIS Kubernetes
//! v1.12 5.2.10.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   securityContext:
//!     windowsOptions: {hostProcess: true}
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   securityContext:
//!     windowsOptions: {runAsUserName: ContainerUser}
//! ```
//!
//! ## How to fix
//! Remove `hostProcess: true`; run node management tasks outside the cluster's workloads.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::pod::{containers, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-001",
    name: "windows-host-process",
    title: "Windows HostProcess container",
    severity: Severity::Critical,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.2.10")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.windowsOptions.hostProcess (or set it to false) at pod and container level.",
    source: include_str!("host_process.rs"),
    check,
};

const FIELD: &[&str] = &["windowsOptions", "hostProcess"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if let Some(node) = pod_security_context(&pod, FIELD).filter(|n| n.as_bool() == Some(true)) {
            out.k8s(object, node.line, None, "the pod runs as a Windows HostProcess", format!("{} = true", pod_field_path(&pod, FIELD)));
        }
        for c in containers(&pod) {
            if let Some(node) = c.security_context(FIELD).filter(|n| n.as_bool() == Some(true)) {
                out.k8s(object, node.line, Some(c.name()), "the container runs as a Windows HostProcess", format!("{} = true", c.field_path(FIELD)));
            }
        }
    }
}
