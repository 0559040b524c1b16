//! ## What it checks
//! Images that `EXPOSE` an administrative port: 22 (SSH), 23 (telnet), 3389 (RDP),
//! 5900 (VNC).
//!
//! ## Why it matters
//! Containers are managed through the orchestrator, not by logging in; a remote shell
//! service in an image is an unneeded insecure service and an extra authentication
//! surface. PCI DSS 2.2.4/2.2.5 (only necessary services; secure them) and 1.2.5
//! (ports allowed are identified and justified); CIS Docker v1.6.0 5.7.
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
//! Remove the SSH server and the `EXPOSE`; use `kubectl exec` / `docker exec` under RBAC
//! and audit logging for administration.

use cdeguard_model::{Cis, InputFormat, Inventory, Severity};

use crate::{Emitter, Rule, RuleSet};

pub(crate) const RULE: Rule = Rule {
    id: "CDG-IMG-006",
    name: "image-exposes-admin-port",
    title: "Image exposes an administrative port",
    severity: Severity::Medium,
    sets: &[RuleSet::CisDocker, RuleSet::Pci],
    pci: &["1.2.5", "2.2.4", "2.2.5"],
    cis: &[Cis::docker("5.7")],
    inputs: &[InputFormat::Image],
    remediation: "Remove the remote-login server and its EXPOSE; administer containers through the orchestrator with RBAC and audit logging.",
    source: include_str!("exposed_ssh.rs"),
    check,
};

const ADMIN_PORTS: &[(&str, &str)] = &[("22", "SSH"), ("23", "telnet"), ("3389", "RDP"), ("5900", "VNC")];

fn check(inventory: &Inventory, out: &mut Emitter<'_>) {
    for image in super::configured(inventory) {
        for port in &image.config.exposed_ports {
            let number = port.split('/').next().unwrap_or(port);
            if let Some((_, service)) = ADMIN_PORTS.iter().find(|(p, _)| *p == number) {
                out.image(image, format!("exposes {service} port {number}"), format!("config.ExposedPorts contains {port}"));
            }
        }
    }
}
