//! ## What it checks
//! Roles and ClusterRoles that grant `bind` or `escalate` on roles/clusterroles, or `impersonate` on
//! users, groups or service accounts.
//!
//! ## Why it matters
//! These verbs let a subject grant itself permissions it does not have, or act as another identity:
//! they defeat least privilege and the audit trail's attribution. PCI DSS 7.2.2; CIS Kubernetes
//! v1.12 5.1.8.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [users]
//!     verbs: [impersonate]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [rbac.authorization.k8s.io]
//!     resources: [roles]
//!     verbs: [get, list]
//! ```
//!
//! ## How to fix
//! Remove bind, escalate and impersonate; grant the needed roles directly.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-009",
    name: "bind-escalate-impersonate",
    title: "Role can bind, escalate or impersonate",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2"],
    cis: &[Cis::k8s("5.1.8")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove bind, escalate and impersonate; grant the needed roles directly.",
    source: include_str!("escalation_verbs.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "rbac.authorization.k8s.io", "*"], &["roles", "clusterroles", "users", "groups", "serviceaccounts"], &["bind", "escalate", "impersonate"], "can bind, escalate or impersonate");
}
