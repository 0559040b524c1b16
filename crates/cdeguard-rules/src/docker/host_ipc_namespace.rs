//! ## What it checks
//! Compose services (`ipc: host`) and containers (`HostConfig`) sharing the host's IPC namespace.
//!
//! ## Why it matters
//! A container in the host's IPC namespace can read the host's shared memory segments. PCI DSS 2.2.6; CIS Docker v1.6.0 5.17.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, ipc: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove ipc: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-004",
    name: "docker-host-ipc-namespace",
    title: "Container shares the host's IPC namespace",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.17")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove ipc: host.",
    source: include_str!("host_ipc_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.ipc_mode.as_deref() == Some("host") { vec![Problem::at(c, "ipc", "the container shares the host's IPC namespace", "ipc = host")] } else { Vec::new() }
}
