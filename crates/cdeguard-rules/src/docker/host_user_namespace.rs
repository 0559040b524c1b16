//! ## What it checks
//! Compose services (`userns_mode: host`) and containers (`HostConfig`) sharing the host's user namespace.
//!
//! ## Why it matters
//! A container in the host's user namespace disables the engine's user namespace remapping, so root in the container is root on the host. PCI DSS 2.2.6; CIS Docker v1.6.0 5.31.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, userns_mode: host}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove userns_mode: host.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-006",
    name: "docker-host-user-namespace",
    title: "Container shares the host's user namespace",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.31")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove userns_mode: host.",
    source: include_str!("host_user_namespace.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.userns_mode.as_deref() == Some("host") { vec![Problem::at(c, "userns_mode", "the container shares the host's user namespace", "userns_mode = host")] } else { Vec::new() }
}
