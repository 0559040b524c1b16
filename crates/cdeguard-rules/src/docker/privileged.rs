//! ## What it checks
//! Compose services and containers with `privileged: true` (`HostConfig.Privileged`).
//!
//! ## Why it matters
//! A privileged container has every capability and host device: root on the host. PCI DSS 2.2.6, 2.2.3;
//! CIS Docker v1.6.0 5.5.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   agent: {image: agent:1.0, privileged: true}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   agent: {image: agent:1.0, cap_add: [NET_BIND_SERVICE]}
//! ```
//!
//! ## How to fix
//! Remove privileged: true; grant only the capabilities the process needs.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-001",
    name: "docker-privileged",
    title: "Privileged container",
    severity: Severity::Critical,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "2.2.3"],
    cis: &[Cis::docker("5.5")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove privileged: true; grant only the capabilities the process needs.",
    source: include_str!("privileged.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.privileged == Some(true) { vec![Problem::at(c, "privileged", "the container is privileged", "privileged = true")] } else { Vec::new() }
}
