//! ## What it checks
//! Roles and ClusterRoles that grant `get`, `list` or `watch` (or `*`) on `secrets`.
//!
//! ## Why it matters
//! Secrets hold the CDE's database passwords, API keys and TLS keys; `list` returns every value in the namespace (or
//! the cluster, for a ClusterRole). PCI DSS 7.2.2, 7.2.5 (least privilege), 3.6.1 and 8.3.2
//! (protect keys and authentication factors); CIS Kubernetes v1.12 5.1.2.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [secrets]
//!     verbs: [get, list]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [configmaps]
//!     verbs: [get]
//! ```
//!
//! ## How to fix
//! Grant access to Secrets only to the workloads that need them (by resourceNames), or use an external secrets manager.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-003",
    name: "secrets-read-access",
    title: "Role can read Secrets",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "7.2.5", "3.6.1", "8.3.2"],
    cis: &[Cis::k8s("5.1.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Grant access to Secrets only to the workloads that need them (by resourceNames), or use an external secrets manager.",
    source: include_str!("secrets_access.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "*"], &["secrets"], &["get", "list", "watch"], "can read Secrets");
}
