//! ## What it checks
//! `FROM` instructions whose image has no `@sha256:` digest (`scratch` and references to earlier build stages
//! excepted). `:latest` or no tag is medium.
//!
//! ## Why it matters
//! A moving base image changes what is built without any change to the Dockerfile: the inventory (PCI DSS 6.3.2)
//! and change control (6.5.1) lose track. CIS Docker v1.6.0 4.2 (trusted base images).
//!
//! ## Failing example
//! ```dockerfile
//! FROM python:latest
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM python:3.12-slim@sha256:3f1d0b9c5a7e2d4f6b8a0c1e3d5f7a9b2c4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a
//! ```
//!
//! ## How to fix
//! Pin the base image by digest and let a bot (Renovate, Dependabot) propose updates.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-006",
    name: "dockerfile-base-image-not-pinned",
    title: "Base image not pinned by digest",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["6.3.2", "6.5.1"],
    cis: &[Cis::docker("4.2")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Pin the base image by digest and let a bot (Renovate, Dependabot) propose updates.",
    source: include_str!("unpinned_base.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    let stages: Vec<String> = d
        .instructions
        .iter()
        .filter(|i| i.keyword == "FROM")
        .filter_map(|i| i.args.split_whitespace().collect::<Vec<_>>().windows(2).find(|w| w[0].eq_ignore_ascii_case("AS")).map(|w| w[1].to_ascii_lowercase()))
        .collect();
    d.instructions
        .iter()
        .filter(|i| i.keyword == "FROM")
        .filter_map(|i| {
            let image = i.args.split_whitespace().find(|a| !a.starts_with("--"))?;
            if image == "scratch" || stages.contains(&image.to_ascii_lowercase()) || image.contains('$') {
                return None;
            }
            let (severity, message) = crate::pci::image_pinning(image)?;
            let mut p = Problem::new(i.line, message, format!("FROM {}", i.args));
            p.severity = Some(severity);
            Some(p)
        })
        .collect()
}
