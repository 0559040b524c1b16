//! ## What it checks
//! Containers that receive Secrets as environment variables: `env[].valueFrom.secretKeyRef`
//! or `envFrom[].secretRef`.
//!
//! ## Why it matters
//! Environment variables leak: into crash reports, `/proc/<pid>/environ`, child processes
//! and debugging output. Secrets mounted as files can be rotated and have file permissions.
//! PCI DSS 8.3.2, 3.6.1; CIS Kubernetes v1.12 5.4.1.
//!
//! ## Failing example
//! ```yaml
//! env:
//!   - name: DB_PASSWORD
//!     valueFrom: {secretKeyRef: {name: db, key: password}}
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumeMounts: [{name: db, mountPath: /run/secrets/db, readOnly: true}]
//! ```
//!
//! ## How to fix
//! Mount the Secret as a read-only volume and read the file.

use cdeguard_model::{Cis, InputFormat, Inventory, Node, Severity};

use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-K8S-017",
    name: "secret-as-environment-variable",
    title: "Secret exposed as environment variable",
    severity: Severity::Low,
    sets: &[RuleSet::CisKubernetes],
    pci: &["8.3.2", "3.6.1"],
    cis: &[Cis::k8s("5.4.1")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Mount the Secret as a read-only volume instead of env/envFrom.",
    source: include_str!("secret_in_env.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            for (i, env) in c.node.get("env").map(Node::items).unwrap_or_default().iter().enumerate() {
                if let Some(secret) = env.path(&["valueFrom", "secretKeyRef"]).filter(|n| !n.is_null()) {
                    let var = env.get("name").and_then(Node::as_str).unwrap_or_default();
                    let name = secret.get("name").and_then(Node::as_str).unwrap_or_default();
                    out.k8s(object, secret.line, Some(c.name()), format!("Secret `{name}` is exposed as environment variable {var}"), format!("{}.env[{i}].valueFrom.secretKeyRef.name = {name}", c.path));
                }
            }
            for (i, from) in c.node.get("envFrom").map(Node::items).unwrap_or_default().iter().enumerate() {
                if let Some(secret) = from.get("secretRef").filter(|n| !n.is_null()) {
                    let name = secret.get("name").and_then(Node::as_str).unwrap_or_default();
                    out.k8s(object, secret.line, Some(c.name()), format!("all keys of Secret `{name}` are exposed as environment variables"), format!("{}.envFrom[{i}].secretRef.name = {name}", c.path));
                }
            }
        }
    }
}
