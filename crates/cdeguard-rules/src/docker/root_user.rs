//! ## What it checks
//! Containers whose user is set to root explicitly (`user: root`, `0`, `0:0`).
//!
//! ## Why it matters
//! Root in a container is one kernel bug away from root on the host. PCI DSS 2.2.6, 7.2.5; CIS Docker v1.6.0 4.1.
//!
//! ## Failing example
//! ```yaml
//! user: root
//! ```
//!
//! ## Passing example
//! ```yaml
//! user: '10001:10001'
//! ```
//!
//! ## How to fix
//! Run as an unprivileged UID (set USER in the image and user: in the service).

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-024",
    name: "docker-runs-as-root",
    title: "Container runs as root",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::docker("4.1")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Run as an unprivileged UID (set USER in the image and user: in the service).",
    source: include_str!("root_user.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    match c.user.as_deref() {
        Some(user) if matches!(user.split(':').next(), Some("root" | "0")) => vec![Problem::at(c, "user", "the container runs as root", format!("user = {user}"))],
        _ => Vec::new(),
    }
}
