//! ## What it checks
//! Pod Security Standards, baseline, **Seccomp** (upstream check `seccompProfile_baseline`,
//! policy v1.19, current in v1.37): wherever `securityContext.seccompProfile` is set, on
//! the pod or on any container, init container or ephemeral container, its `type` must be
//! `RuntimeDefault` or `Localhost`. `Unconfined`, and a profile without a type, are
//! forbidden; an unset profile is allowed at this level. Since policy v1.19 the
//! deprecated `seccomp.security.alpha.kubernetes.io` annotations are not evaluated.
//!
//! At the restricted level this rule is replaced by `pss-seccomp-restricted`
//! (CDG-PSS-017), which also requires a profile to be set, as upstream does.
//!
//! ## Why it matters
//! Seccomp filters the system calls a container may make; `Unconfined` exposes the whole
//! kernel attack surface, the usual path of container escapes. PCI DSS 2.2.6; CIS
//! Kubernetes v1.12 5.6.2.
//!
//! ## Failing example
//! ```yaml
//! securityContext:
//!   seccompProfile:
//!     type: Unconfined
//! ```
//!
//! ## Passing example
//! ```yaml
//! securityContext:
//!   seccompProfile:
//!     type: RuntimeDefault
//! ```
//!
//! ## How to fix
//! Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a reviewed profile) on
//! the pod and remove `Unconfined` overrides from containers.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, confining_profile, report_forbidden_values};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-010",
    name: "pss-seccomp-baseline",
    title: "Seccomp profile is not confining (Pod Security baseline)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssBaseline, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.6.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost); remove Unconfined.",
    source: include_str!("seccomp_baseline.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        report_forbidden_values(
            out,
            object,
            &pod,
            (&["seccompProfile"], Scope::PodAndContainers),
            |profile| !confining_profile(profile),
            "must set securityContext.seccompProfile.type to RuntimeDefault or Localhost, if set",
        );
    }
}
