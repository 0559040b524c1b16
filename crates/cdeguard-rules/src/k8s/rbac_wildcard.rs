//! ## What it checks
//! Roles and ClusterRoles with `*` in `apiGroups`, `resources` or `verbs`.
//!
//! ## Why it matters
//! Wildcards grant every current and future resource or verb, including custom resources
//! added later: least privilege cannot be shown to an assessor. PCI DSS 7.2.1, 7.2.2; CIS
//! Kubernetes v1.12 5.1.3.
//!
//! ## Failing example
//! ```yaml
//! rules:
//!   - apiGroups: ["*"]
//!     resources: ["*"]
//!     verbs: ["*"]
//! ```
//!
//! ## Passing example
//! ```yaml
//! rules:
//!   - apiGroups: [apps]
//!     resources: [deployments]
//!     verbs: [get, list]
//! ```
//!
//! ## How to fix
//! List the API groups, resources and verbs explicitly.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::rbac::policy_rules;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-004",
    name: "rbac-wildcard",
    title: "Role uses wildcards",
    severity: Severity::Medium,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.1", "7.2.2"],
    cis: &[Cis::k8s("5.1.3")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Replace * with the explicit API groups, resources and verbs needed.",
    source: include_str!("rbac_wildcard.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for rule in policy_rules(inventory) {
        let wild: Vec<&str> = [("apiGroups", rule.api_groups()), ("resources", rule.resources()), ("verbs", rule.verbs())]
            .into_iter()
            .filter(|(_, values)| values.contains(&"*"))
            .map(|(field, _)| field)
            .collect();
        if !wild.is_empty() {
            out.k8s(rule.role, rule.node.line, None, format!("{} `{}` uses * in {}", rule.role.kind, rule.role.name, wild.join(", ")), format!("{}: * in {}", rule.path(), wild.join(", ")));
        }
    }
}
