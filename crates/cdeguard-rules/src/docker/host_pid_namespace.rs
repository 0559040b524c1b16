//! ## What it checks
//! Compose services (`pid: host`) and containers (`HostConfig`) sharing the host's PID namespace.
//!
//! ## Why it matters
//! A container in the host's PID namespace sees and can signal every process on the host. PCI DSS 2.2.6; CIS Docker v1.6.0 5.16.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, pid: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove pid: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-003",
    name: "docker-host-pid-namespace",
    title: "Container shares the host's PID namespace",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.16")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove pid: host.",
    source: include_str!("host_pid_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.pid_mode.as_deref() == Some("host") { vec![Problem::at(c, "pid", "the container shares the host's PID namespace", "pid = host")] } else { Vec::new() }
}
