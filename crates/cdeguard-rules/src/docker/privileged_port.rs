//! ## What it checks
//! Published host ports below 1024.
//!
//! ## Why it matters
//! Ports below 1024 are reserved for system services; mapping them from containers hides which service owns them.
//! PCI DSS 1.2.5, 2.2.6; CIS Docker v1.6.0 5.8.
//!
//! ## Failing example
//! ```yaml
//! ports: ['80:8080']
//! ```
//!
//! ## Passing example
//! ```yaml
//! ports: ['8080:8080']
//! ```
//!
//! ## How to fix
//! Publish on a port of 1024 or above (and put a reviewed proxy in front).

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-018",
    name: "docker-privileged-host-port",
    title: "Privileged host port mapped",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["1.2.5", "2.2.6"],
    cis: &[Cis::docker("5.8")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Publish on a port of 1024 or above (and put a reviewed proxy in front).",
    source: include_str!("privileged_port.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.ports
        .iter()
        .filter_map(|p| p.host_port.filter(|h| *h != 0 && *h < 1024).map(|h| Problem::new(p.line, format!("host port {h} is mapped"), format!("{h} -> {}/{}", p.container_port, p.protocol))))
        .collect()
}
