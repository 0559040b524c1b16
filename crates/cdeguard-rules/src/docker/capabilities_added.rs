//! ## What it checks
//! `cap_add` (`HostConfig.CapAdd`) entries other than NET_BIND_SERVICE; ALL, SYS_ADMIN, SYS_MODULE, SYS_PTRACE,
//! NET_ADMIN and DAC_READ_SEARCH are critical.
//!
//! ## Why it matters
//! Capabilities beyond the default set enable container escape (SYS_ADMIN, SYS_MODULE), memory reading
//! (SYS_PTRACE) and network tampering (NET_ADMIN). PCI DSS 2.2.6; CIS Docker v1.6.0 5.4.
//!
//! ## Failing example
//! ```yaml
//! cap_add: [SYS_ADMIN]
//! ```
//!
//! ## Passing example
//! ```yaml
//! cap_drop: [ALL]
//! cap_add: [NET_BIND_SERVICE]
//! ```
//!
//! ## How to fix
//! Remove the added capabilities; redesign what needed them.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-010",
    name: "docker-dangerous-capability",
    title: "Container adds capabilities",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6"],
    cis: &[Cis::docker("5.4")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Remove the added capabilities; redesign what needed them.",
    source: include_str!("capabilities_added.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    const CRITICAL: &[&str] = &["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "NET_ADMIN", "DAC_READ_SEARCH"];
    c.cap_add
        .iter()
        .map(|cap| cap.trim_start_matches("CAP_").to_ascii_uppercase())
        .filter(|cap| cap != "NET_BIND_SERVICE")
        .map(|cap| {
            let mut p = Problem::at(c, "cap_add", format!("the container adds capability {cap}"), format!("cap_add contains {cap}"));
            if CRITICAL.contains(&cap.as_str()) {
                p.severity = Some(Severity::Critical);
            }
            p
        })
        .collect()
}
