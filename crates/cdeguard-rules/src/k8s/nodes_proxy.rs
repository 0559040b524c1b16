//! ## What it checks
//! Roles and ClusterRoles that grant any verb on `nodes/proxy`.
//!
//! ## Why it matters
//! `nodes/proxy` reaches the kubelet API directly: exec into any pod on the node without the API
//! server's audit trail. PCI DSS 7.2.2; CIS Kubernetes v1.12 5.1.10.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [nodes/proxy]
//!     verbs: [get]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [nodes]
//!     verbs: [get, list]
//! ```
//!
//! ## How to fix
//! Remove nodes/proxy; monitoring agents can read metrics through nodes/metrics.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-011",
    name: "nodes-proxy-access",
    title: "Role can use nodes/proxy",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2"],
    cis: &[Cis::k8s("5.1.10")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove nodes/proxy; monitoring agents can read metrics through nodes/metrics.",
    source: include_str!("nodes_proxy.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "*"], &["nodes/proxy"], &["*", "get", "list", "watch", "create", "update", "patch", "delete"], "can use the kubelet API through nodes/proxy");
}
