//! ## What it checks
//! Pod Security Standards, restricted, **/proc Mount Type** (upstream check
//! `procMount_restricted`, policy v1.35, current in v1.37): `securityContext.procMount` of
//! every container, init container and ephemeral container must be unset, null or
//! `Default`, even when the pod runs in a user namespace (`hostUsers: false`). It replaces
//! the baseline `pss-proc-mount-baseline` (CDG-PSS-009) at the restricted level.
//!
//! ## Why it matters
//! An unmasked /proc exposes kernel interfaces that the default mount hides; a user
//! namespace limits the damage, but the restricted level, meant for workloads such as
//! those in the CDE, keeps the defence in depth. PCI DSS 2.2.6.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   hostUsers: false
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
//!       procMount: Default
//! ```
//!
//! ## How to fix
//! Remove `procMount` or set it to `Default`.

use cdeguard_model::{InputFormat, Inventory, Severity};

use super::proc_mount::report_non_default_proc_mounts;
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-019",
    name: "pss-proc-mount-restricted",
    title: "Unmasked /proc mount (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted],
    pci: &["2.2.6"],
    cis: &[],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Remove securityContext.procMount or set it to Default.",
    source: include_str!("proc_mount_restricted.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        report_non_default_proc_mounts(out, object, &pod);
    }
}
