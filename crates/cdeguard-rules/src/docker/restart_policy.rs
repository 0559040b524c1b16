//! ## What it checks
//! Restart policies `always` or `unless-stopped`, or `on-failure` with more than 5 retries (or unlimited).
//!
//! ## Why it matters
//! Unbounded restarts hide a crash-looping (possibly attacked) container and can exhaust the host. PCI DSS 2.2.6;
//! CIS Docker v1.6.0 5.15.
//!
//! ## Failing example
//! ```yaml
//! restart: always
//! ```
//!
//! ## Passing example
//! ```yaml
//! restart: on-failure:5
//! ```
//!
//! ## How to fix
//! Use restart: on-failure:5 (or deploy.restart_policy with max_attempts: 5).

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-020",
    name: "docker-restart-policy",
    title: "Restart policy other than on-failure:5",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.15")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Use restart: on-failure:5 (or deploy.restart_policy with max_attempts: 5).",
    source: include_str!("restart_policy.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    match (c.restart_policy.as_deref(), c.restart_max_retries) {
        (Some(policy @ ("always" | "unless-stopped")), _) => vec![Problem::at(c, "restart", format!("restart policy {policy} restarts without bound"), format!("restart = {policy}"))],
        (Some("on-failure"), retries) if retries.is_none_or(|r| r == 0 || r > 5) => vec![Problem::at(c, "restart", "on-failure restarts are not capped at 5", format!("restart = on-failure, max retries {}", retries.unwrap_or(0)))],
        _ => Vec::new(),
    }
}
