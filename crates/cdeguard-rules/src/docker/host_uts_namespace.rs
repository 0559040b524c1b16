//! ## What it checks
//! Compose services (`uts: host`) and containers (`HostConfig`) sharing the host's UTS namespace.
//!
//! ## Why it matters
//! A container in the host's UTS namespace can change the host's hostname and domain name. PCI DSS 2.2.6; CIS Docker v1.6.0 5.21.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, uts: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove uts: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-005",
    name: "docker-host-uts-namespace",
    title: "Container shares the host's UTS namespace",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.21")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove uts: host.",
    source: include_str!("host_uts_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.uts_mode.as_deref() == Some("host") { vec![Problem::at(c, "uts", "the container shares the host's UTS namespace", "uts = host")] } else { Vec::new() }
}
