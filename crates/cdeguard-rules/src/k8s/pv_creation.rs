//! ## What it checks
//! Roles and ClusterRoles that grant `create` on `persistentvolumes`.
//!
//! ## Why it matters
//! A PersistentVolume can be a hostPath volume: creating one gives a pod the node's file system,
//! around Pod Security admission. PCI DSS 7.2.2, 2.2.6; CIS Kubernetes v1.12 5.1.9.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [persistentvolumes]
//!     verbs: [create]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: [persistentvolumeclaims]
//!     verbs: [create]
//! ```
//!
//! ## How to fix
//! Let workloads request storage through PersistentVolumeClaims and StorageClasses only.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::report_grants;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-010",
    name: "persistent-volume-creation",
    title: "Role can create PersistentVolumes",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.2", "2.2.6"],
    cis: &[Cis::k8s("5.1.9")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Let workloads request storage through PersistentVolumeClaims and StorageClasses only.",
    source: include_str!("pv_creation.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report_grants(inventory, out, &["", "*"], &["persistentvolumes"], &["create"], "can create PersistentVolumes");
}
