//! ## What it checks
//! Containers that do not drop ALL capabilities (`cap_drop: [ALL]`).
//!
//! ## Why it matters
//! The engine's default set includes NET_RAW (packet spoofing) and others most applications never use.
//! PCI DSS 2.2.6, 1.4.3; CIS Docker v1.6.0 5.4.
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
//!   app: {image: app:1.0, cap_drop: [ALL]}
//! ```
//!
//! ## How to fix
//! Add cap_drop: [ALL] and add back only what the process needs.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-011",
    name: "docker-capabilities-not-dropped",
    title: "Container keeps the default capabilities",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "1.4.3"],
    cis: &[Cis::docker("5.4")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Add cap_drop: [ALL] and add back only what the process needs.",
    source: include_str!("capabilities_not_dropped.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    if c.cap_drop.iter().any(|d| d.eq_ignore_ascii_case("ALL")) { Vec::new() } else { vec![Problem::at(c, "cap_drop", "the container does not drop ALL capabilities", "cap_drop lacks ALL")] }
}
