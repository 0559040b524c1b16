//! ## What it checks
//! Containers without `security_opt: [no-new-privileges:true]`.
//!
//! ## Why it matters
//! Without it, setuid binaries in the image let a process gain privileges. PCI DSS 2.2.6; CIS Docker v1.6.0 5.26.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, security_opt: ['no-new-privileges:true']}
//! ```
//!
//! ## How to fix
//! Add security_opt: [no-new-privileges:true].

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-012",
    name: "docker-no-new-privileges-unset",
    title: "no-new-privileges not set",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.26")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Add security_opt: [no-new-privileges:true].",
    source: include_str!("no_new_privileges.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    let set = c.security_opt.iter().any(|o| matches!(o.replace('=', ":").as_str(), "no-new-privileges" | "no-new-privileges:true"));
    if set { Vec::new() } else { vec![Problem::at(c, "security_opt", "no-new-privileges is not set", "security_opt lacks no-new-privileges:true")] }
}
