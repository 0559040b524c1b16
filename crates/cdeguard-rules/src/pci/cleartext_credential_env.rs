//! ## What it checks
//! Environment variables with a credential-like name (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`,
//! `*API_KEY*`, …) and a literal `value` in Kubernetes containers, Compose services and
//! `docker inspect` containers. The value is never shown: findings give its length only.
//!
//! ## Why it matters
//! A password written into a manifest is stored in Git, in the API server and in every
//! copy of the manifest, readable by anyone who can read the workload. PCI DSS 8.6.2 (no
//! hard-coded passwords for system and application accounts), 8.3.2.
//!
//! ## Failing example
//! ```yaml
//! env:
//!   - {name: RABBITMQ_DEFAULT_PASS, value: rabbit-admin-2024}
//! ```
//!
//! ## Passing example
//! ```yaml
//! env:
//!   - name: RABBITMQ_DEFAULT_PASS
//!     valueFrom: {secretKeyRef: {name: broker, key: password}}
//! ```
//!
//! ## How to fix
//! Move the value into a Secret (mounted as a file) or a secrets manager and rotate it.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::credentials::{is_credential_name, is_literal_value, redacted};
use crate::pod::containers;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-005",
    name: "cleartext-credential-in-environment",
    title: "Clear-text credential in an environment variable",
    severity: Severity::High,
    sets: &[RuleSet::Pci, RuleSet::CisDocker],
    pci: &["8.6.2", "8.3.2"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes, InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Load the credential from a Secret mounted as a file or from a secrets manager; rotate the exposed value.",
    source: include_str!("cleartext_credential_env.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        for c in containers(&pod) {
            for (i, env) in c.node.get("env").map(Node::items).unwrap_or_default().iter().enumerate() {
                let name = env.get("name").and_then(Node::as_str).unwrap_or_default();
                let Some(value) = env.get("value") else { continue };
                let text = value.scalar_text().unwrap_or_default();
                if is_credential_name(name) && is_literal_value(&text) {
                    out.k8s(object, value.line, Some(c.name()), format!("environment variable {name} holds a clear-text credential"), format!("{}.env[{i}] {name} = {}", c.path, redacted(&text)));
                }
            }
        }
    }
    for container in &inventory.containers {
        for (name, value, line) in &container.env {
            if is_credential_name(name) && is_literal_value(value) {
                out.container(container, *line, format!("environment variable {name} holds a clear-text credential"), format!("{name} = {}", redacted(value)));
            }
        }
    }
}
