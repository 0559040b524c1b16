//! ## What it checks
//! Dockerfiles whose final stage sets no `USER`, or whose last `USER` is root (`root`, `0`, `0:0`).
//!
//! ## Why it matters
//! Containers from the image then run as root unless every deployment overrides it. PCI DSS 2.2.6, 7.2.5; CIS Docker
//! v1.6.0 4.1.
//!
//! ## Failing example
//! ```dockerfile
//! FROM python:3.12-slim
//! CMD ["python", "app.py"]
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! FROM python:3.12-slim
//! USER 10001
//! CMD ["python", "app.py"]
//! ```
//!
//! ## How to fix
//! Create an unprivileged user and add USER <uid> to the final stage.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-001",
    name: "dockerfile-no-user",
    title: "Image runs as root",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "7.2.5"],
    cis: &[Cis::docker("4.1")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Create an unprivileged user and add USER <uid> to the final stage.",
    source: include_str!("no_user.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    let last_user = d.final_stage().filter(|i| i.keyword == "USER").last();
    match last_user {
        None => vec![Problem::new(d.final_stage().next().map_or(1, |i| i.line), "the final stage sets no USER: containers run as root", "no USER instruction")],
        Some(user) if matches!(user.args.split(':').next().map(str::trim), Some("root" | "0")) => vec![Problem::new(user.line, "the final stage runs as root", format!("USER {}", user.args))],
        Some(_) => Vec::new(),
    }
}
