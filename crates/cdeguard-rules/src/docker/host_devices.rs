//! ## What it checks
//! Host devices passed into the container (`devices`, `HostConfig.Devices`).
//!
//! ## Why it matters
//! Raw devices bypass the container's file system isolation (disks, USB, GPUs with host memory access). PCI DSS
//! 2.2.6; CIS Docker v1.6.0 5.18.
//!
//! ## Failing example
//! ```yaml
//! devices: ['/dev/sda:/dev/sda']
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   app: {image: app:1.0}
//! ```
//!
//! ## How to fix
//! Remove the device mapping or scope it read-only to what is needed.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-021",
    name: "docker-host-devices",
    title: "Host devices exposed",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.18")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove the device mapping or scope it read-only to what is needed.",
    source: include_str!("host_devices.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.devices.iter().map(|d| Problem::at(c, "devices", format!("host device {d} is exposed"), format!("devices contains {d}"))).collect()
}
