//! ## What it checks
//! Mounts with `shared` or `rshared` propagation.
//!
//! ## Why it matters
//! Shared propagation lets mounts made inside the container appear on the host (and the other way round).
//! PCI DSS 2.2.6; CIS Docker v1.6.0 5.20.
//!
//! ## Failing example
//! ```yaml
//! volumes: [{type: bind, source: /data, target: /data, bind: {propagation: rshared}}]
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes: [{type: bind, source: /data, target: /data}]
//! ```
//!
//! ## How to fix
//! Use the default private propagation.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-022",
    name: "docker-shared-mount-propagation",
    title: "Mount propagation set to shared",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.20")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Use the default private propagation.",
    source: include_str!("shared_propagation.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.mounts
        .iter()
        .filter(|m| m.propagation.as_deref().is_some_and(|p| p == "shared" || p == "rshared"))
        .map(|m| Problem::new(m.line, format!("mount {} uses {} propagation", m.target, m.propagation.as_deref().unwrap_or_default()), format!("propagation = {}", m.propagation.as_deref().unwrap_or_default())))
        .collect()
}
