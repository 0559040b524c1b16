//! ## What it checks
//! Mounts of the container engine's API socket (`/var/run/docker.sock`, `/run/containerd/containerd.sock`, CRI-O).
//!
//! ## Why it matters
//! The engine socket is full control of the host: start a privileged container, read every other container's
//! data. PCI DSS 2.2.6, 7.2.2; CIS Docker v1.6.0 5.32.
//!
//! ## Failing example
//! ```yaml
//! volumes: [/var/run/docker.sock:/var/run/docker.sock]
//! ```
//!
//! ## Passing example
//! ```yaml
//! volumes: [logs:/var/log/app]
//! ```
//!
//! ## How to fix
//! Do not mount the engine socket; use a narrowly scoped API proxy or the orchestrator's API.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-008",
    name: "docker-socket-mounted",
    title: "Docker or containerd socket mounted",
    severity: Severity::Critical,
    sets: &[RuleSet::CisDocker],
    pci: &["2.2.6", "7.2.2"],
    cis: &[Cis::docker("5.32")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Do not mount the engine socket; use a narrowly scoped API proxy or the orchestrator's API.",
    source: include_str!("docker_socket.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    const SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock"];
    c.mounts
        .iter()
        .filter(|m| m.source.as_deref().is_some_and(|s| SOCKETS.contains(&s)))
        .map(|m| Problem::new(m.line, format!("the engine socket {} is mounted", m.source.as_deref().unwrap_or_default()), format!("volume {} -> {}", m.source.as_deref().unwrap_or_default(), m.target)))
        .collect()
}
