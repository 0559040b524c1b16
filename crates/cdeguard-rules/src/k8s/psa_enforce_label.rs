//! ## What it checks
//! Namespace objects without a Pod Security Admission `pod-security.kubernetes.io/enforce`
//! label of `baseline` or `restricted`.
//!
//! ## Why it matters
//! Without an enforced level, nothing stops a privileged pod from being admitted: the
//! configuration standard is not enforced, only hoped for. PCI DSS 2.2.1, 2.2.6; CIS
//! Kubernetes v1.12 5.2.1.
//!
//! ## Failing example
//! ```yaml
//! kind: Namespace
//! metadata: {name: messaging}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: Namespace
//! metadata:
//!   name: payments
//!   labels: {pod-security.kubernetes.io/enforce: restricted}
//! ```
//!
//! ## How to fix
//! Label the namespace `pod-security.kubernetes.io/enforce: restricted` (baseline at least).

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-015",
    name: "namespace-without-pod-security-enforcement",
    title: "Namespace does not enforce a Pod Security level",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes],
    pci: &["2.2.1", "2.2.6"],
    cis: &[Cis::k8s("5.2.1")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Add the label pod-security.kubernetes.io/enforce: restricted (or baseline) to the namespace.",
    source: include_str!("psa_enforce_label.rs"),
    check,
};

const LABEL: &str = "pod-security.kubernetes.io/enforce";

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for ns in inventory.objects_of_kind("Namespace") {
        let level = ns.labels.get(LABEL).map(String::as_str);
        if !matches!(level, Some("baseline" | "restricted")) {
            let shown = level.map_or_else(|| "unset".to_owned(), |l| format!("`{l}`"));
            out.k8s(ns, ns.body.get("metadata").map_or(0, |m| m.line), None, format!("namespace `{}` enforces no Pod Security level ({LABEL} {shown})", ns.name), format!("metadata.labels[{LABEL}] {shown}"));
        }
    }
}
