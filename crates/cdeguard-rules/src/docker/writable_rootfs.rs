//! ## What it checks
//! Containers without `read_only: true` (`HostConfig.ReadonlyRootfs`).
//!
//! ## Why it matters
//! A writable root file system lets an attacker alter binaries and persist. PCI DSS 11.5.2, 2.2.6; CIS Docker v1.6.0 5.13.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0, read_only: true, tmpfs: [/tmp]}
//! ```
//!
//! ## How to fix
//! Set read_only: true and mount tmpfs or volumes where the application writes.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-014",
    name: "docker-writable-root-filesystem",
    title: "Container root file system is writable",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["11.5.2", "2.2.6"],
    cis: &[Cis::docker("5.13")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Set read_only: true and mount tmpfs or volumes where the application writes.",
    source: include_str!("writable_rootfs.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.read_only_rootfs == Some(true) { Vec::new() } else { vec![Problem::at(c, "read_only", "the root file system is writable", "read_only not true")] }
}
