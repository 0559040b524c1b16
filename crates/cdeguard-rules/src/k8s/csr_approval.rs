//! ## What it checks
//! Roles and ClusterRoles that grant `update` on `certificatesigningrequests/approval`.
//!
//! ## Why it matters
//! Approving CSRs mints client certificates: long-lived credentials that cannot be revoked.
//! PCI DSS 7.2.2, 8.2.4; CIS Kubernetes v1.12 5.1.11.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [certificates.k8s.io]
//!     resources: [certificatesigningrequests/approval]
//!     verbs: [update]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [certificates.k8s.io]
//!     resources: [certificatesigningrequests]
//!     verbs: [get, list]
//! ```
//!
//! ## How to fix
//! Leave CSR approval to the controller manager and a small, audited admin group.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-012",
    name: "csr-approval-access",
    title: "Role can approve certificate signing requests",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "8.2.4"],
    cis: &[Cis::k8s("5.1.11")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Leave CSR approval to the controller manager and a small, audited admin group.",
    source: include_str!("csr_approval.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["certificates.k8s.io", "*"], &["certificatesigningrequests/approval"], &["update", "patch"], "can approve certificate signing requests");
}
