//! ## What it checks
//! Pod Security Standards, baseline, **HostProcess** (upstream check `windowsHostProcess`,
//! policy v1.0, current in v1.37): neither the pod
//! (`spec.securityContext.windowsOptions.hostProcess`) nor any container, init container
//! or ephemeral container (`securityContext.windowsOptions.hostProcess`) may set
//! `hostProcess: true`. Unset, null and `false` are allowed.
//!
//! ## Why it matters
//! A Windows HostProcess container runs directly on the node, with the node's network,
//! filesystem and, usually, SYSTEM privileges: no isolation is left between the workload
//! and the host, so a compromise of it is a compromise of every CDE workload on the node.
//! PCI DSS 2.2.6 (security parameters set to prevent misuse); CIS Kubernetes v1.12 5.2.10.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   securityContext:
//!     windowsOptions:
//!       hostProcess: true
//!   hostNetwork: true
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   os: {name: windows}
//!   securityContext:
//!     windowsOptions:
//!       runAsUserName: ContainerUser
//! ```
//!
//! ## How to fix
//! Remove `windowsOptions.hostProcess` (or set it to `false`) at pod and container level.
//! Node-management agents that truly need host access belong in a dedicated, non-CDE
//! node pool and namespace with a privileged Pod Security level.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, is_true, report_forbidden_values};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-001",
    name: "pss-host-process",
    title: "Windows HostProcess container (Pod Security baseline)",
    severity: Severity::Critical,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.2.10")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and every container.",
    source: include_str!("host_process.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        report_forbidden_values(
            out,
            object,
            &pod,
            (
                &["windowsOptions", "hostProcess"],
                Scope::PodAndContainers,
            ),
            is_true,
            "must not set securityContext.windowsOptions.hostProcess=true",
        );
    }
}
