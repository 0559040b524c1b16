//! ## What it checks
//! Pod Security Standards, baseline, **/proc Mount Type** (upstream check `procMount`,
//! policy v1.35, current in v1.37): `securityContext.procMount` of every container, init
//! container and ephemeral container must be unset, null or `Default`, unless the pod
//! runs in its own user namespace (`spec.hostUsers: false`), where any value is allowed.
//!
//! At the restricted level this rule is replaced by `pss-proc-mount-restricted`
//! (CDG-PSS-019), which applies the same test without the user-namespace exception, as
//! upstream does.
//!
//! ## Why it matters
//! The default /proc mount masks and makes read-only the paths that leak node
//! information or allow kernel changes (`/proc/sys`, `/proc/kcore`, ...). `Unmasked`
//! exposes them to the container. PCI DSS 2.2.6 (security parameters set to prevent
//! misuse).
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   containers:
//!   - name: app
//!     securityContext:
//!       procMount: Unmasked
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   hostUsers: false
//!   containers:
//!   - name: app
//!     securityContext:
//!       procMount: Unmasked
//! ```
//!
//! ## How to fix
//! Remove `procMount` (or set it to `Default`); nested container builds that need an
//! unmasked /proc must run with `hostUsers: false`.

use cdeguard_model::{InputFormat, Inventory, K8sObject, PodTemplate, Severity};

use super::{Scope, in_user_namespace, report_forbidden_values};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-009",
    name: "pss-proc-mount-baseline",
    title: "Unmasked /proc mount outside a user namespace (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.procMount (or set it to Default), or run the pod with hostUsers: false.",
    source: include_str!("proc_mount.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if !in_user_namespace(&pod) {
            report_non_default_proc_mounts(out, object, &pod);
        }
    }
}

/// Reports every container whose `procMount` is set to anything but `Default`.
pub(super) fn report_non_default_proc_mounts(
    out: &mut Emitter<'_>,
    object: &K8sObject,
    pod: &PodTemplate<'_>,
) {
    report_forbidden_values(
        out,
        object,
        pod,
        (&["procMount"], Scope::Containers),
        |value| value.as_str() != Some("Default"),
        "must not set securityContext.procMount to a value other than Default",
    );
}
