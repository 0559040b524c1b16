//! ## What it checks
//! Containers with neither a CPU limit (`cpus`, `NanoCpus`, `CpuQuota`) nor CPU shares.
//!
//! ## Why it matters
//! A busy container starves the others on the host. PCI DSS 2.2.6; CIS Docker v1.6.0 5.12.
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
//!   app: {image: app:1.0, cpus: '0.5'}
//! ```
//!
//! ## How to fix
//! Set cpus (or cpu_shares).

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-016",
    name: "docker-no-cpu-limit",
    title: "No CPU limit or shares",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.12")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Set cpus (or cpu_shares).",
    source: include_str!("cpu_limit.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.cpu_limit.is_some() || c.cpu_shares.is_some() { Vec::new() } else { vec![Problem::at(c, "cpus", "no CPU limit or shares", "cpus and cpu_shares unset")] }
}
