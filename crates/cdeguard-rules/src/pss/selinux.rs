//! ## What it checks
//! Pod Security Standards **baseline**, control "SELinux": `securityContext.seLinuxOptions`
//! (pod and containers) may only set `type` to one of `container_t`, `container_init_t`,
//! `container_kvm_t`, `container_engine_t` (or empty), and must not set `user` or `role`.
//!
//! ## Why it matters
//! A custom SELinux type, user or role can lift the label-based confinement that keeps a
//! container away from host files and other containers. PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   seLinuxOptions: {type: spc_t}
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   seLinuxOptions: {level: "s0:c123,c456"}
//! ```
//!
//! ## How to fix
//! Remove the custom type, user and role; keep only `level` if multi-category labels are needed.

use cdeguard_model::{InputFormat, Inventory, Node, Severity};

use crate::pod::{containers, pod_field_path, pod_security_context};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-008",
    name: "selinux-custom-options",
    title: "Forbidden SELinux type, user or role",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove seLinuxOptions.user and .role; use an allowed type (container_t, container_init_t, container_kvm_t, container_engine_t) or none.",
    source: include_str!("selinux.rs"),
    check,
};

const ALLOWED_TYPES: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/// The problems of one `seLinuxOptions` object.
fn problems(options: &Node) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let text = |key: &str| options.get(key).and_then(Node::scalar_text).unwrap_or_default();
    let ty = text("type");
    if !ALLOWED_TYPES.contains(&ty.as_str()) {
        found.push((options.get("type").map_or(options.line, |n| n.line), format!("type {ty}")));
    }
    for key in ["user", "role"] {
        if !text(key).is_empty() {
            found.push((options.get(key).map_or(options.line, |n| n.line), format!("{key} {}", text(key))));
        }
    }
    found
}

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if let Some(options) = pod_security_context(&pod, &["seLinuxOptions"]) {
            for (line, what) in problems(options) {
                out.k8s(object, line, None, format!("the pod sets SELinux {what}"), format!("{} sets {what}", pod_field_path(&pod, &["seLinuxOptions"])));
            }
        }
        for c in containers(&pod) {
            if let Some(options) = c.security_context(&["seLinuxOptions"]) {
                for (line, what) in problems(options) {
                    out.k8s(object, line, Some(c.name()), format!("the container sets SELinux {what}"), format!("{} sets {what}", c.field_path(&["seLinuxOptions"])));
                }
            }
        }
    }
}
