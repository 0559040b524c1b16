//! ## What it checks
//! Published ports without a host IP (or bound to `0.0.0.0` / `::`).
//!
//! ## Why it matters
//! The service is then reachable on every network the host is attached to, not only the one it serves. PCI DSS
//! 1.3.1, 1.4.2, 1.2.5; CIS Docker v1.6.0 5.14.
//!
//! ## Failing example
//! ```yaml
//! ports: ['5432:5432']
//! ```
//!
//! ## Passing example
//! ```yaml
//! ports: ['127.0.0.1:5432:5432']
//! ```
//!
//! ## How to fix
//! Bind the published port to a specific host address.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-019",
    name: "docker-port-on-all-interfaces",
    title: "Port published on all host interfaces",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["1.3.1", "1.4.2", "1.2.5"],
    cis: &[Cis::docker("5.14")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Bind the published port to a specific host address.",
    source: include_str!("all_interfaces.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.ports
        .iter()
        .filter(|p| p.host_port.is_some_and(|h| h != 0) && p.host_ip.as_deref().is_none_or(|ip| ip.is_empty() || ip == "0.0.0.0" || ip == "::"))
        .map(|p| Problem::new(p.line, format!("port {} is published on all interfaces", p.host_port.unwrap_or_default()), format!("{} -> {}/{}", p.host_port.unwrap_or_default(), p.container_port, p.protocol)))
        .collect()
}
