//! ## What it checks
//! Bind mounts of sensitive host directories: `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys`, `/usr` (or below
//! them); read-write mounts are worse (high) than read-only ones (medium).
//!
//! ## Why it matters
//! These expose host configuration, credentials and binaries; written to, they let the container change the host.
//! PCI DSS 2.2.6, 11.5.2; CIS Docker v1.6.0 5.6.
//!
//! ## Failing example
//! ```yaml
//! volumes: ['/:/host']
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes: ['app-data:/var/lib/app']
//! ```
//!
//! ## How to fix
//! Mount only application data volumes; never host system directories.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-009",
    name: "docker-sensitive-host-directory",
    title: "Sensitive host directory mounted",
    severity: Severity::High,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "11.5.2"],
    cis: &[Cis::docker("5.6")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Mount only application data volumes; never host system directories.",
    source: include_str!("sensitive_mount.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    const SENSITIVE: &[&str] = &["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];
    c.mounts
        .iter()
        .filter(|m| m.kind == "bind")
        .filter_map(|m| {
            let source = m.source.as_deref()?;
            let hit = SENSITIVE.iter().any(|d| source == *d || (*d != "/" && source.starts_with(&format!("{d}/"))));
            let socket = source.ends_with(".sock");
            (hit && !socket).then(|| {
                let mode = if m.read_only { "read-only" } else { "read-write" };
                let mut p = Problem::new(m.line, format!("host directory {source} is mounted {mode}"), format!("volume {source} -> {}", m.target));
                if m.read_only {
                    p.severity = Some(Severity::Medium);
                }
                p
            })
        })
        .collect()
}
