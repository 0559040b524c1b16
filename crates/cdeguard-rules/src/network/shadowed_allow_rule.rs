//! ## What it checks
//! An Istio AuthorizationPolicy ALLOW rule that can never let a request through: a DENY
//! policy applying to every workload the ALLOW policy applies to has a rule matching every
//! request the ALLOW rule matches (sources, operations and `when` conditions compared field
//! by field; a principal implies its namespace), and Istio evaluates DENY before ALLOW.
//!
//! ## Why it matters
//! PCI DSS 1.2.7 requires reviews that find ineffective rules; a shadowed ALLOW rule
//! documents access that does not exist, and whoever relaxes the DENY policy opens it
//! unknowingly.
//!
//! ## Failing example
//! ```yaml
//! kind: AuthorizationPolicy
//! metadata: {name: no-web, namespace: payments}
//! spec: {action: DENY, rules: [{from: [{source: {namespaces: [web]}}]}]}
//! ---
//! kind: AuthorizationPolicy
//! metadata: {name: api, namespace: payments}
//! spec:
//!   selector: {matchLabels: {app: api}}
//!   rules: [{from: [{source: {principals: [cluster.local/ns/web/sa/shop]}}]}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: AuthorizationPolicy
//! metadata: {name: api, namespace: payments}
//! spec:
//!   selector: {matchLabels: {app: api}}
//!   rules: [{from: [{source: {principals: [cluster.local/ns/checkout/sa/checkout]}}]}]
//! ```
//!
//! ## How to fix
//! Delete the shadowed ALLOW rule, or narrow the DENY policy if the access is needed.
//!
//! Reported by the segmentation test of `cdeguard scan` (see `crate::network`).

use cdeguard_model::Severity;

use super::ScannerRule;

pub const RULE: ScannerRule = ScannerRule {
    id: "CDG-NET-011",
    name: "shadowed-authorization-rule",
    title: "AuthorizationPolicy ALLOW rule shadowed by a DENY",
    severity: Severity::Low,
    pci: &["1.2.7"],
    remediation: "Delete the shadowed ALLOW rule, or narrow the DENY policy if the access is needed.",
    source: include_str!("shadowed_allow_rule.rs"),
};
