//! ## What it checks
//! Roles and ClusterRoles that grant write verbs on `validatingwebhookconfigurations` or
//! `mutatingwebhookconfigurations`.
//!
//! ## Why it matters
//! Admission webhooks are security controls (image assurance, policy enforcement); whoever can edit
//! them can switch them off or intercept every object. PCI DSS 7.2.2, 10.7.2 (failures of
//! security controls); CIS Kubernetes v1.12 5.1.12.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [admissionregistration.k8s.io]
//!     resources: [validatingwebhookconfigurations]
//!     verbs: [delete]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [admissionregistration.k8s.io]
//!     resources: [validatingwebhookconfigurations]
//!     verbs: [get, list]
//! ```
//!
//! ## How to fix
//! Restrict webhook configuration changes to the platform team's GitOps pipeline.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-013",
    name: "webhook-configuration-write",
    title: "Role can change admission webhooks",
    severity: Severity::High,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "10.7.2"],
    cis: &[Cis::k8s("5.1.12")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Restrict webhook configuration changes to the platform team's GitOps pipeline.",
    source: include_str!("webhook_configuration.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["admissionregistration.k8s.io", "*"], &["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], &["create", "update", "patch", "delete", "deletecollection"], "can change admission webhook configurations");
}
