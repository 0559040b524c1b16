//! ## What it checks
//! `RUN` instructions that update a package index (`apt-get update`, `apt update`, `apk update`, `yum/dnf makecache`)
//! without installing anything in the same instruction.
//!
//! ## Why it matters
//! The index is cached in its own layer; later installs then use stale indexes and miss security updates.
//! PCI DSS 6.3.3 (patches installed), 2.2.6; CIS Docker v1.6.0 4.7.
//!
//! ## Failing example
//! ```dockerfile
//! RUN apt-get update
//! RUN apt-get install -y curl
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## How to fix
//! Update and install in the same RUN instruction.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-003",
    name: "dockerfile-update-alone",
    title: "Package index update alone in a RUN",
    severity: Severity::Low,
    sets: &[RuleSet::CisDocker],
    pci: &["6.3.3", "2.2.6"],
    cis: &[Cis::docker("4.7")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Update and install in the same RUN instruction.",
    source: include_str!("update_alone.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    const UPDATES: &[&str] = &["apt-get update", "apt update", "apk update", "yum makecache", "dnf makecache"];
    const INSTALLS: &[&str] = &["install", "apk add", "upgrade"];
    d.instructions
        .iter()
        .filter(|i| i.keyword == "RUN")
        .filter(|i| UPDATES.iter().any(|u| i.args.contains(u)) && !INSTALLS.iter().any(|x| i.args.contains(x)))
        .map(|i| Problem::new(i.line, "the package index is updated in a RUN of its own", format!("RUN {}", i.args)))
        .collect()
}
