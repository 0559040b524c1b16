//! ## What it checks
//! `RUN` instructions that download with curl or wget and pipe the result into a shell (`| sh`, `| bash`).
//!
//! ## Why it matters
//! Whatever the server returns at build time runs as root in the build, unverified: a supply-chain entry point.
//! PCI DSS 6.3.2, 6.5.1; CIS Docker v1.6.0 4.11 (verified packages).
//!
//! ## Failing example
//! ```dockerfile
//! RUN curl -fsSL https://get.example.com | sh
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! RUN curl -fsSLo install.sh https://get.example.com && echo "<sha256>  install.sh" | sha256sum -c && sh install.sh
//! ```
//!
//! ## How to fix
//! Download to a file, verify its checksum or signature, then run it.

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-007",
    name: "dockerfile-remote-script-piped-to-shell",
    title: "Remote script piped into a shell",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["6.3.2", "6.5.1"],
    cis: &[Cis::docker("4.11")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Download to a file, verify its checksum or signature, then run it.",
    source: include_str!("curl_pipe_shell.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    d.instructions
        .iter()
        .filter(|i| i.keyword == "RUN")
        .filter(|i| {
            let fetch = i.args.contains("curl ") || i.args.contains("wget ");
            let piped = ["| sh", "|sh", "| bash", "|bash", "| sudo sh", "| sudo bash"].iter().any(|p| i.args.contains(p));
            fetch && piped
        })
        .map(|i| Problem::new(i.line, "a downloaded script is piped into a shell without verification", format!("RUN {}", i.args)))
        .collect()
}
