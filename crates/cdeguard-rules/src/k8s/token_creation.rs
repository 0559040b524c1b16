//! ## What it checks
//! Roles and ClusterRoles that grant `create` on `serviceaccounts/token`.
//!
//! ## Why it matters
//! Creating tokens for any service account of the namespace lets a subject act as that account,
//! including accounts with access to the CDE. PCI DSS 7.2.5, 8.6.1; CIS Kubernetes v1.12 5.1.13.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [serviceaccounts/token]
//!     verbs: [create]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [serviceaccounts]
//!     verbs: [get]
//! ```
//!
//! ## How to fix
//! Let the kubelet mint projected tokens; do not grant token creation to users or workloads.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-014",
    name: "service-account-token-creation",
    title: "Role can create service account tokens",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.5", "8.6.1"],
    cis: &[Cis::k8s("5.1.13")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Let the kubelet mint projected tokens; do not grant token creation to users or workloads.",
    source: include_str!("token_creation.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "*"], &["serviceaccounts/token"], &["create"], "can create service account tokens");
}
