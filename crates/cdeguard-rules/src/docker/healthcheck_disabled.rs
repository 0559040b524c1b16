//! ## What it checks
//! Containers whose health check is explicitly disabled (`healthcheck: {disable: true}`, `test: [NONE]`).
//!
//! ## Why it matters
//! Without health checks a hung or tampered service keeps receiving payment traffic. PCI DSS 2.2.6; CIS Docker
//! v1.6.0 5.27.
//!
//! ## Failing example
//! ```yaml
//! healthcheck: {disable: true}
//! ```
//!
//! ## Passing example
//! ```yaml
//! healthcheck: {test: [CMD, /app/health]}
//! ```
//!
//! ## How to fix
//! Define a health check (in the image or the service).

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-023",
    name: "docker-healthcheck-disabled",
    title: "Health check disabled",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.27")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Define a health check (in the image or the service).",
    source: include_str!("healthcheck_disabled.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.healthcheck == Some(false) { vec![Problem::at(c, "healthcheck", "the health check is disabled", "healthcheck disabled")] } else { Vec::new() }
}
