//! ## What it checks
//! Pod Security Standards, restricted, **Seccomp** (upstream check
//! `seccompProfile_restricted`, policy v1.25, current in v1.37): every container, init
//! container and ephemeral container must run with a seccomp profile of type
//! `RuntimeDefault` or `Localhost`, set either on the container
//! (`securityContext.seccompProfile`) or inherited from the pod
//! (`spec.securityContext.seccompProfile`). Any profile set to another type (such as
//! `Unconfined`, or no type) is forbidden, on the pod or on a container. Pods with
//! `spec.os.name: windows` are exempt (Windows has no seccomp). This rule replaces the
//! baseline `pss-seccomp-baseline` (CDG-PSS-010) at the restricted level.
//!
//! ## Why it matters
//! Without a profile most container runtimes run the process unconfined, with every
//! system call of the kernel available to an attacker. PCI DSS 2.2.6; CIS Kubernetes
//! v1.12 5.6.2.
//!
//! ## Failing example
//! ```yaml
//! spec:
//!   containers:
//!   - name: app          # no seccompProfile here or on the pod
//!     image: registry.example/app:1.0
//! ```
//!
//! ## Passing example
//! ```yaml
//! spec:
//!   securityContext:
//!     seccompProfile:
//!       type: RuntimeDefault
//!   containers:
//!   - name: app
//!     image: registry.example/app:1.0
//! ```
//!
//! ## How to fix
//! Set `spec.securityContext.seccompProfile.type: RuntimeDefault` on the pod (inherited
//! by every container), and remove other profile types from containers.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Scope, confining_profile, is_windows_pod, security_contexts};
use crate::pod::{evidence, pod_field, pod_path};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-PSS-017",
    name: "pss-seccomp-restricted",
    title: "Container runs without a confining seccomp profile (Pod Security restricted)",
    severity: Severity::Medium,
    sets: &[RuleSet::PssRestricted, RuleSet::CisKubernetes],
    pci: &["2.2.6"],
    cis: &[Cis::k8s("5.6.2")],
    inputs: &[InputFormat::Kubernetes],
    remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost) and remove other profile types from containers.",
    source: include_str!("seccomp_restricted.rs"),
    check,
};

const PROFILE: [&str; 1] = ["seccompProfile"];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for (object, pod) in inventory.workloads() {
        if is_windows_pod(&pod) {
            continue;
        }
        let pod_confined = pod_field(&pod, &["securityContext", "seccompProfile"])
            .is_some_and(confining_profile);
        for context in security_contexts(&pod, Scope::PodAndContainers) {
            let requirement = "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"";
            match context.field(&PROFILE) {
                Some(profile) if !confining_profile(profile) => context.report(
                    out,
                    object,
                    profile.line,
                    format!("{} must set {requirement}", context.setter()),
                    evidence(&context.path_to(&PROFILE), profile),
                ),
                Some(_) => {}
                // An unset container profile inherits the pod's.
                None if context.container.is_some() && !pod_confined => context.report(
                    out,
                    object,
                    0,
                    format!("pod or {} must set {requirement}", context.setter()),
                    format!(
                        "{} unset and {} not confining",
                        context.path_to(&PROFILE),
                        pod_path(&pod, &["securityContext", "seccompProfile"])
                    ),
                ),
                None => {}
            }
        }
    }
}
