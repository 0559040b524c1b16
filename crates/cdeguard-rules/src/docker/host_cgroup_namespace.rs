//! ## What it checks
//! Compose services (`cgroup: host`) and containers (`HostConfig`) sharing the host's cgroup namespace.
//!
//! ## Why it matters
//! A container in the host's cgroup namespace sees and can affect the host's cgroup hierarchy. PCI DSS 2.2.6; CIS Docker v1.6.0 5.25.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, cgroup: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove cgroup: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-007",
    name: "docker-host-cgroup-namespace",
    title: "Container shares the host's cgroup namespace",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.25")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove cgroup: host.",
    source: include_str!("host_cgroup_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.cgroupns_mode.as_deref() == Some("host") { vec![Problem::at(c, "cgroup", "the container shares the host's cgroup namespace", "cgroup = host")] } else { Vec::new() }
}
