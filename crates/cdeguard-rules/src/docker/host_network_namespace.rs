//! ## What it checks
//! Compose services (`network_mode: host`) and containers (`HostConfig`) sharing the host's network namespace.
//!
//! ## Why it matters
//! A container in the host's network namespace shares the host's network stack and bypasses container network isolation and firewall rules. PCI DSS 2.2.6; CIS Docker v1.6.0 5.10.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, network_mode: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove network_mode: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-002",
    name: "docker-host-network-namespace",
    title: "Container shares the host's network namespace",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "1.3.1", "1.3.2"],
    cis: &[Cis::docker("5.10")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove network_mode: host.",
    source: include_str!("host_network_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.network_mode.as_deref() == Some("host") { vec![Problem::at(c, "network_mode", "the container shares the host's network namespace", "network_mode = host")] } else { Vec::new() }
}
