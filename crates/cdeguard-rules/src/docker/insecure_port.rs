//! ## What it checks
//! Published ports of clear-text protocols (FTP, Telnet, TFTP, POP3, IMAP, SNMP, LDAP, r-services, unencrypted
//! Docker API, VNC).
//!
//! ## Why it matters
//! These send credentials and data unencrypted. PCI DSS 2.2.5, 4.2.1; CIS Docker v1.6.0 5.9 (only needed ports).
//!
//! ## Failing example
//! ```yaml
//! ports: ['23:23']
//! ```
//!
//! ## Passing example
//! ```yaml
//! ports: ['127.0.0.1:8443:8443']
//! ```
//!
//! ## How to fix
//! Use the encrypted counterpart of the protocol.

use cdeguard_model::docker::ContainerConfig;
use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use super::{Problem, report};
use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-DOCKER-025",
    name: "docker-cleartext-protocol-port",
    title: "Clear-text protocol port published",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["2.2.5", "4.2.1"],
    cis: &[Cis::docker("5.9")],
    inputs: &[InputFormat::Compose, InputFormat::DockerInspect],
    remediation: "Use the encrypted counterpart of the protocol.",
    source: include_str!("insecure_port.rs"),
    check,
};

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    report(inventory, out, problems);
}

fn problems(c: &ContainerConfig) -> Vec<Problem> {
    c.ports
        .iter()
        .filter_map(|p| crate::ports::insecure_protocol(i64::from(p.container_port)).map(|proto| Problem::new(p.line, format!("port {} publishes {proto} in clear text", p.container_port), format!("{} -> {}/{}", p.host_port.unwrap_or_default(), p.container_port, p.protocol))))
        .collect()
}
