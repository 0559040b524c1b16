//! ## What it checks
//! `EXPOSE 22` (SSH) in the final stage.
//!
//! ## Why it matters
//! An SSH daemon in a container is an unmanaged remote-access path that bypasses the orchestrator's audit trail.
//! PCI DSS 2.2.4 (only necessary services), 2.2.5; CIS Docker v1.6.0 5.7.
//!
//! ## Failing example
//! ```dockerfile
//! EXPOSE 22 8080
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! EXPOSE 8080
//! ```
//!
//! ## How to fix
//! Remove sshd and EXPOSE 22; use the orchestrator's exec (audited) for debugging.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-008",
    name: "dockerfile-exposes-ssh",
    title: "Image exposes SSH",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.4", "2.2.5"],
    cis: &[Cis::docker("5.7")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Remove sshd and EXPOSE 22; use the orchestrator's exec (audited) for debugging.",
    source: include_str!("expose_ssh.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    d.final_stage()
        .filter(|i| i.keyword == "EXPOSE" && i.args.split_whitespace().any(|p| p.split('/').next() == Some("22")))
        .map(|i| Problem::new(i.line, "port 22 (SSH) is exposed", format!("EXPOSE {}", i.args)))
        .collect()
}
