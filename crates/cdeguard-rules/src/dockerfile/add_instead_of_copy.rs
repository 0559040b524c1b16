//! ## What it checks
//! `ADD` instructions that fetch a URL or copy plain files (anything but a local tar archive to extract).
//!
//! ## Why it matters
//! ADD downloads without checksum verification and silently extracts archives: what ends up in the image is not
//! reviewable. PCI DSS 6.3.2 (inventory of components), 6.5.1; CIS Docker v1.6.0 4.9.
//!
//! ## Failing example
//! ```dockerfile
//! ADD https://example.com/tool.tar.gz /tmp/
//! ```
//!
//! ## Passing example
//! ```dockerfile
//! COPY config/ /etc/app/
//! ```
//!
//! ## How to fix
//! Use COPY for local files; download with curl and verify a checksum in a RUN step (or use ADD --checksum).

use cdeguard_model::docker::Dockerfile;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKERFILE-004",
    name: "dockerfile-add-instead-of-copy",
    title: "ADD used instead of COPY",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker],
    pci: &["6.3.2", "6.5.1"],
    cis: &[Cis::docker("4.9")],
    inputs: &[InputFormat::Dockerfile],
    remediation: "Use COPY for local files; download with curl and verify a checksum in a RUN step (or use ADD --checksum).",
    source: include_str!("add_instead_of_copy.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(d: &Dockerfile) -> Vec<Problem> {
    const ARCHIVES: &[&str] = &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst"];
    d.instructions
        .iter()
        .filter(|i| i.keyword == "ADD" && !i.args.contains("--checksum="))
        .filter(|i| {
            let sources: Vec<&str> = i.args.split_whitespace().filter(|a| !a.starts_with("--")).collect();
            let sources = &sources[..sources.len().saturating_sub(1)];
            sources.iter().any(|s| s.contains("://") || !ARCHIVES.iter().any(|a| s.ends_with(a)))
        })
        .map(|i| Problem::new(i.line, "ADD is used where COPY (or a verified download) belongs", format!("ADD {}", i.args)))
        .collect()
}
