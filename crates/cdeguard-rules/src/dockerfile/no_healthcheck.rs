//! ## What it checks
//! Dockerfiles whose final stage has no `HEALTHCHECK` instruction (or only `HEALTHCHECK NONE`).
//!
//! ## Why it matters
//! Without a health check the engine cannot tell a hung service from a working one. PCI DSS 2.2.6; CIS Docker v1.6.0 4.6.
//!
//! ## Failing example
//! ```dockerfile
//! FROM nginx:1.27
//! COPY site /usr/share/nginx/html
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM nginx:1.27
//! HEALTHCHECK CMD curl -f http://localhost/ || exit 1
//! ```
//!
//! ## How to fix
//! Add a HEALTHCHECK that exercises the service.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-002",
    name: "dockerfile-no-healthcheck",
    title: "Image has no HEALTHCHECK",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("4.6")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Add a HEALTHCHECK that exercises the service.",
    source: include_str!("no_healthcheck.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    let healthy = d.final_stage().any(|i| i.keyword == "HEALTHCHECK" && !i.args.trim().eq_ignore_ascii_case("NONE"));
    if healthy { Vec::new() } else { vec![Problem::new(d.final_stage().next().map_or(1, |i| i.line), "the image defines no HEALTHCHECK", "no HEALTHCHECK in the final stage")] }
}
