//! ## What it checks
//! Containers without a PIDs cgroup limit (`pids_limit`, `deploy.resources.limits.pids`, `HostConfig.PidsLimit`).
//!
//! ## Why it matters
//! Without it a fork bomb in one container exhausts the host's process table. PCI DSS 2.2.6; CIS Docker v1.6.0 5.29.
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
//!   app: {image: app:1.0, pids_limit: 256}
//! ```
//!
//! ## How to fix
//! Set pids_limit.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-017",
    name: "docker-no-pids-limit",
    title: "No PIDs limit",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.29")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Set pids_limit.",
    source: include_str!("pids_limit.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.pids_limit.is_some() { Vec::new() } else { vec![Problem::at(c, "pids_limit", "no PIDs limit", "pids_limit unset")] }
}
