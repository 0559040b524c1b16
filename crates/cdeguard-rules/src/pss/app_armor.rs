//! ## What it checks
//! Pod Security Standards, baseline, **AppArmor** (upstream check `appArmorProfile`,
//! policy v1.0, current in v1.37):
//! - `securityContext.appArmorProfile` of the pod and of every container, init container
//!   and ephemeral container, when set, must have `type: RuntimeDefault` or
//!   `type: Localhost` (`Unconfined`, and a profile without a type, are forbidden);
//! - every pod annotation whose key starts with
//!   `container.apparmor.security.beta.kubernetes.io/` must be empty, `runtime/default`
//!   or `localhost/<profile>` (`unconfined` is forbidden).
//!
//! ## Why it matters
//! AppArmor confines what a container process may do with files, mounts and
//! capabilities; `Unconfined` removes that layer of defence and makes container escapes
//! easier. PCI DSS 2.2.6 (security parameters set to prevent misuse).
//!
//! ## Failing example
//! ```yaml
//! metadata:
//!   annotations:
//!     container.apparmor.security.beta.kubernetes.io/app: unconfined
//! spec:
//!   securityContext:
//!     appArmorProfile: {type: Unconfined}
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   securityContext:
//!     appArmorProfile: {type: RuntimeDefault}
//! ```
//!
//! ## How to fix
//! Remove the `Unconfined` profile and the `unconfined` annotation, or set
//! `appArmorProfile.type` to `RuntimeDefault` (or `Localhost` with a reviewed profile).

use cdeguard_model::{InputFormat, Inventory, Severity};

use super::{Scope, confining_profile, report_forbidden_values, text};
use crate::pod::metadata_path;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-007",
    name: "pss-app-armor",
    title: "AppArmor profile is not confining (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove Unconfined AppArmor profiles and annotations, or use RuntimeDefault or a reviewed Localhost profile.",
    source: include_str!("app_armor.rs"),
    check,
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Values the deprecated per-container annotation may take.
fn allowed_annotation_value(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        report_forbidden_values(
            out,
            object,
            &pod,
            (&["appArmorProfile"], Scope::PodAndContainers),
            |profile| !confining_profile(profile),
            "must set securityContext.appArmorProfile.type to RuntimeDefault or Localhost, if set",
        );
        let annotations = pod.metadata.get("annotations").map(|a| a.entries()).unwrap_or_default();
        for (key, node) in annotations {
            let value = text(Some(node));
            if key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation_value(&value) {
                let container = &key[ANNOTATION_PREFIX.len()..];
                out.k8s(
                    object,
                    node.line,
                    Some(container),
                    format!("annotation {key:?} sets forbidden AppArmor profile {value:?}"),
                    format!("{}.annotations[{key:?}] = {value}", metadata_path(&pod)),
                );
            }
        }
    }
}
