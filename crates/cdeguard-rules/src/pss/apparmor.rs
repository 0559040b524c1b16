//! ## What it checks
//! Pod Security Standards **baseline**, control "AppArmor": `securityContext.appArmorProfile.type`
//! (pod and containers) must be unset, `RuntimeDefault` or `Localhost`, and the legacy
//! annotations `container.apparmor.security.beta.kubernetes.io/<container>` must be empty,
//! `runtime/default` or `localhost/<profile>`.
//!
//! ## Why it matters
//! `Unconfined` switches off the mandatory access control that confines a compromised
//! process. PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   appArmorProfile: {type: Unconfined}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   appArmorProfile: {type: RuntimeDefault}
//! ```
//!
//! ## How to fix
//! Use the runtime's default AppArmor profile or a reviewed localhost profile.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::pod::{containers, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-007",
    name: "apparmor-unconfined",
    title: "AppArmor profile disabled or unknown",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set appArmorProfile.type to RuntimeDefault or Localhost (or remove it); remove Unconfined annotations.",
    source: include_str!("apparmor.rs"),
    check,
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const FIELD: &[&str] = &["appArmorProfile", "type"];

fn allowed_type(node: &Node) -> bool {
    matches!(node.as_str(), Some("RuntimeDefault" | "Localhost"))
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        // The profile object set with a missing type is invalid too (empty type).
        let pod_profile = pod_security_context(&pod, &["appArmorProfile"]);
        if let Some(profile) = pod_profile {
            let ty = profile.get("type").unwrap_or(profile);
            if !allowed_type(ty) {
                out.k8s(object, ty.line, None, "the pod sets a forbidden AppArmor profile type", format!("{} = {}", pod_field_path(&pod, FIELD), ty.scalar_text().unwrap_or_default()));
            }
        }
        for c in containers(&pod) {
            if let Some(profile) = c.security_context(&["appArmorProfile"]) {
                let ty = profile.get("type").unwrap_or(profile);
                if !allowed_type(ty) {
                    out.k8s(object, ty.line, Some(c.name()), "the container sets a forbidden AppArmor profile type", format!("{} = {}", c.field_path(FIELD), ty.scalar_text().unwrap_or_default()));
                }
            }
        }
        for (key, value) in pod.metadata.get("annotations").map(Node::entries).unwrap_or_default() {
            let Some(container) = key.strip_prefix(ANNOTATION_PREFIX) else { continue };
            let text = value.scalar_text().unwrap_or_default();
            if !(text.is_empty() || text == "runtime/default" || text.starts_with("localhost/")) {
                out.k8s(object, value.line, Some(container), format!("annotation sets AppArmor profile `{text}`"), format!("metadata.annotations[{key}] = {text}"));
            }
        }
    }
}
