//! ## What it checks
//! `security_opt` entries that disable confinement: `seccomp=unconfined`, `apparmor=unconfined`, `label=disable`.
//!
//! ## Why it matters
//! These switch off the kernel-level sandboxes that contain a compromised process. PCI DSS 2.2.6; CIS Docker v1.6.0
//! 5.22 (seccomp), 5.2 (AppArmor), 5.3 (SELinux).
//!
//! ## Failing example
//! ```yaml
//! security_opt: ['seccomp=unconfined']
//! ```
//!
//! ## Passing example
//! ```yaml
//! security_opt: ['no-new-privileges:true']
//! ```
//!
//! ## How to fix
//! Remove the unconfined options; write a custom profile if the default one is too strict.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-013",
    name: "docker-seccomp-or-lsm-disabled",
    title: "Seccomp, AppArmor or SELinux confinement disabled",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.22"), Cis::docker("5.2"), Cis::docker("5.3")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove the unconfined options; write a custom profile if the default one is too strict.",
    source: include_str!("confinement_disabled.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.security_opt
        .iter()
        .filter(|o| {
            let o = o.replace(':', "=").to_ascii_lowercase();
            o == "seccomp=unconfined" || o == "apparmor=unconfined" || o == "label=disable"
        })
        .map(|o| Problem::at(c, "security_opt", format!("confinement disabled: {o}"), format!("security_opt contains {o}")))
        .collect()
}
