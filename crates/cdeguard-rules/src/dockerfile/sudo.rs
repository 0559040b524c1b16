//! ## What it checks
//! `RUN` instructions that call `sudo`.
//!
//! ## Why it matters
//! sudo in an image means a privilege-escalation tool is installed and configured inside the container.
//! PCI DSS 2.2.6, 7.2.5; CIS Docker v1.6.0 4.1.
//!
//! ## Failing example
//! ```dockerfile
//! RUN sudo apt-get install -y curl
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! USER root
//! RUN apt-get install -y curl
//! USER 10001
//! ```
//!
//! ## How to fix
//! Run privileged build steps before switching USER; do not install sudo.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-009",
    name: "dockerfile-sudo",
    title: "sudo used in a build step",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::docker("4.1")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Run privileged build steps before switching USER; do not install sudo.",
    source: include_str!("sudo.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    d.instructions
        .iter()
        .filter(|i| i.keyword == "RUN" && i.args.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|').any(|w| w == "sudo"))
        .map(|i| Problem::new(i.line, "sudo is used in the image build", format!("RUN {}", i.args)))
        .collect()
}
