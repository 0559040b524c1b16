//! ## What it checks
//! Workloads that get a service account token mounted: `automountServiceAccountToken` is not
//! `false` on the pod, and the pod's service account (when in the inputs) does not set it to
//! `false` either.
//!
//! ## Why it matters
//! Most workloads never call the Kubernetes API; a mounted token is then only a credential
//! waiting to be stolen from a compromised container. PCI DSS 7.2.5, 8.6.1; CIS Kubernetes
//! v1.12 5.1.6.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   serviceAccountName: checkout
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   serviceAccountName: checkout
//!   automountServiceAccountToken: false
//! ```
//!
//! ## How to fix
//! Set `automountServiceAccountToken: false` on the pod (or its ServiceAccount) unless it
//! calls the API server.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-007",
    name: "service-account-token-mounted",
    title: "Service account token mounted",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes],
    pci: &["7.2.5", "8.6.1"],
    cis: &[Cis::k8s("5.1.6")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set automountServiceAccountToken: false on the pod spec or on its ServiceAccount.",
    source: include_str!("token_automount.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        let pod_setting = pod.spec.get("automountServiceAccountToken").and_then(Node::as_bool);
        if pod_setting == Some(false) {
            continue;
        }
        let account = pod.spec.get("serviceAccountName").and_then(Node::as_str).filter(|n| !n.is_empty()).unwrap_or("default");
        let namespace = object.namespace_or_default();
        let account_disables = inventory.objects_of_kind("ServiceAccount").any(|sa| {
            sa.name == account
                && sa.namespace_or_default() == namespace
                && sa.body.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false)
        });
        if pod_setting.is_none() && account_disables {
            continue;
        }
        out.k8s(object, pod.spec.line, None, format!("a token of service account `{account}` is mounted into the pod"), format!("{}.automountServiceAccountToken not false", pod.spec_path));
    }
}
