//! ## What it checks
//! Containers without a memory limit (`mem_limit`, `deploy.resources.limits.memory`, `HostConfig.Memory`).
//!
//! ## Why it matters
//! One container can exhaust the host's memory and take down its neighbours. PCI DSS 2.2.6; CIS Docker v1.6.0 5.11.
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
//!   app: {image: app:1.0, mem_limit: 512m}
//! ```
//!
//! ## How to fix
//! Set a memory limit.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-015",
    name: "docker-no-memory-limit",
    title: "No memory limit",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.11")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Set a memory limit.",
    source: include_str!("memory_limit.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.memory_limit.is_some() { Vec::new() } else { vec![Problem::at(c, "mem_limit", "no memory limit", "memory limit unset")] }
}
