//! ## What it checks
//! ConfigMap `data` entries whose key looks like a credential (`DB_PASSWORD`, `api_key`, …)
//! and whose value is a literal. The value is never shown.
//!
//! ## Why it matters
//! ConfigMaps are not meant for secrets: they are readable by far more subjects than
//! Secrets, not encrypted at rest by default, and copied into logs and dashboards.
//! PCI DSS 8.6.2, 8.3.2, 3.6.1.
//!
//! ## Failing example
//! ```yaml
//! kind: ConfigMap
//! data: {DB_PASSWORD: Tk-9f3!vault-2024}
//! ```
//!
//! ## Passing example
//! ```yaml
//! kind: ConfigMap
//! data: {DB_HOST: card-vault-db.vault.svc}
//! ```
//!
//! ## How to fix
//! Move the value into a Secret (or a secrets manager) and rotate it.

use cdeguard_model::{InputFormat, Inventory, Severity};

use crate::credentials::{is_credential_name, is_literal_value, redacted};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PCI-006",
    name: "cleartext-credential-in-configmap",
    title: "Clear-text credential in a ConfigMap",
    severity: Severity::High,
    sets: &[RuleSet::Pci],
    pci: &["8.6.2", "8.3.2", "3.6.1"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Move the credential to a Secret or secrets manager and rotate it.",
    source: include_str!("cleartext_credential_configmap.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for map in inventory.objects_of_kind("ConfigMap") {
        for (key, value) in map.body.get("data").map(|d| d.entries()).unwrap_or_default() {
            let text = value.scalar_text().unwrap_or_default();
            if is_credential_name(key) && is_literal_value(&text) {
                out.k8s(map, value.line, None, format!("ConfigMap key {key} holds a clear-text credential"), format!("data.{key} = {}", redacted(&text)));
            }
        }
    }
}
